/**
 * The batch part of a stage, deployed after the classification state machine it runs: the
 * SummarizeBatch function and its role, then the batch state machine
 * (statemachine/image-batch.asl.json, a Distributed Map over a prefix) and its role. Same
 * idempotent ensure* steps as the rest of the deploy module; `bundle` absent deploys the role and
 * the state machine but not the function (deploy's `functions: false`).
 */
import { readFile } from 'node:fs/promises';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { KitConfig } from '../config.ts';
import { BATCH_RESULTS_PREFIX, batchSubstitutionsFor, loadDefinition } from '../workflow/definition.ts';
import { type arns, type DeploymentScope, kitTags, resourceNames } from '../workflow/names.ts';
import { batchStateMachinePolicy, mapRunLabels, summarizePolicy } from './batch-policies.ts';
import type { BundleInfo } from './bundle.ts';
import { ensureFunction, type FunctionSettings } from './functions.ts';
import { trustPolicy } from './policies.ts';
import type { ResourceChange } from './report.ts';
import { ensureRole, type RoleSpec } from './roles.ts';
import { ensureStateMachine } from './state-machine.ts';

/** Streams every result file of up to 100,000 images: minutes at most, with room to spare. */
const SUMMARY_SIZING = { memoryMb: 512, timeoutSeconds: 900 };

/** The functions' variables less the workflow's own settings: a new THRESHOLD leaves the summary as it is. */
function summaryEnvironment(environment: Record<string, string>): Record<string, string> {
  const unused = new Set([
    'THRESHOLD',
    'ENDPOINT_NAME',
    'REVIEW_PREFIX',
    'AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME',
  ]);
  return Object.fromEntries(Object.entries(environment).filter(([name]) => !unused.has(name)));
}

export interface BatchDeployment {
  config: KitConfig;
  scope: DeploymentScope;
  arn: ReturnType<typeof arns>;
  iam: IAMClient;
  lambda: LambdaClient;
  sfn: SFNClient;
  /** The summary function's zip; absent: its ARN is named, the function is not deployed. */
  bundle: BundleInfo | undefined;
  environment: Record<string, string>;
  classificationStateMachineArn: string;
  /** The ASL template in place of statemachine/image-batch.asl.json (deploy's `definitions`). */
  template?: string;
  apply: boolean;
  record(change: ResourceChange): ResourceChange;
}

/** The batch's resources as deploy and the template build them (pure: no AWS calls). */
export function batchSpecs(input: {
  config: KitConfig;
  scope: DeploymentScope;
  arn: ReturnType<typeof arns>;
  environment: Record<string, string>;
  classificationStateMachineArn: string;
}) {
  const { config, arn, scope } = input;
  const names = resourceNames(config.stage);
  const tags = kitTags(config.stage);
  const functionArn = arn.function(names.batchFunction);
  const functionRole: RoleSpec = {
    name: names.batchFunctionRole,
    arn: arn.role(names.batchFunctionRole),
    description: `scones ${config.stage}: execution role of ${names.batchFunction}`,
    trust: trustPolicy('lambda.amazonaws.com'),
    policyName: names.inlinePolicy,
    policy: summarizePolicy({
      logGroupArn: arn.logGroup(`/aws/lambda/${names.batchFunction}`),
      bucketArn: arn.bucket,
      resultsPrefix: BATCH_RESULTS_PREFIX,
    }),
    tags,
  };
  const functionSettings: FunctionSettings = {
    name: names.batchFunction,
    description: `scones ${config.stage}: count a batch's results per decision and per error`,
    ...SUMMARY_SIZING,
    environment: summaryEnvironment(input.environment),
    tags,
  };
  const substitutions = batchSubstitutionsFor({
    classificationStateMachineArn: input.classificationStateMachineArn,
    summarizeFunctionArn: functionArn,
    resultsBucket: config.bucket,
  });
  /** The role's policy names the Distributed Map's child executions, so it reads the definition. */
  const stateMachineRole = (definition: Record<string, unknown>): RoleSpec => ({
    name: names.batchStateMachineRole,
    arn: arn.role(names.batchStateMachineRole),
    description: `scones ${config.stage}: role of the image-batch state machine (Distributed Map over a prefix)`,
    trust: trustPolicy('states.amazonaws.com'),
    policyName: names.inlinePolicy,
    policy: batchStateMachinePolicy({
      ...scope,
      batchStateMachineName: names.batchStateMachine,
      mapRunLabels: mapRunLabels(definition),
      classificationStateMachineArn: input.classificationStateMachineArn,
      summarizeFunctionArn: functionArn,
      bucketArn: arn.bucket,
      resultsPrefix: BATCH_RESULTS_PREFIX,
    }),
    tags,
  });
  return {
    functionArn,
    functionRole,
    functionSettings,
    substitutions,
    stateMachineRole,
    stateMachine: { name: names.batchStateMachine, arn: arn.stateMachine(names.batchStateMachine), tags },
  };
}

export async function deployBatch(
  input: BatchDeployment,
): Promise<{ stateMachineArn: string; functionArn: string }> {
  const { apply, record } = input;
  const specs = batchSpecs(input);
  const role = record(await ensureRole(input.iam, specs.functionRole, apply));
  // The definition and the role's policy name the function by its ARN, the one Lambda reports.
  if (input.bundle) {
    record(
      await ensureFunction(
        input.lambda,
        {
          ...specs.functionSettings,
          arn: specs.functionArn,
          roleArn: role.arn,
          zip: await readFile(input.bundle.zipPath),
          codeSha256: input.bundle.codeSha256,
          architecture: input.bundle.arch,
        },
        apply,
      ),
    );
  }
  const definition = loadDefinition(specs.substitutions, 'batch', input.template);
  const stateMachineRole = record(await ensureRole(input.iam, specs.stateMachineRole(definition), apply));
  const stateMachine = record(
    await ensureStateMachine(
      input.sfn,
      { ...specs.stateMachine, roleArn: stateMachineRole.arn, definition },
      apply,
    ),
  );
  return { stateMachineArn: stateMachine.arn, functionArn: specs.functionArn };
}
