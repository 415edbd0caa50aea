/**
 * `scones teardown`: deletes everything the kit made in a stage, the endpoint first (it bills by
 * the hour), then what starts or reports executions (the EventBridge rules, their targets first;
 * the failure topic's subscriptions and the topic; the bucket's EventBridge notifications; the
 * CloudWatch alarms), endpoint configs, models, the state machines, the Lambdas, the IAM roles and,
 * unless `keepData`, the bucket with its objects. Training and tuning jobs cannot be deleted in
 * SageMaker (they are records and cost nothing once ended): running ones are stopped, the rest
 * are reported as kept. A second teardown finds nothing and says so. On the local target (a
 * running `scones up`) discovery is local-discovery.ts's, and only the clients a found resource
 * needs are made: the stack has no IAM, Lambda, EventBridge, SNS or CloudWatch API.
 */
import {
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeTrainingJobCommand,
  StopHyperParameterTuningJobCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { DeleteStateMachineCommand } from '@aws-sdk/client-sfn';
import {
  createIamClient,
  createLambdaClient,
  createS3Client,
  createSageMakerClient,
  createSfnClient,
} from '../../aws/clients.ts';
import type { PromotionTargetKind, TeardownOptions } from '../options.ts';
import { allPages } from '../pages.ts';
import type { ProgressListener } from '../progress.ts';
import { type PromotionTarget, resolveTarget } from '../target.ts';
import { discoverKitResources } from './discovery.ts';
import { eventRemovers } from './events.ts';
import { discoverLocalResources } from './local-discovery.ts';
import type {
  Discovery,
  KitResource,
  KitResourceType,
  TeardownControls,
  TeardownItem,
  TeardownReport,
} from './types.ts';

/** Deletion order: what bills by the hour first, what others depend on before what they use. */
const ORDER = [
  'sagemaker endpoint',
  'eventbridge rule',
  'sns subscription',
  'sns topic',
  's3 bucket notifications',
  'cloudwatch alarm',
  'sagemaker endpoint config',
  'sagemaker model',
  'step functions state machine',
  'lambda function',
  'iam role',
  's3 bucket',
] as const satisfies readonly KitResourceType[];

async function emptyBucket(s3: S3Client, bucket: string): Promise<number> {
  let removed = 0;
  for (;;) {
    // Each round deletes what the first page lists, so the next round starts over until none is left.
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key ?? '' }));
    if (keys.length === 0) return removed;
    const { Errors = [] } = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
    );
    if (Errors.length > 0) {
      const first = Errors[0];
      throw new Error(
        `Emptying s3://${bucket}: ${Errors.length} objects not deleted, e.g. ${first?.Key}: ${first?.Code} ${first?.Message ?? ''}`,
      );
    }
    removed += keys.length;
  }
}

async function deleteRole(iam: IAMClient, name: string): Promise<void> {
  const inline = await allPages(
    paginateListRolePolicies({ client: iam }, { RoleName: name }),
    (page) => page.PolicyNames,
  );
  for (const policy of inline)
    await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policy }));
  const attached = await allPages(
    paginateListAttachedRolePolicies({ client: iam }, { RoleName: name }),
    (page) => page.AttachedPolicies,
  );
  for (const policy of attached) {
    await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: policy.PolicyArn }));
  }
  await iam.send(new DeleteRoleCommand({ RoleName: name }));
}

/** Where each target's resources are found: by tags and names on AWS, by SageMaker's tags and names locally. */
const DISCOVERY: Record<
  PromotionTargetKind,
  (target: PromotionTarget, sagemakerRole: string) => Promise<Discovery>
> = {
  aws: async (target, role) => ({ found: await discoverKitResources(target, role), kept: [] }),
  local: (target) => discoverLocalResources(target),
};

/** A client made on first use only (a target may not serve the others' services at all). */
function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

async function jobStatus(target: PromotionTarget, job: KitResource): Promise<string> {
  if (job.status) return job.status;
  const sagemaker = createSageMakerClient(target.config);
  if (job.type === 'sagemaker training job') {
    return (
      (await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: job.name })))
        .TrainingJobStatus ?? ''
    );
  }
  const tuning = await sagemaker.send(
    new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: job.name }),
  );
  return tuning.HyperParameterTuningJobStatus ?? '';
}

export async function teardownTarget(
  target: PromotionTarget,
  options: Pick<TeardownOptions, 'keepData' | 'plan'>,
  onProgress: ProgressListener = () => {},
): Promise<TeardownReport> {
  const apply = !options.plan;
  const report: TeardownReport = {
    stage: target.stage,
    accountId: target.accountId,
    region: target.region,
    planned: !apply,
    deleted: [],
    stopped: [],
    kept: [],
  };
  const { found, kept } = await DISCOVERY[target.kind](target, `scones-${target.stage}-sagemaker-role`);
  report.kept.push(...kept);
  const sagemaker = createSageMakerClient(target.config);
  const s3 = once(() => createS3Client(target.config));
  const iam = once(() => createIamClient(target.config));
  const lambda = once(() => createLambdaClient(target.config));
  const sfn = once(() => createSfnClient(target.config));
  const events = once(() => eventRemovers(target));
  const byEvents =
    (type: keyof ReturnType<typeof eventRemovers>) =>
    (resource: KitResource): Promise<unknown> =>
      events()[type](resource);
  const item = ({ type, name, arn }: KitResource): TeardownItem => ({ type, name, arn });
  const planned = { stopped: 'would stop', deleted: 'would delete' };
  const say = (verb: 'stopped' | 'deleted', resource: KitResource) =>
    onProgress({
      type: 'info',
      message: `${apply ? verb : planned[verb]}  ${resource.type} ${resource.name}`,
    });

  const remove: Record<(typeof ORDER)[number], (resource: KitResource) => Promise<unknown>> = {
    'eventbridge rule': byEvents('eventbridge rule'),
    'sns subscription': byEvents('sns subscription'),
    'sns topic': byEvents('sns topic'),
    's3 bucket notifications': byEvents('s3 bucket notifications'),
    'cloudwatch alarm': byEvents('cloudwatch alarm'),
    'sagemaker endpoint': ({ name }) => sagemaker.send(new DeleteEndpointCommand({ EndpointName: name })),
    'sagemaker endpoint config': ({ name }) =>
      sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name })),
    'sagemaker model': ({ name }) => sagemaker.send(new DeleteModelCommand({ ModelName: name })),
    'step functions state machine': ({ arn }) =>
      sfn().send(new DeleteStateMachineCommand({ stateMachineArn: arn })),
    'lambda function': ({ name }) => lambda().send(new DeleteFunctionCommand({ FunctionName: name })),
    'iam role': ({ name }) => deleteRole(iam(), name),
    's3 bucket': async ({ name }) => {
      const objects = await emptyBucket(s3(), name);
      await s3().send(new DeleteBucketCommand({ Bucket: name }));
      onProgress({ type: 'info', message: `emptied  s3 bucket ${name} (${objects} objects)` });
    },
  };

  for (const job of found.filter(
    (r) => r.type === 'sagemaker training job' || r.type === 'sagemaker tuning job',
  )) {
    const status = await jobStatus(target, job);
    if (status !== 'InProgress') {
      report.kept.push({
        ...item(job),
        reason: `${status || 'ended'}; SageMaker keeps job records, no charge`,
      });
      continue;
    }
    if (apply && job.type === 'sagemaker training job') {
      await sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: job.name }));
    } else if (apply) {
      await sagemaker.send(new StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: job.name }));
    }
    report.stopped.push(item(job));
    say('stopped', job);
  }

  const deletable = found
    .filter((resource) => (ORDER as readonly string[]).includes(resource.type))
    .sort(
      (a, b) => (ORDER as readonly string[]).indexOf(a.type) - (ORDER as readonly string[]).indexOf(b.type),
    );
  for (const resource of deletable) {
    if (resource.type === 's3 bucket' && options.keepData) {
      report.kept.push({ ...item(resource), reason: '--keep-data: bucket and objects kept' });
      continue;
    }
    if (apply) await remove[resource.type as (typeof ORDER)[number]](resource);
    report.deleted.push(item(resource));
    say('deleted', resource);
  }
  return report;
}

export async function teardown(
  options: TeardownOptions,
  controls: TeardownControls = {},
): Promise<TeardownReport> {
  const target = await resolveTarget(options);
  const onProgress = controls.onProgress ?? (() => {});
  const verb = options.plan ? 'planning the teardown of' : 'tearing down';
  onProgress({
    type: 'target',
    message: `${verb} stage "${target.stage}": ${target.stackUrl ? `local stack ${target.stackUrl}, ` : ''}account ${target.accountId}, region ${target.region}`,
  });
  return teardownTarget(target, options, onProgress);
}
