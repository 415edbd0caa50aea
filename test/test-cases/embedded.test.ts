/**
 * Every test case of statemachine/test-cases on the embedded engine, for each state machine (the
 * classification, the retraining): the mocked states answer from the mock configuration,
 * RecordReviewItem writes to the embedded S3, and each case must give its expected outcome
 * (status, decision or Error, states, attempts, review item).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaseEngine, runId, startCaseEngine } from '../../src/test-cases/engines.ts';
import { runCase } from '../../src/test-cases/run-cases.ts';
import { loadSuites, type TestCaseSuite } from '../../src/test-cases/suite.ts';

const suites: TestCaseSuite[] = await loadSuites();
const [suite] = suites as [TestCaseSuite, ...TestCaseSuite[]];
const cases = suites.flatMap((each) => Object.keys(each.expected.cases).map((name) => ({ name, each })));
const run = runId();

describe('test cases on the embedded engine', () => {
  let engine: CaseEngine;
  beforeAll(async () => {
    engine = await startCaseEngine('embedded', suites);
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it.each(cases)('$name gives its expected outcome', async ({ name, each }) => {
    const result = await runCase(engine, each, name, run);
    expect(result.differences).toEqual([]);
    expect(result.got?.states).toEqual(each.expected.cases[name]?.states);
  });

  it("reads the retraining's decision from its output's outcome", async () => {
    const retraining = suites.find((each) => each.expected.definition === 'retraining') as TestCaseSuite;
    const wrong = structuredClone(retraining);
    wrong.expected.cases.GateRejects = { ...wrong.expected.cases.GateRejects, decision: 'promoted' } as never;
    const result = await runCase(engine, wrong, 'GateRejects', runId());
    expect(result.differences).toEqual(['result: expected promoted, got rejected']);
  });

  it('reports a difference when a case does not give its expected outcome', async () => {
    // The same engine, judged against a wrong expectation: the comparison can fail.
    const wrong = structuredClone(suite);
    wrong.expected.cases.ConfidentBicycle = { ...wrong.expected.cases.ConfidentMotorcycle } as never;
    const result = await runCase(engine, wrong, 'ConfidentBicycle', runId());
    expect(result.differences).toEqual([
      'result: expected long-range, got short-range',
      expect.stringContaining(
        'states: expected SerializeImageData > ClassifyImage > FilterInferences > RouteByConfidence > RouteLongRange',
      ),
    ]);
  });
});
