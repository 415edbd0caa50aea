/**
 * Names, ARNs and tags of everything the kit deploys for one stage. Teardown and plan code find
 * resources through these same functions, so a name is decided here only.
 */
import type { KitConfig } from '../config.ts';
import { FUNCTIONS, type FunctionKey } from '../workflow/definition.ts';

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
    inlinePolicy: `${prefix}-least-privilege`,
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
    bucket: `arn:${partition}:s3:::${config.bucket}`,
    /** SageMaker lower-cases endpoint names in ARNs. */
    endpoint: `arn:${partition}:sagemaker:${region}:${accountId}:endpoint/${config.endpointName.toLowerCase()}`,
  };
}
