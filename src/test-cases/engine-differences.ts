/**
 * What an engine cannot run at all, whatever the mocks say: a case whose expected path enters a
 * Task state with such a Resource is skipped on that engine with the reason (printed by the
 * runners), never judged. Each entry is a documented emulator difference
 * (docs/emulator-differences.md) with the AWS documentation that settles it.
 */
import { readFileSync } from 'node:fs';
import { DEFINITION_PATHS, type DefinitionName } from '../workflow/definition.ts';
import type { TestCaseSuite } from './suite.ts';

export interface EngineDifference {
  engine: string;
  /** Task Resources the engine refuses. */
  resource: RegExp;
  reason: string;
}

export const ENGINE_DIFFERENCES: readonly EngineDifference[] = [
  {
    engine: 'localstack',
    resource: /^arn:aws:states:::sagemaker:\w+\.sync$/,
    reason:
      'LocalStack 4.14.0 runs no SageMaker optimized integration as .sync, mocked or not ("Unsupported .sync callback procedure"); AWS documents createTrainingJob.sync and createHyperParameterTuningJob.sync (docs/emulator-differences.md, LocalStack 5)',
  },
];

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
    const state = states.find((each) => difference.resource.test(resources.get(each) ?? ''));
    if (state) return `${state} (${resources.get(state)}): ${difference.reason}`;
  }
  return undefined;
}
