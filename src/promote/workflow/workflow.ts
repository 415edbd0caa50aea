/**
 * Steps that go through the deploy module (one code path for S3, IAM, Lambda, Step Functions,
 * EventBridge, SNS and CloudWatch): the bucket first (staging needs it), the SageMaker execution
 * role, and after the endpoint the three Lambdas, the state machines from the ASL files, and the
 * event-driven part (rules, bucket notifications, failure topic, alarms).
 */
import { join } from 'node:path';
import { createIamClient } from '../../aws/clients.ts';
import { ensureBucket } from '../../deploy/bucket.ts';
import {
  type BundleInfo,
  buildBundles,
  deploy,
  kitTags,
  type ResourceChange,
  type ResourceKind,
} from '../../deploy/index.ts';
import { ensureRole } from '../../deploy/roles.ts';
import { action } from '../actions.ts';
import type { StepContext } from '../context.ts';
import type { ResolvedPromoteOptions } from '../options.ts';
import type { ProgressListener } from '../progress.ts';
import type { PromotionAction, ResourceType } from '../types.ts';
import { SAGEMAKER_TRUST_POLICY, sagemakerExecutionPolicy } from './sagemaker-role.ts';

const RESOURCE_TYPE: Record<ResourceKind, ResourceType> = {
  bucket: 's3 bucket',
  role: 'iam role',
  function: 'lambda function',
  'state-machine': 'step functions state machine',
  'bucket-events': 's3 bucket notifications',
  topic: 'sns topic',
  subscription: 'sns subscription',
  'event-rule': 'eventbridge rule',
  alarm: 'cloudwatch alarm',
};

export function fromDeployChange(step: string, change: ResourceChange): PromotionAction {
  return action(
    step,
    RESOURCE_TYPE[change.kind],
    change.name,
    change.change,
    change.reasons.join(', '),
    change.arn,
  );
}

export function bucketArn(ctx: StepContext): string {
  return `arn:${ctx.target.partition}:s3:::${ctx.target.bucket}`;
}

export async function ensureDataBucket(ctx: StepContext): Promise<PromotionAction> {
  const change = await ensureBucket(ctx.s3, {
    bucket: ctx.target.bucket,
    region: ctx.target.region,
    arn: bucketArn(ctx),
    tags: kitTags(ctx.target.stage),
    apply: ctx.apply,
  });
  return fromDeployChange('bucket', change);
}

export async function ensureSageMakerRole(ctx: StepContext): Promise<PromotionAction & { arn: string }> {
  const { partition, accountId, stage } = ctx.target;
  const name = ctx.names.sagemakerRole;
  const change = await ensureRole(
    createIamClient(ctx.target.config),
    {
      name,
      arn: `arn:${partition}:iam::${accountId}:role/${name}`,
      description: `scones ${stage}: execution role of the training jobs and the endpoint`,
      trust: SAGEMAKER_TRUST_POLICY,
      policyName: `${ctx.names.prefix}-least-privilege`,
      policy: sagemakerExecutionPolicy(ctx.options, ctx.target),
      tags: kitTags(stage),
    },
    ctx.apply,
  );
  return { ...fromDeployChange('sagemaker-role', change), arn: change.arn };
}

export interface WorkflowOutcome {
  actions: PromotionAction[];
  stateMachineArn: string;
  functionNames: string[];
}

export async function deployWorkflow(ctx: StepContext): Promise<WorkflowOutcome> {
  const result = await deploy({
    config: ctx.target.config,
    plan: !ctx.apply,
    ...(ctx.options.bundles ? { bundles: ctx.options.bundles } : {}),
    ...(ctx.options.arch ? { arch: ctx.options.arch } : {}),
    ...(ctx.options.notifyEmail ? { notifyEmail: ctx.options.notifyEmail } : {}),
    alarms: ctx.options.alarms,
    log: (line) => ctx.onProgress({ type: 'info', message: `  ${line}` }),
  });
  // The bucket was the first step of the promotion; the deploy module reports it again.
  const changes = result.changes.filter((change) => change.kind !== 'bucket');
  return {
    actions: changes.map((change) => fromDeployChange('workflow', change)),
    stateMachineArn: result.stateMachineArn,
    functionNames: changes.filter((change) => change.kind === 'function').map((change) => change.name),
  };
}

/** Lambda zips, built once per promotion (plan and apply both need their CodeSha256). */
export async function ensureBundles(
  options: ResolvedPromoteOptions,
  onProgress: ProgressListener,
): Promise<BundleInfo[]> {
  if (options.bundles) return options.bundles;
  const arch = options.arch ?? 'x86_64';
  onProgress({ type: 'info', message: `building Lambda bundles (${arch})` });
  return buildBundles({ arch, outDir: join('.scones', 'bundles', arch) });
}
