/**
 * The two test-case files: the shipped ones are valid and name the same cases; a bad file gets an
 * error naming the case (or mocked response) and the field, before any engine runs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExpectedOutcomes } from '../../src/test-cases/expected-outcomes.ts';
import {
  EXPECTED_OUTCOMES_FILE,
  EXPECTED_OUTCOMES_FILES,
  loadSuite,
  loadSuites,
  MOCK_CONFIG_FILE,
  selectCases,
} from '../../src/test-cases/suite.ts';
import { DEFINITION_PATHS } from '../../src/workflow/definition.ts';
import { mockedResponseAt, parseMockConfig } from '../../src/workflow/mock-config.ts';
import { WORKFLOW_ERROR_NAMES } from './support.ts';

const MACHINE = 'scones-dev-image-classification';

type Json = Record<string, unknown>;
const shipped = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Json;

/** A one-case mock configuration with `responses` as its one mocked response. */
function config(responses: Json, states: Json = { ClassifyImage: 'R' }): Json {
  return { StateMachines: { [MACHINE]: { TestCases: { Case: states } } }, MockedResponses: { R: responses } };
}
const ok = { Return: { StatusCode: 200, Payload: {} } };

describe('test-case files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scones-case-files-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the shipped files are valid and cover every route and every named error of the kit', async () => {
    const suite = await loadSuite();
    const outcomes = Object.values(suite.expected.cases);
    expect(new Set(outcomes.map((o) => (o.status === 'SUCCEEDED' ? o.decision : undefined)))).toEqual(
      new Set(['short-range', 'long-range', 'manual-review', undefined]),
    );
    const errors = new Set(outcomes.map((o) => (o.status === 'FAILED' ? o.error : undefined)));
    for (const name of WORKFLOW_ERROR_NAMES) expect(errors, name).toContain(name);
    // EndpointUnavailable both recovers and does not; the review write fails in one case.
    expect(suite.expected.cases.EndpointUnavailableRecovers).toMatchObject({ status: 'SUCCEEDED' });
    expect(suite.expected.cases.EndpointUnavailablePersists).toMatchObject({ error: 'EndpointUnavailable' });
    expect(errors).toContain('S3.S3Exception');
  });

  it('the retraining cases cover every outcome and refusal, with every Task state they enter mocked', async () => {
    const suites = await loadSuites();
    expect(suites.map((suite) => suite.expected.stateMachine)).toEqual([
      MACHINE,
      'scones-dev-model-retraining',
    ]);
    const retraining = suites[1] as (typeof suites)[number];
    const outcomes = Object.values(retraining.expected.cases);
    expect(outcomes.map((o) => (o.status === 'SUCCEEDED' ? o.decision : `FAILED ${o.error}`)).sort()).toEqual(
      ['FAILED RetrainingAlreadyRunning', 'FAILED States.TaskFailed', 'promoted', 'rejected', 'rolled-back'],
    );
    const definition = JSON.parse(await readFile(DEFINITION_PATHS.retraining, 'utf8')) as {
      States: Record<string, { Type: string }>;
    };
    for (const [name, outcome] of Object.entries(retraining.expected.cases)) {
      const mocked = Object.keys(
        retraining.mockConfig.StateMachines[retraining.expected.stateMachine]?.TestCases[name] ?? {},
      );
      const tasks = outcome.states.filter((state) => definition.States[state]?.Type === 'Task');
      expect(new Set(tasks), name).toEqual(new Set(mocked));
    }
  });

  it('rejects a case name used by two state machines', async () => {
    const path = join(dir, 'duplicate.json');
    const file = await shipped(EXPECTED_OUTCOMES_FILES[1] as string);
    const mocks = await shipped(MOCK_CONFIG_FILE);
    const machines = mocks.StateMachines as Record<string, { TestCases: Record<string, Json> }>;
    const retraining = machines['scones-dev-model-retraining'] as { TestCases: Record<string, Json> };
    retraining.TestCases.ConfidentBicycle = retraining.TestCases.GateRejects as Json;
    (file.cases as Record<string, Json>).ConfidentBicycle = (file.cases as Record<string, Json>)
      .GateRejects as Json;
    await writeFile(path, JSON.stringify(file));
    await writeFile(join(dir, 'mocks-duplicate.json'), JSON.stringify(mocks));
    await expect(
      loadSuites(join(dir, 'mocks-duplicate.json'), [EXPECTED_OUTCOMES_FILE, path]),
    ).rejects.toThrow('test case "ConfidentBicycle" is named for both');
  });

  it('resolves invocation keys and ranges as Step Functions Local does', () => {
    const parsed = parseMockConfig(config({ '0': { Throw: { Error: 'A', Cause: '' } }, '1-2': ok, '3': ok }));
    expect(mockedResponseAt(parsed, 'R', 0)).toMatchObject({ Throw: { Error: 'A' } });
    expect(mockedResponseAt(parsed, 'R', 1)).toEqual(ok);
    expect(mockedResponseAt(parsed, 'R', 2)).toEqual(ok);
    expect(mockedResponseAt(parsed, 'R', 3)).toEqual(ok);
    expect(mockedResponseAt(parsed, 'R', 4)).toBeUndefined();
  });

  it.each([
    [config({ '0': { Throw: { Cause: 'x' } } }), 'mocked response "R", invocation "0", field Throw.Error'],
    [
      config({ '0': { Return: {}, Throw: { Error: 'E', Cause: '' } } }),
      'needs exactly one of Return or Throw',
    ],
    [config({ '0': {} }), 'mocked response "R", invocation "0": needs exactly one of Return or Throw'],
    [config({ '0': ok, '2': ok }), 'invocation 1 has no response ("2" starts at 2)'],
    [config({ '0-2': ok, '1': ok }), 'invocation "1" overlaps an earlier key'],
    [config({ '1': ok }), 'invocation 0 has no response'],
    [config({ first: ok }), 'invocation key "first" is neither a number ("0") nor a range ("1-2")'],
    [
      config({ '0': ok }, { ClassifyImage: 'Missing' }),
      'test case "Case", state "ClassifyImage": names the mocked response "Missing"',
    ],
    [{ ...config({ '0': ok }), Extra: 1 }, 'Extra'],
  ])('rejects a bad mock configuration, naming where: %#', (bad, message) => {
    expect(() => parseMockConfig(bad, 'MockConfigFile.json')).toThrow(message);
  });

  it.each([
    [{ status: 'SUCCEEDED', states: ['A'], attempts: {} }, 'case "Bad", field decision'],
    [{ status: 'FAILED', states: ['A'], attempts: {} }, 'case "Bad", field error'],
    [{ status: 'DONE', states: ['A'], attempts: {} }, 'case "Bad", field status'],
    [
      { status: 'FAILED', error: 'E', states: ['A'], attempts: { B: 1 } },
      'case "Bad", field attempts: counts states that "states" does not list: B',
    ],
    [{ status: 'FAILED', error: 'E', states: ['A'], attempts: { A: 0 } }, 'case "Bad", field attempts.A'],
    [{ status: 'FAILED', error: 'E', states: [], attempts: {} }, 'case "Bad", field states'],
    [
      { status: 'FAILED', error: 'E', states: ['A'], attempts: {}, name: 'bad name' },
      'case "bad name": invalid name',
    ],
  ])(
    'rejects a bad expected outcome, naming the case and the field: %#',
    (outcome: Record<string, unknown>, message) => {
      const { name = 'Bad', ...fields } = outcome;
      const file = {
        stateMachine: MACHINE,
        input: { s3_bucket: 'b', s3_key: 'k' },
        cases: { [String(name)]: fields },
      };
      expect(() => parseExpectedOutcomes(file, 'expected-outcomes.json')).toThrow(message);
    },
  );

  it('rejects files that do not list the same cases, or mock a state the ASL does not have as a Task', async () => {
    const expectedPath = join(dir, 'expected.json');
    await writeFile(expectedPath, JSON.stringify(await shipped(EXPECTED_OUTCOMES_FILE)));
    const variant = async (name: string, change: (testCases: Record<string, Json>) => void) => {
      const mocks = await shipped(MOCK_CONFIG_FILE);
      const machines = mocks.StateMachines as Record<string, { TestCases: Record<string, Json> }>;
      change(machines[MACHINE]?.TestCases ?? {});
      await writeFile(join(dir, name), JSON.stringify(mocks));
      return join(dir, name);
    };

    const unlisted = await variant('extra.json', (cases) => {
      cases.Unlisted = {};
    });
    await expect(loadSuite(unlisted, expectedPath)).rejects.toThrow(
      'case "Unlisted": in the mock configuration, without an expected outcome',
    );
    const choice = await variant('choice.json', (cases) => {
      cases.ConfidentBicycle = { ...cases.ConfidentBicycle, RouteByConfidence: 'Serialized' };
    });
    await expect(loadSuite(choice, expectedPath)).rejects.toThrow(
      'test case "ConfidentBicycle", state "RouteByConfidence": is a Choice state; only Task states can be mocked',
    );
    await writeFile(join(dir, 'broken.json'), '{ "StateMachines": ');
    await expect(loadSuite(join(dir, 'broken.json'), expectedPath)).rejects.toThrow(
      'broken.json is not JSON',
    );
  });

  it('selects cases by name and names the known ones for an unknown name', async () => {
    const suite = await loadSuite();
    expect(selectCases(suite, ['InvalidImage', 'ConfidentBicycle'])).toEqual([
      'ConfidentBicycle',
      'InvalidImage',
    ]);
    expect(() => selectCases(suite, ['Nope'])).toThrow(
      /no test case "Nope"; the cases are: ConfidentBicycle/,
    );
  });
});
