/**
 * The workflow part of the template: each Lambda with its role, the classification, intake, batch
 * and retraining state machines with theirs: the same spec builders `deploy()` uses
 * (src/deploy/specs.ts, batch.ts, retraining.ts), at the template's scope.
 */
import type { KitConfig } from '../config.ts';
import { batchSpecs } from '../deploy/batch.ts';
import { retrainingSpecs } from '../deploy/retraining.ts';
import { stageSpecs } from '../deploy/specs.ts';
import {
  FUNCTIONS,
  type FunctionKey,
  intakeSubstitutionsFor,
  loadDefinition,
  substitutionsFor,
} from '../workflow/definition.ts';
import type { arns } from '../workflow/names.ts';
import { param, TEMPLATE_SCOPE } from './intrinsics.ts';
import { ALGORITHM_IMAGE, type BundleKey, CODE_BUCKET, codeKeyParameter } from './parameters.ts';
import type { ResourceSet } from './resources.ts';

export interface WorkflowArns {
  stateMachine: string;
  intakeStateMachine: string;
  batchStateMachine: string;
  retrainingStateMachine: string;
}

export function addWorkflow(
  set: ResourceSet,
  input: {
    config: KitConfig;
    arn: ReturnType<typeof arns>;
    environment: Record<string, string>;
    architecture: string;
  },
): WorkflowArns {
  const { config, arn, environment, architecture } = input;
  const code = (key: BundleKey) => ({
    bucketParameter: CODE_BUCKET,
    keyParameter: codeKeyParameter(key),
    architecture,
  });
  const specs = stageSpecs(config, arn);

  const functionArns = {} as Record<FunctionKey, string>;
  for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
    const role = specs.functionRole(key);
    set.role(role);
    functionArns[key] = arn.function(specs.names.functions[key]);
    set.function(
      { ...specs.functionSettings(key, environment), arn: functionArns[key], roleArn: role.arn },
      code(key),
    );
  }
  const role = specs.stateMachineRole(Object.values(functionArns));
  set.role(role);
  const stateMachine = specs.stateMachine(role.arn, {});
  set.stateMachine(
    stateMachine,
    role.arn,
    'classification',
    substitutionsFor({ functionArns, reviewBucket: config.bucket, reviewPrefix: config.reviewPrefix }),
  );
  const intakeRole = specs.intakeRole(stateMachine.arn);
  set.role(intakeRole);
  const intake = specs.intakeStateMachine(intakeRole.arn, {});
  set.stateMachine(
    intake,
    intakeRole.arn,
    'intake',
    intakeSubstitutionsFor({ classificationStateMachineArn: stateMachine.arn }),
  );

  const batch = batchSpecs({
    config,
    scope: TEMPLATE_SCOPE,
    arn,
    environment,
    classificationStateMachineArn: stateMachine.arn,
  });
  set.role(batch.functionRole);
  set.function(
    { ...batch.functionSettings, arn: batch.functionArn, roleArn: batch.functionRole.arn },
    code('summarize'),
  );
  const batchRole = batch.stateMachineRole(loadDefinition(batch.substitutions, 'batch'));
  set.role(batchRole, [batch.stateMachine.arn]);
  set.stateMachine(batch.stateMachine, batchRole.arn, 'batch', batch.substitutions);

  const retraining = retrainingSpecs({ config, scope: TEMPLATE_SCOPE, arn, environment });
  for (const key of retraining.keys) {
    const functionRole = retraining.functionRole(key);
    set.role(functionRole);
    set.function(
      { ...retraining.functionSettings(key), arn: retraining.functionArns[key], roleArn: functionRole.arn },
      code(key),
    );
  }
  set.role(retraining.stateMachineRole, [retraining.stateMachine.arn]);
  set.stateMachine(
    retraining.stateMachine,
    retraining.stateMachineRole.arn,
    'retraining',
    retraining.substitutions(param(ALGORITHM_IMAGE)),
  );
  return {
    stateMachine: stateMachine.arn,
    intakeStateMachine: intake.arn,
    batchStateMachine: batch.stateMachine.arn,
    retrainingStateMachine: retraining.stateMachine.arn,
  };
}
