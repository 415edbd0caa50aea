/**
 * The same mock configuration on the three engines: embedded (in-process), MiniStack and LocalStack
 * (the run's shared host processes, whose SFN_MOCK_CONFIG holds the suite's entries unchanged beside
 * other files' probe machines: test/support/shared-emulators/mock-configs.ts; the state machine
 * deployed through the deploy module: the classification and the retraining). Every case must give its expected outcome on each, and the
 * three outcomes must be identical (status, decision or Error, states entered, invocations per state).
 * Then the classification's JSONata twin (test/fixtures/statemachine/) on embedded and LocalStack:
 * the same expected outcomes, the same on both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaseEngine, ENGINES, runId, startCaseEngine } from '../../src/test-cases/engines.ts';
import { runCase } from '../../src/test-cases/run-cases.ts';
import { loadSuites, type TestCaseSuite } from '../../src/test-cases/suite.ts';
import { JSONATA_TWIN } from '../support/jsonata-twin.ts';
import { sharedServer } from '../support/shared-emulators/client.ts';

// Every state machine's cases: the classification's and the retraining's.
const suites: TestCaseSuite[] = await loadSuites();
const cases = suites.flatMap((suite) => Object.keys(suite.expected.cases).map((name) => ({ name, suite })));
const run = runId();

describe('test cases on embedded, ministack and localstack', () => {
  let engines: CaseEngine[] = [];
  beforeAll(async () => {
    // The suites' state machines are stage "dev"'s: no other file deploys that stage on the shared servers.
    const started = await Promise.allSettled(
      ENGINES.map(async (name) =>
        startCaseEngine(name, suites, name === 'embedded' ? {} : { server: await sharedServer(name) }),
      ),
    );
    engines = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }, 600_000);
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.stop()));
  });

  it.each(cases)(
    '$name: the expected outcome on embedded, ministack and localstack alike',
    async ({ name, suite }) => {
      const all = await Promise.all(engines.map((engine) => runCase(engine, suite, name, run)));
      expect(all.map((result) => result.engine)).toEqual([...ENGINES]);
      // An engine that cannot run the case at all (src/test-cases/engine-differences.ts) says why.
      for (const result of all)
        if (result.skipped) console.log(`${name} skipped on ${result.engine}: ${result.skipped}`);
      const results = all.filter((result) => !result.skipped);
      expect(results[0]?.engine).toBe('embedded');
      for (const result of results) expect(result.differences, result.engine).toEqual([]);
      const [embedded, ...emulators] = results;
      for (const result of emulators) expect(result.got, result.engine).toEqual(embedded?.got);
    },
  );
});

describe('the JSONata twin of the classification on embedded and localstack', () => {
  const classification = suites.filter((suite) => suite.expected.definition === 'classification');
  const twinCases = classification.flatMap((suite) =>
    Object.keys(suite.expected.cases).map((name) => ({ name, suite })),
  );
  // Execution names of their own: the describe above ran the same cases on the same state machine.
  const twinRun = runId();
  let engines: CaseEngine[] = [];
  beforeAll(async () => {
    // After the describe above: the stage's classification state machine is replaced by the twin.
    engines = await Promise.all([
      startCaseEngine('embedded', classification, { classificationTemplate: JSONATA_TWIN }),
      startCaseEngine('localstack', classification, {
        server: await sharedServer('localstack'),
        classificationTemplate: JSONATA_TWIN,
      }),
    ]);
  }, 600_000);
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.stop()));
  });

  it.each(twinCases)(
    '$name: the expected outcome in JSONata on embedded and localstack alike',
    async ({ name, suite }) => {
      const [embedded, localstack] = await Promise.all(
        engines.map((engine) => runCase(engine, suite, name, twinRun)),
      );
      if (localstack?.skipped) console.log(`${name} skipped on localstack: ${localstack.skipped}`);
      expect(embedded?.differences, 'embedded').toEqual([]);
      if (localstack?.skipped) return;
      expect(localstack?.differences, 'localstack').toEqual([]);
      expect(localstack?.got).toEqual(embedded?.got);
    },
  );
});
