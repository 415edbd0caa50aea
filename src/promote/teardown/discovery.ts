/**
 * Finds what the kit made in one stage: everything the Resource Groups Tagging API returns for the
 * kit's tags, plus every resource whose name the kit would use (IAM is not in that API), and keeps
 * only those that carry both tags (`scones:kit=scones`, `scones:stage=<stage>`): nothing of anyone
 * else is ever picked up by name alone.
 */
import { GetRoleCommand, paginateListRoles } from '@aws-sdk/client-iam';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import {
  paginateListEndpointConfigs,
  paginateListEndpoints,
  paginateListHyperParameterTuningJobs,
  paginateListModels,
  paginateListTrainingJobs,
} from '@aws-sdk/client-sagemaker';
import { DescribeStateMachineCommand, ListTagsForResourceCommand } from '@aws-sdk/client-sfn';
import {
  createIamClient,
  createLambdaClient,
  createS3Client,
  createSageMakerClient,
  createSfnClient,
  createTaggingClient,
} from '../../aws/clients.ts';
import { KIT_NAME, resourceNames, TAG_KIT, TAG_STAGE } from '../../deploy/index.ts';
import { allPages, isKitTagged, sageMakerResourceTags } from '../pages.ts';
import type { PromotionTarget } from '../target.ts';
import { eventResourcesByName, subscriptionsOfTopics } from './events.ts';
import type { KitResource, KitResourceType } from './types.ts';

/** Type and name of a resource from its ARN, for the types the kit makes. */
export function parseArn(arn: string): Pick<KitResource, 'type' | 'name'> | undefined {
  const [, , service, , , ...rest] = arn.split(':');
  const resource = rest.join(':');
  const sagemaker: [string, KitResourceType][] = [
    ['endpoint/', 'sagemaker endpoint'],
    ['endpoint-config/', 'sagemaker endpoint config'],
    ['model/', 'sagemaker model'],
    ['training-job/', 'sagemaker training job'],
    ['hyper-parameter-tuning-job/', 'sagemaker tuning job'],
  ];
  if (service === 'sagemaker') {
    const match = sagemaker.find(([prefix]) => resource.startsWith(prefix));
    return match ? { type: match[1], name: resource.slice(match[0].length) } : undefined;
  }
  if (service === 'lambda' && resource.startsWith('function:'))
    return { type: 'lambda function', name: resource.split(':')[1] ?? '' };
  if (service === 'states' && resource.startsWith('stateMachine:')) {
    return { type: 'step functions state machine', name: resource.slice('stateMachine:'.length) };
  }
  if (service === 's3' && resource && !resource.includes('/')) return { type: 's3 bucket', name: resource };
  if (service === 'iam' && resource.startsWith('role/'))
    return { type: 'iam role', name: resource.slice('role/'.length) };
  // Rules of the default bus only (`rule/<name>`; a custom bus's are `rule/<bus>/<name>`).
  if (service === 'events' && /^rule\/[^/]+$/.test(resource))
    return { type: 'eventbridge rule', name: resource.slice('rule/'.length) };
  if (service === 'sns' && resource && !resource.includes(':')) return { type: 'sns topic', name: resource };
  if (service === 'cloudwatch' && resource.startsWith('alarm:'))
    return { type: 'cloudwatch alarm', name: resource.slice('alarm:'.length) };
  return undefined;
}

/** Everything the Resource Groups Tagging API lists under both kit tags of the stage (all pages). */
export async function byTags(target: PromotionTarget): Promise<KitResource[]> {
  const tagging = createTaggingClient(target.config);
  const mappings = await allPages(
    paginateGetResources(
      { client: tagging },
      {
        TagFilters: [
          { Key: TAG_KIT, Values: [KIT_NAME] },
          { Key: TAG_STAGE, Values: [target.stage] },
        ],
      },
    ),
    (page) => page.ResourceTagMappingList,
  );
  const found: KitResource[] = [];
  for (const mapping of mappings) {
    // moto 5.2.5 returns endpoint-config ARNs as a Python tuple, "('arn:...',)": take the ARN inside.
    const arn = /arn:[^'",)\s]+/.exec(mapping.ResourceARN ?? '')?.[0] ?? '';
    const parsed = parseArn(arn);
    if (parsed && isKitTagged(mapping.Tags, target.stage)) found.push({ ...parsed, arn });
  }
  return found;
}

/**
 * SageMaker resources whose names the kit would use (`scones-<stage>-...`, and the endpoint's own
 * name), every page of each list, kept only when their tags say they are the stage's.
 */
export async function sagemakerByName(target: PromotionTarget, prefix: string): Promise<KitResource[]> {
  const sagemaker = createSageMakerClient(target.config);
  const client = { client: sagemaker, pageSize: 100 };
  const endpoints = [
    ...(await allPages(paginateListEndpoints(client, { NameContains: prefix }), (p) => p.Endpoints)),
    ...(await allPages(
      paginateListEndpoints(client, { NameContains: target.endpointName }),
      (p) => p.Endpoints,
    )),
  ];
  const configs = await allPages(
    paginateListEndpointConfigs(client, { NameContains: prefix }),
    (page) => page.EndpointConfigs,
  );
  const models = await allPages(paginateListModels(client, { NameContains: prefix }), (page) => page.Models);
  const trainingJobs = await allPages(
    paginateListTrainingJobs(client, { NameContains: prefix }),
    (page) => page.TrainingJobSummaries,
  );
  const tuningJobs = await allPages(
    paginateListHyperParameterTuningJobs(client, { NameContains: prefix }),
    (page) => page.HyperParameterTuningJobSummaries,
  );
  const candidates: KitResource[] = [
    ...endpoints.map((e) => ({
      type: 'sagemaker endpoint' as const,
      name: e.EndpointName ?? '',
      arn: e.EndpointArn ?? '',
    })),
    ...configs.map((c) => ({
      type: 'sagemaker endpoint config' as const,
      name: c.EndpointConfigName ?? '',
      arn: c.EndpointConfigArn ?? '',
    })),
    ...models.map((m) => ({
      type: 'sagemaker model' as const,
      name: m.ModelName ?? '',
      arn: m.ModelArn ?? '',
    })),
    ...trainingJobs.map((job) => ({
      type: 'sagemaker training job' as const,
      name: job.TrainingJobName ?? '',
      arn: job.TrainingJobArn ?? '',
      status: job.TrainingJobStatus ?? '',
    })),
    ...tuningJobs.map((job) => ({
      type: 'sagemaker tuning job' as const,
      name: job.HyperParameterTuningJobName ?? '',
      arn: job.HyperParameterTuningJobArn ?? '',
      status: job.HyperParameterTuningJobStatus ?? '',
    })),
  ];
  const ours: KitResource[] = [];
  // The endpoint's own name usually has the prefix too: each resource's tags are read once.
  for (const candidate of new Map(candidates.map((c) => [c.arn, c])).values()) {
    if (isKitTagged(await sageMakerResourceTags(sagemaker, candidate.arn), target.stage))
      ours.push(candidate);
  }
  return ours;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    [
      'ResourceNotFoundException',
      'NoSuchEntityException',
      'NoSuchEntity',
      'StateMachineDoesNotExist',
      'NoSuchBucket',
      'NoSuchTagSet',
      'NoSuchTagSetError',
    ].includes(e.name ?? '') || e.$metadata?.httpStatusCode === 404
  );
}

async function orNothing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Lambdas, state machine, roles and bucket under the names the kit uses, when tagged as the kit's. */
export async function workflowByName(target: PromotionTarget, sagemakerRole: string): Promise<KitResource[]> {
  const { stage, partition, region, accountId } = target;
  const names = resourceNames(stage);
  const ours: KitResource[] = [];
  const lambda = createLambdaClient(target.config);
  for (const name of [...Object.values(names.functions), names.batchFunction]) {
    const fn = await orNothing(() => lambda.send(new GetFunctionCommand({ FunctionName: name })));
    if (fn && isKitTagged(fn.Tags, stage))
      ours.push({ type: 'lambda function', name, arn: fn.Configuration?.FunctionArn ?? '' });
  }
  const sfn = createSfnClient(target.config);
  for (const name of [names.stateMachine, names.batchStateMachine]) {
    const stateMachineArn = `arn:${partition}:states:${region}:${accountId}:stateMachine:${name}`;
    const sfnTags = (await stateMachineExists(target, stateMachineArn))
      ? await sfn.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }))
      : undefined;
    if (
      sfnTags &&
      isKitTagged(
        sfnTags.tags?.map((tag) => ({ Key: tag.key, Value: tag.value })),
        stage,
      )
    ) {
      ours.push({ type: 'step functions state machine', name, arn: stateMachineArn });
    }
  }
  const iam = createIamClient(target.config);
  const roleNames = new Set([
    ...Object.values(names.functionRoles),
    names.stateMachineRole,
    names.batchFunctionRole,
    names.batchStateMachineRole,
    sagemakerRole,
  ]);
  // Roles of earlier kit versions or renamed ones: every role with the stage's prefix, all pages.
  const roles = await allPages(paginateListRoles({ client: iam }, {}), (page) => page.Roles);
  for (const role of roles)
    if (role.RoleName?.startsWith(`${KIT_NAME}-${stage}-`)) roleNames.add(role.RoleName);
  for (const name of roleNames) {
    const role = await orNothing(() => iam.send(new GetRoleCommand({ RoleName: name })));
    if (role?.Role && isKitTagged(role.Role.Tags, stage))
      ours.push({ type: 'iam role', name, arn: role.Role.Arn ?? '' });
  }
  const s3 = createS3Client(target.config);
  const bucketTags = await orNothing(() => s3.send(new GetBucketTaggingCommand({ Bucket: target.bucket })));
  if (bucketTags && isKitTagged(bucketTags.TagSet, stage)) {
    ours.push({ type: 's3 bucket', name: target.bucket, arn: `arn:${partition}:s3:::${target.bucket}` });
  }
  return ours;
}

export async function discoverKitResources(
  target: PromotionTarget,
  sagemakerRole: string,
): Promise<KitResource[]> {
  const prefix = `${KIT_NAME}-${target.stage}-`;
  const tagged = await byTags(target);
  const workflow = await workflowByName(target, sagemakerRole);
  const bucketIsKits = workflow.some((resource) => resource.type === 's3 bucket');
  const found = [
    ...tagged,
    ...(await subscriptionsOfTopics(
      target,
      tagged.filter((resource) => resource.type === 'sns topic'),
    )),
    ...(await sagemakerByName(target, prefix)),
    ...workflow,
    ...(await eventResourcesByName(target, bucketIsKits)),
  ];
  const unique = new Map<string, KitResource>();
  for (const resource of found) {
    const key = `${resource.type}:${resource.name}`;
    unique.set(key, { ...unique.get(key), ...resource, status: resource.status ?? unique.get(key)?.status });
  }
  const existing: KitResource[] = [];
  for (const resource of unique.values()) {
    if (
      resource.type !== 'step functions state machine' ||
      (await stateMachineExists(target, resource.arn))
    ) {
      existing.push(resource);
    }
  }
  return existing;
}

/** moto keeps answering tags (and tagging-API entries) of state machines it has deleted: ask for the machine. */
async function stateMachineExists(target: PromotionTarget, stateMachineArn: string): Promise<boolean> {
  const sfn = createSfnClient(target.config);
  return (
    (await orNothing(() => sfn.send(new DescribeStateMachineCommand({ stateMachineArn })))) !== undefined
  );
}
