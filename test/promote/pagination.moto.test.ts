/**
 * Teardown and the training-job attempt choice read every page. moto pages like AWS (at most 100
 * SageMaker items and IAM roles a page, 50 resources a page of the tagging API), so a stage with
 * 120 resources of each kind the kit makes proves that teardown finds and removes all of them,
 * each discovery source on its own too, and leaves what is not the stage's alone; and a 121st
 * training-job attempt sees the 120 before it.
 */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand, paginateListFunctions } from '@aws-sdk/client-lambda';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  type CreateTrainingJobCommandInput,
  DescribeModelCommand,
  paginateListEndpointConfigs,
  paginateListEndpoints,
  paginateListModels,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { CreateStateMachineCommand, paginateListStateMachines } from '@aws-sdk/client-sfn';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIamClient,
  createLambdaClient,
  createSageMakerClient,
  createSfnClient,
} from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import { kitTags } from '../../src/deploy/index.ts';
import type { StartedMotoServer } from '../../src/emulator/moto-server.ts';
import { stepContext } from '../../src/promote/context.ts';
import { teardown } from '../../src/promote/index.ts';
import { resolvePromoteOptions } from '../../src/promote/options.ts';
import { allPages } from '../../src/promote/pages.ts';
import { type PromotionTarget, resolveTarget } from '../../src/promote/target.ts';
import { byTags, sagemakerByName, workflowByName } from '../../src/promote/teardown/discovery.ts';
import type { KitResource } from '../../src/promote/teardown/types.ts';
import { ensureTrainingJob } from '../../src/promote/training/training.ts';
import { startOwnMoto } from './support/moto-harness.ts';

const REGION = 'us-east-1';
const STAGE = 'pages';
/** More than one page of every list involved (SageMaker and IAM: 100 a page; tagging API: 50). */
const COUNT = 120;
const ROLE_ARN = 'arn:aws:iam::123456789012:role/lambda-exec';
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::nowhere/*' }],
});

let moto: StartedMotoServer;
let config: KitConfig;
let target: PromotionTarget;

const tagList = (stage: string): Tag[] =>
  Object.entries(kitTags(stage)).map(([Key, Value]) => ({ Key, Value }));
const numbered = (kind: string) =>
  Array.from({ length: COUNT }, (_, i) => `scones-${STAGE}-old-${kind}-${i}`);

/** Runs `task` over `items`, eight at a time (moto server answers requests in threads). */
async function eachOf<T>(items: T[], task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

function trainingJob(name: string, tags?: Tag[]): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: 'image-classification:1', TrainingInputMode: 'File' },
    RoleArn: ROLE_ARN,
    OutputDataConfig: { S3OutputPath: 's3://nowhere/models/' },
    ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    ...(tags ? { Tags: tags } : {}),
  };
}

const countByType = (resources: KitResource[]) => {
  const counts: Record<string, number> = {};
  for (const resource of resources) counts[resource.type] = (counts[resource.type] ?? 0) + 1;
  return counts;
};

beforeAll(async () => {
  // Its own moto: it tears its stage down (support/moto-harness.ts says why that is not shared).
  moto = await startOwnMoto();
  config = loadConfig({ SCONES_TARGET: 'aws', ...moto.environment() });
  config.credentials = { accessKeyId: 'moto-test', secretAccessKey: 'moto-test' };
  target = await resolveTarget({ config, region: REGION, stage: STAGE });
}, 600_000);

afterAll(async () => {
  await moto?.stop();
});

describe('teardown of a stage with more than one page of every kind', () => {
  const sagemaker = () => createSageMakerClient(config);

  beforeAll(async () => {
    const sm = sagemaker();
    const iam = createIamClient(config);
    const lambda = createLambdaClient(config);
    const sfn = createSfnClient(config);
    const tags = tagList(STAGE);
    await iam.send(new CreateRoleCommand({ RoleName: 'lambda-exec', AssumeRolePolicyDocument: '{}' }));
    const container = { Image: 'image-classification:1', ModelDataUrl: 's3://nowhere/model.tar.gz' };
    await eachOf(numbered('model'), (ModelName) =>
      sm.send(
        new CreateModelCommand({
          ModelName,
          PrimaryContainer: container,
          ExecutionRoleArn: ROLE_ARN,
          Tags: tags,
        }),
      ),
    );
    const variant = {
      VariantName: 'AllTraffic',
      ModelName: `scones-${STAGE}-old-model-0`,
      InstanceType: 'ml.m5.large' as const,
      InitialInstanceCount: 1,
    };
    await eachOf(numbered('config'), (EndpointConfigName) =>
      sm.send(
        new CreateEndpointConfigCommand({ EndpointConfigName, ProductionVariants: [variant], Tags: tags }),
      ),
    );
    await eachOf(numbered('endpoint'), (EndpointName) =>
      sm.send(
        new CreateEndpointCommand({
          EndpointName,
          EndpointConfigName: `scones-${STAGE}-old-config-0`,
          Tags: tags,
        }),
      ),
    );
    await eachOf(numbered('train'), (name) => sm.send(new CreateTrainingJobCommand(trainingJob(name, tags))));
    await eachOf(numbered('role'), async (RoleName) => {
      await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: '{}', Tags: tags }));
      await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'old', PolicyDocument: POLICY }));
    });
    const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    const sfnTags = Object.entries(kitTags(STAGE)).map(([key, value]) => ({ key, value }));
    await eachOf(numbered('machine'), (name) =>
      sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE_ARN, tags: sfnTags })),
    );
    const ZipFile = zipSync({ 'index.mjs': strToU8('export const handler = async () => ({});') });
    await eachOf(numbered('fn'), (FunctionName) =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName,
          Runtime: 'nodejs22.x',
          Role: ROLE_ARN,
          Handler: 'index.handler',
          Code: { ZipFile },
          Tags: kitTags(STAGE),
        }),
      ),
    );
    // Not the stage's: the same name prefix, but another stage's tags, or none.
    await sm.send(
      new CreateModelCommand({
        ModelName: `scones-${STAGE}-foreign-model`,
        PrimaryContainer: container,
        ExecutionRoleArn: ROLE_ARN,
        Tags: tagList('other'),
      }),
    );
    await iam.send(
      new CreateRoleCommand({ RoleName: `scones-${STAGE}-foreign-role`, AssumeRolePolicyDocument: '{}' }),
    );
  }, 600_000);

  it('finds every resource through each discovery source alone', async () => {
    expect(countByType(await sagemakerByName(target, `scones-${STAGE}-`))).toEqual({
      'sagemaker endpoint': COUNT,
      'sagemaker endpoint config': COUNT,
      'sagemaker model': COUNT,
      'sagemaker training job': COUNT,
    });
    expect(countByType(await byTags(target))).toEqual({
      'sagemaker endpoint': COUNT,
      'sagemaker endpoint config': COUNT,
      'sagemaker model': COUNT,
      'sagemaker training job': COUNT,
      'step functions state machine': COUNT,
      'lambda function': COUNT,
    });
    const roles = (await workflowByName(target, `scones-${STAGE}-sagemaker-role`)).filter(
      (resource) => resource.type === 'iam role',
    );
    expect(roles.map((role) => role.name).sort()).toEqual(numbered('role').sort());
  }, 300_000);

  it('removes all of them, keeps the job records, and touches nothing of anyone else', async () => {
    const report = await teardown({ config, region: REGION, stage: STAGE });
    expect(countByType(report.deleted as KitResource[])).toEqual({
      'sagemaker endpoint': COUNT,
      'sagemaker endpoint config': COUNT,
      'sagemaker model': COUNT,
      'step functions state machine': COUNT,
      'lambda function': COUNT,
      'iam role': COUNT,
    });
    expect(report.deleted[0]?.type).toBe('sagemaker endpoint');
    expect(report.kept.filter((item) => item.type === 'sagemaker training job')).toHaveLength(COUNT);

    // What is left, read independently (all pages): nothing of the stage's old resources.
    const sm = sagemaker();
    const old = (name: string | undefined) => name?.startsWith(`scones-${STAGE}-old-`);
    const endpoints = await allPages(paginateListEndpoints({ client: sm }, {}), (page) => page.Endpoints);
    expect(endpoints.filter((e) => old(e.EndpointName))).toEqual([]);
    const configs = await allPages(
      paginateListEndpointConfigs({ client: sm }, {}),
      (page) => page.EndpointConfigs,
    );
    expect(configs.filter((c) => old(c.EndpointConfigName))).toEqual([]);
    const models = await allPages(paginateListModels({ client: sm }, {}), (page) => page.Models);
    expect(models.filter((m) => old(m.ModelName))).toEqual([]);
    const iam = createIamClient(config);
    const roles = await allPages(paginateListRoles({ client: iam }, {}), (page) => page.Roles);
    expect(roles.filter((r) => old(r.RoleName))).toEqual([]);
    const machines = await allPages(
      paginateListStateMachines({ client: createSfnClient(config) }, {}),
      (page) => page.stateMachines,
    );
    expect(machines.filter((m) => old(m.name))).toEqual([]);
    const lambda = createLambdaClient(config);
    const functions = await allPages(paginateListFunctions({ client: lambda }, {}), (page) => page.Functions);
    expect(functions.filter((f) => old(f.FunctionName))).toEqual([]);

    await sm.send(new DescribeModelCommand({ ModelName: `scones-${STAGE}-foreign-model` }));
    await iam.send(new GetRoleCommand({ RoleName: `scones-${STAGE}-foreign-role` }));
    await iam.send(new GetRoleCommand({ RoleName: 'lambda-exec' }));
    await expect(
      lambda.send(new GetFunctionCommand({ FunctionName: numbered('fn')[119] })),
    ).rejects.toThrow();

    const again = await teardown({ config, region: REGION, stage: STAGE });
    expect(again.deleted).toEqual([]);
    expect(again.stopped).toEqual([]);
    await iam.send(new DeleteRoleCommand({ RoleName: `scones-${STAGE}-foreign-role` }));
  }, 600_000);
});

describe('the training-job attempt choice', () => {
  const stage = 'attempts';

  it('sees attempts beyond the first page: no name reused, a completed attempt on page two reused', async () => {
    const attemptsTarget = await resolveTarget({ config, region: REGION, stage });
    const options = resolvePromoteOptions({
      config,
      region: REGION,
      stage,
      pollIntervalMs: 5,
      smokeTest: false,
    });
    const ctx = stepContext(options, attemptsTarget, false, () => {});
    const base = ctx.names.trainingJobBase;
    const sm = createSageMakerClient(config);
    // 120 attempts of the same settings that are not the kit's (no tags): each name is taken.
    const taken = [base, ...Array.from({ length: COUNT - 1 }, (_, i) => `${base}-${i + 2}`)];
    await eachOf(taken, (name) => sm.send(new CreateTrainingJobCommand(trainingJob(name))));

    const fresh = await ensureTrainingJob(ctx, ROLE_ARN, 900);
    expect(fresh.action.change).toBe('create');
    expect(fresh.jobName).toBe(`${base}-${COUNT + 1}`);

    // moto completes a job at once: a completed attempt of the kit's, listed after 120 others.
    await sm.send(new CreateTrainingJobCommand(trainingJob(`${base}-${COUNT + 1}`, tagList(stage))));
    const reused = await ensureTrainingJob(ctx, ROLE_ARN, 900);
    expect(reused.action).toMatchObject({ change: 'none', name: `${base}-${COUNT + 1}` });
  }, 300_000);
});
