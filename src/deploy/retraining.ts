/**
 * The retraining part of a stage (statemachine/model-retraining.asl.json, docs/retraining.md):
 * BuildTrainingSet and EvaluateCandidate with their roles, then the retraining state machine from
 * the one ASL file and its role. Same idempotent ensure* steps as the rest of the deploy module;
 * `bundles` absent deploys the roles and the state machine but not the functions (deploy's
 * `functions: false`), whose ARNs the definition still names.
 *
 * The SageMaker role the runs pass is the one `scones promote` creates (retrainingNames' sagemakerRole,
 * src/promote/workflow/sagemaker-role.ts); on a target without SageMaker it is only a name, as the
 * API requires one. The stage's topic and its rollout alarm are named here and made by the
 * event-driven part (event-wiring.ts).
 */
import { readFile } from 'node:fs/promises';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { KitConfig } from '../config.ts';
import {
  DEFAULT_CAPTURE_PREFIX,
  GROUND_TRUTH_PREFIX,
  loadDefinition,
  RETRAINING_FUNCTIONS,
  RETRAINING_PREFIX,
  type RetrainingFunctionKey,
  retrainingSubstitutionsFor,
} from '../workflow/definition.ts';
import {
  type arns,
  type DeploymentScope,
  eventResourceNames,
  KIT_NAME,
  kitTags,
  resourceNames,
  retrainingNames,
} from '../workflow/names.ts';
import { CLASS_LABELS } from '../workflow/types.ts';
import type { BundleInfo } from './bundle.ts';
import { ensureFunction, type FunctionSettings } from './functions.ts';
import { trustPolicy } from './policies.ts';
import type { ResourceChange } from './report.ts';
import {
  buildTrainingSetPolicy,
  evaluateCandidatePolicy,
  type RetrainingFunctionPolicyInput,
  retrainingStateMachinePolicy,
} from './retraining-policies.ts';
import { ensureRole, type RoleSpec } from './roles.ts';
import { ensureStateMachine } from './state-machine.ts';

/** Where the staged dataset lives (training/staged-layout.ts DEFAULT_PREFIX, with its slash). */
export const RETRAINING_DATASET_PREFIX = 'datasets/cifar-100/';
/** Where promote's training writes model artifacts (an endpoint's model in service may be one). */
const PROMOTED_MODELS_PREFIX = 'models/';

/**
 * BuildTrainingSet copies a split of thousands of images; EvaluateCandidate loads two models and
 * scores the held-out set with the kit's predictor (tfjs + ONNX Runtime need the memory).
 */
const SIZING: Record<RetrainingFunctionKey, { memoryMb: number; timeoutSeconds: number; purpose: string }> = {
  build: { memoryMb: 1024, timeoutSeconds: 900, purpose: 'build a training set from reviewed labels' },
  evaluate: {
    memoryMb: 3008,
    timeoutSeconds: 900,
    purpose: 'score a candidate and the model in service on the held-out set',
  },
};

export interface RetrainingDeployment {
  config: KitConfig;
  scope: DeploymentScope;
  arn: ReturnType<typeof arns>;
  iam: IAMClient;
  lambda: LambdaClient;
  sfn: SFNClient;
  /** The two functions' zips by key; absent: their ARNs are named, the functions are not deployed. */
  bundles: Partial<Record<RetrainingFunctionKey, BundleInfo>> | undefined;
  environment: Record<string, string>;
  /** The ASL template in place of statemachine/model-retraining.asl.json (deploy's `definitions`). */
  template?: string;
  apply: boolean;
  record(change: ResourceChange): ResourceChange;
}

export interface RetrainingResult {
  stateMachineArn: string;
  functionArns: Record<RetrainingFunctionKey, string>;
}

/** The retraining ASL's substitutions (the template passes them to CloudFormation as they are). */
export function retrainingSubstitutions(
  config: KitConfig,
  arn: ReturnType<typeof arns>,
  functionArns: Record<RetrainingFunctionKey, string>,
  trainingImage: string,
): Record<string, string> {
  const names = retrainingNames(config.stage);
  return retrainingSubstitutionsFor({
    stage: config.stage,
    functionArns,
    bucket: config.bucket,
    datasetPrefix: RETRAINING_DATASET_PREFIX,
    groundTruthPrefix: GROUND_TRUTH_PREFIX,
    capturePrefix: `${DEFAULT_CAPTURE_PREFIX}/`,
    trainingImage,
    sagemakerRoleArn: arn.role(names.sagemakerRole),
    endpointName: config.endpointName,
    modelPackageGroupName: names.modelPackageGroup,
    namePrefix: names.runNamePrefix,
    numClasses: CLASS_LABELS.length,
    stateMachineArn: arn.stateMachine(names.stateMachine),
    rolloutAlarmName: names.rolloutAlarm,
    notificationTopicArn: arn.topic(eventResourceNames(config.stage).notificationTopic),
  });
}

/** The substituted ASL as deploy sends it (also what the state machine's policy is derived from). */
export function retrainingDefinition(
  config: KitConfig,
  arn: ReturnType<typeof arns>,
  functionArns: Record<RetrainingFunctionKey, string>,
  trainingImage: string,
  template?: string,
): Record<string, unknown> {
  return loadDefinition(
    retrainingSubstitutions(config, arn, functionArns, trainingImage),
    'retraining',
    template,
  );
}

/** The retraining's roles, functions and state machine as deploy and the template build them (pure). */
export function retrainingSpecs(input: {
  config: KitConfig;
  scope: DeploymentScope;
  arn: ReturnType<typeof arns>;
  environment: Record<string, string>;
}) {
  const { config, arn, scope } = input;
  const names = retrainingNames(config.stage);
  const tags = kitTags(config.stage);
  const policyName = resourceNames(config.stage).inlinePolicy;
  const s3Access: Omit<RetrainingFunctionPolicyInput, 'logGroupArn'> = {
    bucketArn: arn.bucket,
    datasetPrefix: RETRAINING_DATASET_PREFIX,
    groundTruthPrefix: GROUND_TRUTH_PREFIX,
    capturePrefix: `${DEFAULT_CAPTURE_PREFIX}/`,
    retrainingPrefix: RETRAINING_PREFIX,
  };
  const keys = Object.keys(RETRAINING_FUNCTIONS) as RetrainingFunctionKey[];
  const functionArns = Object.fromEntries(
    keys.map((key) => [key, arn.function(names.functions[key])]),
  ) as Record<RetrainingFunctionKey, string>;
  const functionRole = (key: RetrainingFunctionKey): RoleSpec => {
    const name = names.functions[key];
    const logGroupArn = arn.logGroup(`/aws/lambda/${name}`);
    return {
      name: `${name}-role`,
      arn: arn.role(`${name}-role`),
      description: `scones ${config.stage}: execution role of ${name}`,
      trust: trustPolicy('lambda.amazonaws.com'),
      policyName,
      policy:
        key === 'build'
          ? buildTrainingSetPolicy({ ...s3Access, logGroupArn })
          : evaluateCandidatePolicy({ ...s3Access, logGroupArn, modelPrefixes: [PROMOTED_MODELS_PREFIX] }),
      tags,
    };
  };
  const functionSettings = (key: RetrainingFunctionKey): FunctionSettings => ({
    name: names.functions[key],
    description: `scones ${config.stage}: ${SIZING[key].purpose}`,
    memoryMb: SIZING[key].memoryMb,
    timeoutSeconds: SIZING[key].timeoutSeconds,
    environment: retrainingEnvironment(key, input.environment),
    tags,
  });
  const stateMachineArn = arn.stateMachine(names.stateMachine);
  const stateMachineRole: RoleSpec = {
    name: names.stateMachineRole,
    arn: arn.role(names.stateMachineRole),
    description: `scones ${config.stage}: role of the model-retraining state machine (train, gate, register, canary)`,
    trust: trustPolicy('states.amazonaws.com'),
    policyName,
    policy: retrainingStateMachinePolicy({
      ...scope,
      stateMachineArn,
      functionArns: Object.values(functionArns),
      stagePrefix: `${KIT_NAME}-${config.stage}-`,
      runNamePrefix: names.runNamePrefix,
      endpointName: config.endpointName,
      modelPackageGroupName: names.modelPackageGroup,
      sagemakerRoleArn: arn.role(names.sagemakerRole),
      topicArn: arn.topic(eventResourceNames(config.stage).notificationTopic),
    }),
    tags,
  };
  return {
    keys,
    functionArns,
    functionRole,
    functionSettings,
    stateMachineRole,
    stateMachine: { name: names.stateMachine, arn: stateMachineArn, tags },
    substitutions: (trainingImage: string) =>
      retrainingSubstitutions(config, arn, functionArns, trainingImage),
  };
}

export async function deployRetraining(input: RetrainingDeployment): Promise<RetrainingResult> {
  const { config, arn, apply, record } = input;
  const specs = retrainingSpecs(input);
  for (const key of specs.keys) {
    const role = record(await ensureRole(input.iam, specs.functionRole(key), apply));
    const bundle = input.bundles?.[key];
    if (!bundle) continue;
    record(
      await ensureFunction(
        input.lambda,
        {
          ...specs.functionSettings(key),
          arn: specs.functionArns[key],
          roleArn: role.arn,
          zip: await readFile(bundle.zipPath),
          codeSha256: bundle.codeSha256,
          architecture: bundle.arch,
        },
        apply,
      ),
    );
  }
  const role = record(await ensureRole(input.iam, specs.stateMachineRole, apply));
  const stateMachine = record(
    await ensureStateMachine(
      input.sfn,
      {
        ...specs.stateMachine,
        roleArn: role.arn,
        definition: retrainingDefinition(
          config,
          arn,
          specs.functionArns,
          await trainingImageFor(config.region),
          input.template,
        ),
      },
      apply,
    ),
  );
  return { stateMachineArn: stateMachine.arn, functionArns: specs.functionArns };
}

/**
 * The built-in algorithm's image in the region (us-east-1's where it is not published, as the
 * embedded tier does). Imported when needed: the local SageMaker's modules are heavy to load.
 */
export async function trainingImageFor(region: string): Promise<string> {
  const { imageClassificationUri } = await import('../embedded/sagemaker/index.ts');
  return imageClassificationUri(region) ?? imageClassificationUri('us-east-1') ?? '';
}

/**
 * The functions' variables less the classification's own settings; EvaluateCandidate loads the
 * kit's predictor from the module its bundle ships beside the handler (bundle.ts).
 */
function retrainingEnvironment(
  key: RetrainingFunctionKey,
  environment: Record<string, string>,
): Record<string, string> {
  const unused = new Set(['THRESHOLD', 'REVIEW_PREFIX', 'AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME']);
  const kept = Object.fromEntries(Object.entries(environment).filter(([name]) => !unused.has(name)));
  return key === 'evaluate' ? { ...kept, PREDICTOR_MODULE: './predictor.mjs' } : kept;
}
