/**
 * Every test case of statemachine/test-cases on the embedded engine: the mocked states answer from
 * the mock configuration, RecordReviewItem writes to the embedded S3, and each case must give its
 * expected outcome (status, decision or Error, states, attempts, review item).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaseEngine, runId, startCaseEngine } from '../../src/test-cases/engines.ts';
import { runCase } from '../../src/test-cases/run-cases.ts';
import { loadSuite, type TestCaseSuite } from '../../src/test-cases/suite.ts';

const suite: TestCaseSuite = await loadSuite();
const run = runId();

describe('test cases on the embedded engine', () => {
  let engine: CaseEngine;
  beforeAll(async () => {
    engine = await startCaseEngine('embedded', suite);
  });
  afterAll(async () => {
    await engine?.stop();
  });

  it.each(Object.keys(suite.expected.cases))('%s gives its expected outcome', async (name) => {
    const result = await runCase(engine, suite, name, run);
    expect(result.differences).toEqual([]);
    expect(result.got?.states).toEqual(suite.expected.cases[name]?.states);
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
