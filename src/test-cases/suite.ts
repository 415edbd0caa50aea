/**
 * The kit's state-machine test cases: `statemachine/test-cases/MockConfigFile.json` (AWS's mock
 * configuration format, one file for every state machine, read unchanged by every engine) and one
 * expected-outcomes file per state machine (`expected-outcomes.json`: the classification,
 * `expected-outcomes.retraining.json`: the retraining), validated together and against their ASL
 * before anything runs. A suite is one state machine's cases.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFINITION_PATHS } from '../workflow/definition.ts';
import {
  checkAgainstDefinition,
  type MockConfig,
  readMockConfig,
  TestCaseFileError,
} from '../workflow/mock-config.ts';
import { checkSameCases, type ExpectedOutcomes, readExpectedOutcomes } from './expected-outcomes.ts';

export const MOCK_CONFIG_FILE = fileURLToPath(
  new URL('../../statemachine/test-cases/MockConfigFile.json', import.meta.url),
);
export const EXPECTED_OUTCOMES_FILE = fileURLToPath(
  new URL('../../statemachine/test-cases/expected-outcomes.json', import.meta.url),
);
/** Every state machine's expected outcomes, the classification's first. */
export const EXPECTED_OUTCOMES_FILES = [
  EXPECTED_OUTCOMES_FILE,
  fileURLToPath(new URL('../../statemachine/test-cases/expected-outcomes.retraining.json', import.meta.url)),
];

export interface TestCaseSuite {
  /** Absolute path of the mock configuration: the engines read this very file (SFN_MOCK_CONFIG). */
  mockConfigPath: string;
  mockConfig: MockConfig;
  expected: ExpectedOutcomes;
}

export async function loadSuite(
  mockConfigPath = MOCK_CONFIG_FILE,
  expectedOutcomesPath = EXPECTED_OUTCOMES_FILE,
): Promise<TestCaseSuite> {
  const [mockConfig, expected] = await Promise.all([
    readMockConfig(mockConfigPath),
    readExpectedOutcomes(expectedOutcomesPath),
  ]);
  checkSameCases(expected, mockConfig);
  // Placeholders sit inside JSON strings, so the template parses as it is.
  checkAgainstDefinition(
    mockConfig,
    expected.stateMachine,
    JSON.parse(readFileSync(DEFINITION_PATHS[expected.definition], 'utf8')),
  );
  return { mockConfigPath, mockConfig, expected };
}

/**
 * Every state machine's suite over the one mock configuration. Case names are unique across them
 * (`--case NAME` picks one), and every state machine of the mock configuration has its file.
 */
export async function loadSuites(
  mockConfigPath = MOCK_CONFIG_FILE,
  expectedOutcomesPaths = EXPECTED_OUTCOMES_FILES,
): Promise<TestCaseSuite[]> {
  const suites = await Promise.all(expectedOutcomesPaths.map((path) => loadSuite(mockConfigPath, path)));
  const covered = new Set(suites.map((suite) => suite.expected.stateMachine));
  const uncovered = Object.keys(suites[0]?.mockConfig.StateMachines ?? {}).filter(
    (name) => !covered.has(name),
  );
  if (uncovered.length)
    throw new TestCaseFileError(
      `the mock configuration has test cases of ${uncovered.map((n) => `"${n}"`).join(', ')}, which no expected-outcomes file covers`,
    );
  const seen = new Map<string, string>();
  for (const suite of suites) {
    for (const name of Object.keys(suite.expected.cases)) {
      const other = seen.get(name);
      if (other)
        throw new TestCaseFileError(
          `test case "${name}" is named for both ${other} and ${suite.expected.stateMachine}: case names must be unique`,
        );
      seen.set(name, suite.expected.stateMachine);
    }
  }
  return suites;
}

/** The named cases of each suite, in file order (all when `names` is empty); an unknown name is an error. */
export function selectSuiteCases(
  suites: TestCaseSuite[],
  names: string[] = [],
): Map<TestCaseSuite, string[]> {
  const all = suites.flatMap((suite) => Object.keys(suite.expected.cases));
  const unknown = names.filter((name) => !all.includes(name));
  if (unknown.length)
    throw new TestCaseFileError(
      `no test case ${unknown.map((n) => `"${n}"`).join(', ')}; the cases are: ${all.join(', ')}`,
    );
  const selected = new Map<TestCaseSuite, string[]>();
  for (const suite of suites) {
    const cases = Object.keys(suite.expected.cases).filter((name) => !names.length || names.includes(name));
    if (cases.length) selected.set(suite, cases);
  }
  return selected;
}

/** The named cases in file order (all when `names` is empty); an unknown name is an error. */
export function selectCases(suite: TestCaseSuite, names: string[] = []): string[] {
  const all = Object.keys(suite.expected.cases);
  const unknown = names.filter((name) => !all.includes(name));
  if (unknown.length)
    throw new TestCaseFileError(
      `no test case ${unknown.map((n) => `"${n}"`).join(', ')}; the cases are: ${all.join(', ')}`,
    );
  return names.length ? all.filter((name) => names.includes(name)) : all;
}
