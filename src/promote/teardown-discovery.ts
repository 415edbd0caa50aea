/**
 * Finds what the kit made in one stage: everything the Resource Groups Tagging API returns for the
 * kit's tags, plus every resource whose name the kit would use (IAM is not in that API), and keeps
 * only those that carry both tags (`scones:kit=scones`, `scones:stage=<stage>`): nothing of anyone
 * else is ever picked up by name alone.
 */
import { GetRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import {
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListHyperParameterTuningJobsCommand,
  ListModelsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { DescribeStateMachineCommand, ListTagsForResourceCommand } from '@aws-sdk/client-sfn';
import {
  createIamClient,
  createLambdaClient,
  createS3Client,
  createSageMakerClient,
  createSfnClient,
  createTaggingClient,
} from '../aws/clients.ts';
import { KIT_NAME, resourceNames, TAG_KIT, TAG_STAGE } from '../deploy/index.ts';
import type { PromotionTarget } from './target.ts';

export type KitResourceType =
  | 'sagemaker endpoint'
  | 'sagemaker endpoint config'
  | 'sagemaker model'
  | 'sagemaker training job'
  | 'sagemaker tuning job'
  | 'step functions state machine'
  | 'lambda function'
  | 'iam role'
  | 's3 bucket';

export interface KitResource {
  type: KitResourceType;
  name: string;
  arn: string;
  /** Training and tuning jobs: their status (in-progress ones are stopped). */
  status?: string;
}

type TagList = { Key?: string; Value?: string }[] | Record<string, string> | undefined;

function tagged(tags: TagList, stage: string): boolean {
  const map = Array.isArray(tags)
    ? new Map(tags.map((tag) => [tag.Key, tag.Value]))
    : new Map(Object.entries(tags ?? {}));
  return map.get(TAG_KIT) === KIT_NAME && map.get(TAG_STAGE) === stage;
}

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
  return undefined;
}

async function byTags(target: PromotionTarget): Promise<KitResource[]> {
  const tagging = createTaggingClient(target.config);
  const found: KitResource[] = [];
  let PaginationToken: string | undefined;
  do {
    const page = await tagging.send(
      new GetResourcesCommand({
        TagFilters: [
          { Key: TAG_KIT, Values: [KIT_NAME] },
          { Key: TAG_STAGE, Values: [target.stage] },
        ],
        ...(PaginationToken ? { PaginationToken } : {}),
      }),
    );
    for (const mapping of page.ResourceTagMappingList ?? []) {
      // moto 5.2.5 returns endpoint-config ARNs as a Python tuple, "('arn:...',)": take the ARN inside.
      const arn = /arn:[^'",)\s]+/.exec(mapping.ResourceARN ?? '')?.[0] ?? '';
      const parsed = parseArn(arn);
      if (parsed && tagged(mapping.Tags, target.stage)) found.push({ ...parsed, arn });
    }
    PaginationToken = page.PaginationToken || undefined;
  } while (PaginationToken);
  return found;
}

async function sagemakerTagged(sagemaker: SageMakerClient, arn: string, stage: string): Promise<boolean> {
  const { Tags } = await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }));
  return tagged(Tags, stage);
}

async function sagemakerByName(target: PromotionTarget, prefix: string): Promise<KitResource[]> {
  const sagemaker = createSageMakerClient(target.config);
  const candidates: KitResource[] = [];
  const { Endpoints = [] } = await sagemaker.send(
    new ListEndpointsCommand({ NameContains: prefix, MaxResults: 100 }),
  );
  const named = await sagemaker.send(
    new ListEndpointsCommand({ NameContains: target.endpointName, MaxResults: 100 }),
  );
  for (const endpoint of [...Endpoints, ...(named.Endpoints ?? [])]) {
    candidates.push({
      type: 'sagemaker endpoint',
      name: endpoint.EndpointName ?? '',
      arn: endpoint.EndpointArn ?? '',
    });
  }
  const { EndpointConfigs = [] } = await sagemaker.send(
    new ListEndpointConfigsCommand({ NameContains: prefix, MaxResults: 100 }),
  );
  for (const config of EndpointConfigs) {
    candidates.push({
      type: 'sagemaker endpoint config',
      name: config.EndpointConfigName ?? '',
      arn: config.EndpointConfigArn ?? '',
    });
  }
  const { Models = [] } = await sagemaker.send(
    new ListModelsCommand({ NameContains: prefix, MaxResults: 100 }),
  );
  for (const model of Models)
    candidates.push({ type: 'sagemaker model', name: model.ModelName ?? '', arn: model.ModelArn ?? '' });
  const { TrainingJobSummaries = [] } = await sagemaker.send(
    new ListTrainingJobsCommand({ NameContains: prefix, MaxResults: 100 }),
  );
  for (const job of TrainingJobSummaries) {
    candidates.push({
      type: 'sagemaker training job',
      name: job.TrainingJobName ?? '',
      arn: job.TrainingJobArn ?? '',
      status: job.TrainingJobStatus ?? '',
    });
  }
  const tuning = await sagemaker.send(
    new ListHyperParameterTuningJobsCommand({ NameContains: prefix, MaxResults: 100 }),
  );
  for (const job of tuning.HyperParameterTuningJobSummaries ?? []) {
    candidates.push({
      type: 'sagemaker tuning job',
      name: job.HyperParameterTuningJobName ?? '',
      arn: job.HyperParameterTuningJobArn ?? '',
      status: job.HyperParameterTuningJobStatus ?? '',
    });
  }
  const ours: KitResource[] = [];
  for (const candidate of candidates) {
    if (await sagemakerTagged(sagemaker, candidate.arn, target.stage)) ours.push(candidate);
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
async function workflowByName(target: PromotionTarget, sagemakerRole: string): Promise<KitResource[]> {
  const { stage, partition, region, accountId } = target;
  const names = resourceNames(stage);
  const ours: KitResource[] = [];
  const lambda = createLambdaClient(target.config);
  for (const name of Object.values(names.functions)) {
    const fn = await orNothing(() => lambda.send(new GetFunctionCommand({ FunctionName: name })));
    if (fn && tagged(fn.Tags, stage))
      ours.push({ type: 'lambda function', name, arn: fn.Configuration?.FunctionArn ?? '' });
  }
  const sfn = createSfnClient(target.config);
  const stateMachineArn = `arn:${partition}:states:${region}:${accountId}:stateMachine:${names.stateMachine}`;
  const sfnTags = (await stateMachineExists(target, stateMachineArn))
    ? await sfn.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }))
    : undefined;
  if (
    sfnTags &&
    tagged(
      sfnTags.tags?.map((tag) => ({ Key: tag.key, Value: tag.value })),
      stage,
    )
  ) {
    ours.push({ type: 'step functions state machine', name: names.stateMachine, arn: stateMachineArn });
  }
  const iam = createIamClient(target.config);
  const roleNames = new Set([...Object.values(names.functionRoles), names.stateMachineRole, sagemakerRole]);
  // Roles of earlier kit versions or renamed ones: every role with the stage's prefix.
  let Marker: string | undefined;
  do {
    const page = await iam.send(new ListRolesCommand({ ...(Marker ? { Marker } : {}) }));
    for (const role of page.Roles ?? [])
      if (role.RoleName?.startsWith(`${KIT_NAME}-${stage}-`)) roleNames.add(role.RoleName);
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  for (const name of roleNames) {
    const role = await orNothing(() => iam.send(new GetRoleCommand({ RoleName: name })));
    if (role?.Role && tagged(role.Role.Tags, stage))
      ours.push({ type: 'iam role', name, arn: role.Role.Arn ?? '' });
  }
  const s3 = createS3Client(target.config);
  const bucketTags = await orNothing(() => s3.send(new GetBucketTaggingCommand({ Bucket: target.bucket })));
  if (bucketTags && tagged(bucketTags.TagSet, stage)) {
    ours.push({ type: 's3 bucket', name: target.bucket, arn: `arn:${partition}:s3:::${target.bucket}` });
  }
  return ours;
}

export async function discoverKitResources(
  target: PromotionTarget,
  sagemakerRole: string,
): Promise<KitResource[]> {
  const prefix = `${KIT_NAME}-${target.stage}-`;
  const found = [
    ...(await byTags(target)),
    ...(await sagemakerByName(target, prefix)),
    ...(await workflowByName(target, sagemakerRole)),
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
