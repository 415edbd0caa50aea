/**
 * The kit's state-machine test cases: `statemachine/test-cases/MockConfigFile.json` (AWS's mock
 * configuration format, read unchanged by every engine) and `expected-outcomes.json` (the kit's
 * expectations), validated together and against the ASL before anything runs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFINITION_PATH } from '../workflow/definition.ts';
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
    JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')),
  );
  return { mockConfigPath, mockConfig, expected };
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
