/**
 * What an engine cannot run at all, whatever the mocks say: a case whose expected path enters a
 * Task state with such a Resource, or whose mocked responses throw such an error, is skipped on
 * that engine with the reason (printed by the runners), never judged. Each entry is a documented emulator difference
 * (docs/emulator-differences.md) with the AWS documentation that settles it.
 */
import { readFileSync } from 'node:fs';
import { DEFINITION_PATHS, type DefinitionName } from '../workflow/definition.ts';
import type { TestCaseSuite } from './suite.ts';

export interface EngineDifference {
  engine: string;
  /** Task Resources the engine refuses. */
  resource?: RegExp;
  /** Errors the engine will not let a mocked response throw. */
  mockedError?: RegExp;
  reason: string;
}

export const ENGINE_DIFFERENCES: readonly EngineDifference[] = [
  {
    engine: 'localstack',
    mockedError: /^States\./,
    reason:
      'LocalStack 4.14.0 refuses a mocked response that throws a States.* error ("Custom Error Names MUST NOT begin with the prefix \'States.\'"), while a failed SageMaker job fails a .sync Task with States.TaskFailed on AWS (docs/emulator-differences.md, LocalStack 6)',
  },
];

/** The errors the mocked responses of case `name` throw. */
function mockedErrors(suite: TestCaseSuite, name: string): string[] {
  const testCase = suite.mockConfig.StateMachines[suite.expected.stateMachine]?.TestCases[name] ?? {};
  return Object.values(testCase).flatMap((response) =>
    Object.values(suite.mockConfig.MockedResponses[response] ?? {}).flatMap((invocation) =>
      'Throw' in invocation && invocation.Throw ? [invocation.Throw.Error] : [],
    ),
  );
}

const taskResources = new Map<DefinitionName, Map<string, string>>();

/** Task state -> Resource of a definition (the template: its Resources carry no substitution). */
function resourcesOf(definition: DefinitionName): Map<string, string> {
  let resources = taskResources.get(definition);
  if (!resources) {
    const states = (
      JSON.parse(readFileSync(DEFINITION_PATHS[definition], 'utf8')) as {
        States: Record<string, { Type: string; Resource?: string }>;
      }
    ).States;
    resources = new Map(
      Object.entries(states).flatMap(([name, state]) =>
        state.Type === 'Task' && state.Resource ? [[name, state.Resource] as [string, string]] : [],
      ),
    );
    taskResources.set(definition, resources);
  }
  return resources;
}

/** Why `engine` cannot run case `name` of `suite`, or undefined when it can. */
export function skipReason(engine: string, suite: TestCaseSuite, name: string): string | undefined {
  const states = suite.expected.cases[name]?.states ?? [];
  const resources = resourcesOf(suite.expected.definition);
  for (const difference of ENGINE_DIFFERENCES) {
    if (difference.engine !== engine) continue;
    const { resource, mockedError } = difference;
    const state = resource && states.find((each) => resource.test(resources.get(each) ?? ''));
    if (state) return `${state} (${resources.get(state)}): ${difference.reason}`;
    const error = mockedError && mockedErrors(suite, name).find((each) => mockedError.test(each));
    if (error) return `a mocked response throws ${error}: ${difference.reason}`;
  }
  return undefined;
}
