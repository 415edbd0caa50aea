/**
 * Names, ARNs and tags of everything the kit deploys for one stage. Teardown and plan code find
 * resources through these same functions, and the embedded tier names its state machines and
 * functions as a deployment would, so a name is decided here only (pure: no AWS calls).
 */
import type { KitConfig } from '../config.ts';
import { BATCH_FUNCTIONS, FUNCTIONS, type FunctionKey } from './definition.ts';

export const KIT_NAME = 'scones';
export const TAG_KIT = 'scones:kit';
export const TAG_STAGE = 'scones:stage';

/** Tags on every resource of a stage; teardown selects by them. */
export function kitTags(stage: string): Record<string, string> {
  return { [TAG_KIT]: KIT_NAME, [TAG_STAGE]: stage };
}

export interface ResourceNames {
  functions: Record<FunctionKey, string>;
  functionRoles: Record<FunctionKey, string>;
  stateMachine: string;
  stateMachineRole: string;
  /** EventBridge's target for uploads: starts the classification under a name from the object. */
  intakeStateMachine: string;
  intakeStateMachineRole: string;
  /** The batch state machine (a Distributed Map over a prefix) and its summary function. */
  batchStateMachine: string;
  batchStateMachineRole: string;
  batchFunction: string;
  batchFunctionRole: string;
  /** Name of the one inline policy each role carries. */
  inlinePolicy: string;
}

export function resourceNames(stage: string): ResourceNames {
  const prefix = `${KIT_NAME}-${stage}`;
  const perFunction = (suffix: string) =>
    Object.fromEntries(
      Object.entries(FUNCTIONS).map(([key, fn]) => [key, `${prefix}-${fn.folder}${suffix}`]),
    ) as Record<FunctionKey, string>;
  return {
    functions: perFunction(''),
    functionRoles: perFunction('-role'),
    stateMachine: `${prefix}-image-classification`,
    stateMachineRole: `${prefix}-state-machine-role`,
    intakeStateMachine: `${prefix}-image-intake`,
    intakeStateMachineRole: `${prefix}-intake-role`,
    batchStateMachine: `${prefix}-image-batch`,
    batchStateMachineRole: `${prefix}-batch-role`,
    batchFunction: `${prefix}-${BATCH_FUNCTIONS.summarize.folder}`,
    batchFunctionRole: `${prefix}-${BATCH_FUNCTIONS.summarize.folder}-role`,
    inlinePolicy: `${prefix}-least-privilege`,
  };
}

/**
 * Names of the event-driven part of a stage: the EventBridge rules (`scones-<stage>-<rule file id>`),
 * the failure-notification topic, the role EventBridge assumes to start the intake, and the
 * CloudWatch alarms on the Lambdas' and state machines' metrics.
 */
export function eventResourceNames(stage: string) {
  const prefix = `${KIT_NAME}-${stage}`;
  return {
    rule: (ruleId: string) => `${prefix}-${ruleId}`,
    notificationTopic: `${prefix}-execution-failures`,
    eventsRole: `${prefix}-events-role`,
    alarms: {
      lowConfidenceShare: `${prefix}-low-confidence-share`,
      classificationFailures: `${prefix}-classification-failures`,
      intakeFailures: `${prefix}-intake-failures`,
    },
  };
}

/** Where the deployment lives: ARNs need the partition, region and account. */
export interface DeploymentScope {
  partition: string;
  region: string;
  accountId: string;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function arns(scope: DeploymentScope, config: Pick<KitConfig, 'bucket' | 'endpointName'>) {
  const { partition, region, accountId } = scope;
  return {
    role: (name: string) => `arn:${partition}:iam::${accountId}:role/${name}`,
    function: (name: string) => `arn:${partition}:lambda:${region}:${accountId}:function:${name}`,
    stateMachine: (name: string) => `arn:${partition}:states:${region}:${accountId}:stateMachine:${name}`,
    logGroup: (name: string) => `arn:${partition}:logs:${region}:${accountId}:log-group:${name}`,
    eventRule: (name: string) => `arn:${partition}:events:${region}:${accountId}:rule/${name}`,
    topic: (name: string) => `arn:${partition}:sns:${region}:${accountId}:${name}`,
    alarm: (name: string) => `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${name}`,
    bucket: `arn:${partition}:s3:::${config.bucket}`,
    /** SageMaker lower-cases endpoint names in ARNs. */
    endpoint: `arn:${partition}:sagemaker:${region}:${accountId}:endpoint/${config.endpointName.toLowerCase()}`,
  };
}

/** Names of a stage's retraining: its state machine, its two functions and the model registry's group. */
export function retrainingNames(stage: string) {
  const prefix = `${KIT_NAME}-${stage}`;
  return {
    stateMachine: `${prefix}-model-retraining`,
    stateMachineRole: `${prefix}-retraining-role`,
    functions: {
      build: `${prefix}-build-training-set`,
      evaluate: `${prefix}-evaluate-candidate`,
    },
    modelPackageGroup: `${prefix}-image-classifier`,
    /** The role SageMaker assumes for the run's training jobs and models (promote creates it on AWS). */
    sagemakerRole: `${prefix}-sagemaker-role`,
    /** Training jobs, models and endpoint configs of a run: `<prefix><execution name>`. */
    runNamePrefix: `${prefix}-rt-`,
    /** Models and endpoint configs of `scones rollout` / `rollback`: `<prefix>v<version>-<time>`. */
    rolloutNamePrefix: `${prefix}-ro-`,
    /** The alarm a canary is rolled back on (AutoRollbackConfiguration), a retraining's or a rollout's. */
    rolloutAlarm: rolloutAlarmName(stage),
    /** Sum of reviewed labels over a period: its ALARM starts a retraining (eventrules/). */
    reviewedLabelsAlarm: `${prefix}-reviewed-labels`,
  };
}

/** The alarm a rollout of a registry version watches: `scones-<stage>-endpoint-5xx`. */
export function rolloutAlarmName(stage: string): string {
  return `${KIT_NAME}-${stage}-endpoint-5xx`;
}

/**
 * Names of a stage's CloudFormation deployment (`scones deploy --via cloudformation`): the stack,
 * and the bucket its Lambda zips and template are uploaded to first. The code bucket is not the
 * stage's bucket (the stack creates that one); bucket names are global, so on AWS it carries the
 * account and region as promote's bucket does.
 */
export function stackNames(stage: string, scope?: Pick<DeploymentScope, 'accountId' | 'region'>) {
  const prefix = `${KIT_NAME}-${stage}`;
  return {
    stack: prefix,
    codeBucket: scope ? `${prefix}-code-${scope.accountId}-${scope.region}` : `${prefix}-code`,
  };
}
