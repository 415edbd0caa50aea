/**
 * The JSONata twin of the classification workflow (test/fixtures/statemachine/, QueryLanguage
 * JSONata, a variable carried from the first state to the review item) on the embedded engine:
 * every test case of statemachine/test-cases ends as it does with the JSONPath definition (status,
 * decision or Error and Cause, states entered, invocations, the review item written). LocalStack
 * runs the same twin in engines-agree.localstack.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaseEngine, runId, startCaseEngine } from '../../src/test-cases/engines.ts';
import { runCase } from '../../src/test-cases/run-cases.ts';
import { loadSuite, type TestCaseSuite } from '../../src/test-cases/suite.ts';
import { JSONATA_TWIN } from '../support/jsonata-twin.ts';

const suite: TestCaseSuite = await loadSuite();
const cases = Object.keys(suite.expected.cases);
const run = runId();

describe('the JSONata twin of the classification workflow on the embedded engine', () => {
  let jsonPath: CaseEngine;
  let jsonata: CaseEngine;
  beforeAll(async () => {
    [jsonPath, jsonata] = await Promise.all([
      startCaseEngine('embedded', suite),
      startCaseEngine('embedded', suite, { classificationTemplate: JSONATA_TWIN }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([jsonPath?.stop(), jsonata?.stop()]);
  });

  it('is JSONata from the first state to the last', () => {
    const definition = JSON.parse(JSONATA_TWIN) as { QueryLanguage: string; States: Record<string, object> };
    expect(definition.QueryLanguage).toBe('JSONata');
    expect(JSONATA_TWIN).not.toMatch(/"[A-Za-z]+\.\$"|InputPath|OutputPath|ResultPath|"Parameters"/);
  });

  it.each(cases)('%s ends as with the JSONPath definition', async (name) => {
    const [expected, got] = await Promise.all([
      runCase(jsonPath, suite, name, run),
      runCase(jsonata, suite, name, run),
    ]);
    expect(got.differences).toEqual([]);
    expect(got.got).toEqual(expected.got);
  });
});
