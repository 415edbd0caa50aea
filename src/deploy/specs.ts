/**
 * What each resource of a stage should look like: the pure part of a deployment (no AWS calls), so
 * the deploy sequence in index.ts reads as a list of resources.
 */
import { endpointEnvironment, isAwsTarget, type KitConfig, type Service } from '../config.ts';
import type { FunctionKey } from '../workflow/definition.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../workflow/metrics.ts';
import { type arns, kitTags, resourceNames } from '../workflow/names.ts';
import type { BundleInfo } from './bundle.ts';
import type { FunctionSettings, FunctionSpec } from './functions.ts';
import {
  classifyPolicy,
  filterPolicy,
  intakePolicy,
  type LambdaPolicyInput,
  type PolicyDocument,
  serializePolicy,
  stateMachinePolicy,
  trustPolicy,
} from './policies.ts';
import type { RoleSpec } from './roles.ts';
import type { StateMachineSpec } from './state-machine.ts';

/** Memory and timeout per function: serialize decodes images with sharp, classify waits on the endpoint. */
const FUNCTION_SIZING: Record<FunctionKey, { memoryMb: number; timeoutSeconds: number; purpose: string }> = {
  serialize: { memoryMb: 1024, timeoutSeconds: 30, purpose: 'fetch, validate and normalize the image' },
  classify: { memoryMb: 256, timeoutSeconds: 60, purpose: 'invoke the SageMaker endpoint' },
  filter: { memoryMb: 128, timeoutSeconds: 10, purpose: 'apply the confidence threshold' },
};

const POLICY_FOR: Record<FunctionKey, (input: LambdaPolicyInput) => PolicyDocument> = {
  serialize: serializePolicy,
  classify: classifyPolicy,
  filter: filterPolicy,
};

/** By default the Lambdas of a local target use the S3 and endpoint this process uses (host processes). */
function sameEndpoints(config: KitConfig): Partial<Record<Service, string>> {
  return { s3: config.endpointFor('s3'), sagemakerRuntime: config.endpointFor('sagemakerRuntime') };
}

/** Variables every function reads through src/config.ts. */
export function lambdaEnvironment(
  config: KitConfig,
  lambdaEndpoints: Partial<Record<Service, string>> | undefined,
): Record<string, string> {
  return {
    SCONES_TARGET: config.target,
    SCONES_STAGE: config.stage,
    SCONES_BUCKET: config.bucket,
    ENDPOINT_NAME: config.endpointName,
    THRESHOLD: String(config.threshold),
    REVIEW_PREFIX: config.reviewPrefix,
    // Stack traces point into the TypeScript sources (bundles ship source maps).
    NODE_OPTIONS: '--enable-source-maps',
    // Powertools Logger and Metrics: the names the embedded tier uses too (src/workflow/metrics.ts).
    // Lambda's own log level setting (AWS_LAMBDA_LOG_LEVEL) overrides POWERTOOLS_LOG_LEVEL.
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...(isAwsTarget(config) ? {} : endpointEnvironment(lambdaEndpoints ?? sameEndpoints(config))),
  };
}

/** Spec builders for one stage in one account and region. */
export function stageSpecs(config: KitConfig, arn: ReturnType<typeof arns>) {
  const names = resourceNames(config.stage);
  const tags = kitTags(config.stage);
  /** A role Step Functions assumes for one of the stage's state machines. */
  const stateMachineRoleSpec = (name: string, purpose: string, policy: PolicyDocument): RoleSpec => ({
    name,
    arn: arn.role(name),
    description: `scones ${config.stage}: role of the ${purpose}`,
    trust: trustPolicy('states.amazonaws.com'),
    policyName: names.inlinePolicy,
    policy,
    tags,
  });
  const stateMachineSpec = (name: string, roleArn: string, definition: Record<string, unknown>) => ({
    name,
    arn: arn.stateMachine(name),
    roleArn,
    definition,
    tags,
  });
  /** What a function is, apart from its code and role (the template names the code in S3). */
  const functionSettings = (key: FunctionKey, environment: Record<string, string>): FunctionSettings => {
    const sizing = FUNCTION_SIZING[key];
    return {
      name: names.functions[key],
      description: `scones ${config.stage}: ${sizing.purpose}`,
      memoryMb: sizing.memoryMb,
      timeoutSeconds: sizing.timeoutSeconds,
      environment,
      tags,
    };
  };
  return {
    names,
    tags,
    functionRole(key: FunctionKey): RoleSpec {
      const functionName = names.functions[key];
      return {
        name: names.functionRoles[key],
        arn: arn.role(names.functionRoles[key]),
        description: `scones ${config.stage}: execution role of ${functionName}`,
        trust: trustPolicy('lambda.amazonaws.com'),
        policyName: names.inlinePolicy,
        policy: POLICY_FOR[key]({
          logGroupArn: arn.logGroup(`/aws/lambda/${functionName}`),
          bucketArn: arn.bucket,
          endpointArn: arn.endpoint,
        }),
        tags,
      };
    },
    functionSettings,
    function(
      key: FunctionKey,
      input: { roleArn: string; bundle: BundleInfo; zip: Uint8Array; environment: Record<string, string> },
    ): FunctionSpec {
      return {
        ...functionSettings(key, input.environment),
        arn: arn.function(names.functions[key]),
        roleArn: input.roleArn,
        zip: input.zip,
        codeSha256: input.bundle.codeSha256,
        architecture: input.bundle.arch,
      };
    },
    stateMachineRole(functionArns: string[]): RoleSpec {
      return stateMachineRoleSpec(
        names.stateMachineRole,
        'image-classification state machine',
        stateMachinePolicy({ functionArns, bucketArn: arn.bucket, reviewPrefix: config.reviewPrefix }),
      );
    },
    stateMachine(roleArn: string, definition: Record<string, unknown>): StateMachineSpec {
      return stateMachineSpec(names.stateMachine, roleArn, definition);
    },
    intakeRole(classificationStateMachineArn: string): RoleSpec {
      return stateMachineRoleSpec(
        names.intakeStateMachineRole,
        'image-intake state machine (starts classifications)',
        intakePolicy({ classificationStateMachineArn }),
      );
    },
    intakeStateMachine(roleArn: string, definition: Record<string, unknown>): StateMachineSpec {
      return stateMachineSpec(names.intakeStateMachine, roleArn, definition);
    },
  };
}
