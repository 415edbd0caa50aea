/** What every engine checks and reads: the suites' state machines and the kit's bucket. */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { KitConfig } from '../config.ts';
import { resourceNames } from '../deploy/index.ts';
import type { StartedTarget } from '../targets/index.ts';
import type { DefinitionName } from '../workflow/definition.ts';
import { TestCaseFileError } from '../workflow/mock-config.ts';
import { retrainingNames } from '../workflow/names.ts';
import type { TestCaseSuite } from './suite.ts';

/** The name a stage deploys a definition's state machine under. */
export function deployedName(definition: DefinitionName, stage: string): string {
  const names = resourceNames(stage);
  const byDefinition: Record<DefinitionName, string> = {
    classification: names.stateMachine,
    intake: names.intakeStateMachine,
    batch: names.batchStateMachine,
    retraining: retrainingNames(stage).stateMachine,
  };
  return byDefinition[definition];
}

/** The state machines the kit deploys must be the ones the test cases are written for. */
export function checkStateMachines(suites: TestCaseSuite[], config: KitConfig): void {
  for (const { expected } of suites) {
    const deployed = deployedName(expected.definition, config.stage);
    if (deployed !== expected.stateMachine)
      throw new TestCaseFileError(
        `the test cases are written for state machine "${expected.stateMachine}", but stage "${config.stage}" deploys "${deployed}"`,
      );
  }
}

/** The suite of `stateMachine`, or an error naming the ones this engine serves. */
export function suiteOf(suites: TestCaseSuite[], stateMachine: string): TestCaseSuite {
  const suite = suites.find((candidate) => candidate.expected.stateMachine === stateMachine);
  if (!suite)
    throw new TestCaseFileError(
      `this engine runs the cases of ${suites.map((s) => s.expected.stateMachine).join(', ')}, not of ${stateMachine}`,
    );
  return suite;
}

export function objectReader({ clients, names }: StartedTarget) {
  return async (key: string) => {
    try {
      const object = await clients.s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: key }));
      return await object.Body?.transformToString();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };
}

/** The one mock configuration all suites share (the emulators load it when they start). */
export function mockConfigPathOf(suites: TestCaseSuite[]): string {
  const paths = new Set(suites.map((suite) => suite.mockConfigPath));
  const [path] = paths;
  if (paths.size !== 1 || path === undefined)
    throw new TestCaseFileError(
      `the suites must share one mock configuration; got ${[...paths].join(', ') || 'none'}`,
    );
  return path;
}
