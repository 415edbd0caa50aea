/**
 * Promote and teardown against moto server (SageMaker, S3, IAM, Lambda, Step Functions, STS and the
 * tagging API as one host process): the plan of a fresh account, the resources and their
 * configuration after a promotion, a re-promotion that changes nothing, a switch to serverless,
 * the tuning job, and teardowns that remove everything and then find nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import {
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  ListTrainingJobsCommand,
} from '@aws-sdk/client-sagemaker';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIamClient,
  createLambdaClient,
  createS3Client,
  createSageMakerClient,
  createSfnClient,
} from '../../src/aws/clients.ts';
import type { KitConfig } from '../../src/config.ts';
import { type BundleInfo, resourceNames } from '../../src/deploy/index.ts';
import { stepContext } from '../../src/promote/context.ts';
import {
  type PromoteOptions,
  type PromotionResult,
  planPromotion,
  promote,
  renderPlan,
  renderTeardown,
  teardown,
} from '../../src/promote/index.ts';
import { resolvePromoteOptions } from '../../src/promote/options.ts';
import { TRAIN_MANIFEST_KEY } from '../../src/promote/specs.ts';
import { resolveTarget } from '../../src/promote/target.ts';
import { BestTrainingJobError, ensureTuningJob } from '../../src/promote/training/training.ts';
import { UNSCOPABLE_ACTIONS } from '../../src/promote/workflow/sagemaker-role.ts';
import { renderDefinition, substitutionsFor } from '../../src/workflow/definition.ts';
import { eventResourceNames, retrainingNames } from '../../src/workflow/names.ts';
import { type MotoHarness, startMotoHarness } from './support/moto-harness.ts';

const SMOKE_SKIP_REASON =
  'moto completes training jobs at once but fails on binary InvokeEndpoint bodies (and does not run Lambda tasks of a state machine): no smoke execution against it';
const STAGE = 'motot';
const REGION = 'us-east-1';

let harness: MotoHarness;
let config: KitConfig;
let bundles: BundleInfo[];

function options(extra: Partial<PromoteOptions> = {}): PromoteOptions {
  return {
    config,
    region: REGION,
    stage: STAGE,
    pollIntervalMs: 5,
    smokeTest: false,
    smokeSkipReason: SMOKE_SKIP_REASON,
    bundles,
    ...extra,
  };
}

function summary(result: { actions: { change: string; resourceType: string; name: string }[] }) {
  return result.actions.map((item) => `${item.change} ${item.resourceType} ${item.name}`);
}

beforeAll(async () => {
  harness = await startMotoHarness();
  ({ config, bundles } = harness);
}, 600_000);

afterAll(async () => {
  await harness?.stop();
});

describe('promote against moto', () => {
  const account = '123456789012';
  const bucket = `scones-${STAGE}-${account}-${REGION}`;
  let promoted: PromotionResult;

  it('plans every resource as create on a fresh account, in order, with a cost estimate', async () => {
    const plan = await planPromotion(options());
    const names = plan.names;
    const fns = resourceNames(STAGE);
    const events = eventResourceNames(STAGE);
    const retraining = retrainingNames(STAGE);
    expect(plan.target).toMatchObject({ accountId: account, region: REGION, stage: STAGE, bucket });
    expect(summary(plan)).toEqual([
      `create s3 bucket ${bucket}`,
      `run s3 objects s3://${bucket}/datasets/cifar-100/`,
      `create iam role scones-${STAGE}-sagemaker-role`,
      `create sagemaker training job ${names.trainingJobBase}`,
      `create sagemaker model ${names.model}`,
      `create sagemaker endpoint config ${names.endpointConfig}`,
      `create sagemaker endpoint scones-${STAGE}-image-classification`,
      `create iam role ${fns.functionRoles.serialize}`,
      `create lambda function ${fns.functions.serialize}`,
      `create iam role ${fns.functionRoles.classify}`,
      `create lambda function ${fns.functions.classify}`,
      `create iam role ${fns.functionRoles.filter}`,
      `create lambda function ${fns.functions.filter}`,
      `create iam role ${fns.stateMachineRole}`,
      `create step functions state machine ${fns.stateMachine}`,
      `create iam role ${fns.intakeStateMachineRole}`,
      `create step functions state machine ${fns.intakeStateMachine}`,
      `create iam role ${fns.batchFunctionRole}`,
      `create lambda function ${fns.batchFunction}`,
      `create iam role ${fns.batchStateMachineRole}`,
      `create step functions state machine ${fns.batchStateMachine}`,
      `create iam role ${retraining.functions.build}-role`,
      `create lambda function ${retraining.functions.build}`,
      `create iam role ${retraining.functions.evaluate}-role`,
      `create lambda function ${retraining.functions.evaluate}`,
      `create iam role ${retraining.stateMachineRole}`,
      `create step functions state machine ${retraining.stateMachine}`,
      `create sns topic ${events.notificationTopic}`,
      `create iam role ${events.eventsRole}`,
      `create eventbridge rule ${events.rule('execution-failed')}`,
      `create eventbridge rule ${events.rule('image-uploaded')}`,
      `create eventbridge rule ${events.rule('retrain-on-drift-alarm')}`,
      `create eventbridge rule ${events.rule('retrain-on-reviewed-labels')}`,
      `create s3 bucket notifications ${bucket}`,
      `create cloudwatch alarm ${events.alarms.lowConfidenceShare}`,
      `create cloudwatch alarm ${events.alarms.classificationFailures}`,
      `create cloudwatch alarm ${events.alarms.intakeFailures}`,
      `create cloudwatch alarm ${retraining.rolloutAlarm}`,
      `create cloudwatch alarm ${retraining.reviewedLabelsAlarm}`,
      'skip step functions execution smoke execution',
    ]);
    expect(plan.settings.hyperParameters.num_training_samples).toBe('from the staged manifest');
    expect(plan.cost.oneOffUsd).toBeGreaterThan(0);
    expect(plan.cost.endpointPerHourUsd).toBeGreaterThan(0);
    // The event-driven part's cost: free EventBridge routing, intake transitions, SNS, alarms, metrics.
    expect(plan.cost.lines.map((line) => `${line.item}: ${line.period}`)).toEqual(
      expect.arrayContaining([
        'EventBridge (4 rules) + intake: per 1,000 requests',
        'failure notifications (SNS): per 1,000 failures',
        'CloudWatch alarms (5): per month',
        'retraining (state machine, on demand): per retraining',
        'CloudWatch custom metrics (Lambda EMF): per month',
      ]),
    );
    const text = renderPlan(plan);
    expect(text).toContain(`account ${account}`);
    expect(text).toContain(`region  ${REGION}`);
    // Planning changed nothing.
    await expect(createS3Client(config).send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toThrow();
  }, 120_000);

  it('promotes: training job, model, endpoint with data capture, scoped roles, the ASL and the Lambdas', async () => {
    promoted = await promote(options(), { yes: true, onProgress: () => {} });
    expect(promoted.applied).toBe(true);
    expect(summary(promoted).filter((line) => line.startsWith('none'))).toEqual([]);
    expect(promoted.smoke?.action).toMatchObject({ change: 'skip', detail: SMOKE_SKIP_REASON });

    const sagemaker = createSageMakerClient(config);
    const { names } = promoted.plan;
    // num_training_samples is read from the staged manifest: count its lines independently.
    const manifest = await createS3Client(config).send(
      new GetObjectCommand({ Bucket: bucket, Key: TRAIN_MANIFEST_KEY }),
    );
    const manifestLines = ((await manifest.Body?.transformToString()) ?? '').trim().split('\n').length;
    expect(manifestLines).toBeGreaterThan(100);

    const job = await sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: names.trainingJobBase }),
    );
    expect(job.AlgorithmSpecification?.TrainingImage).toBe(
      '811284229777.dkr.ecr.us-east-1.amazonaws.com/image-classification:1',
    );
    expect(job.HyperParameters).toEqual({
      image_shape: '3,32,32',
      num_classes: '2',
      num_training_samples: String(manifestLines),
      epochs: '30',
      learning_rate: '0.01',
      mini_batch_size: '32',
      use_pretrained_model: '0',
      augmentation_type: 'crop',
    });
    expect(
      job.InputDataConfig?.map((c) => [
        c.ChannelName,
        c.ContentType,
        c.DataSource?.S3DataSource?.S3DataType,
        c.DataSource?.S3DataSource?.S3Uri,
      ]),
    ).toEqual(
      ['train', 'validation', 'train_lst', 'validation_lst'].map((name) => [
        name,
        'application/x-image',
        'S3Prefix',
        `s3://${bucket}/datasets/cifar-100/${name}/`,
      ]),
    );
    expect(job.ResourceConfig?.InstanceType).toBe('ml.g4dn.xlarge');
    expect(job.RoleArn).toBe(`arn:aws:iam::${account}:role/scones-${STAGE}-sagemaker-role`);

    const model = await sagemaker.send(new DescribeModelCommand({ ModelName: names.model }));
    expect(model.PrimaryContainer?.ModelDataUrl).toBe(job.ModelArtifacts?.S3ModelArtifacts);
    expect(model.PrimaryContainer?.Image).toBe(job.AlgorithmSpecification?.TrainingImage);

    const endpointConfig = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: names.endpointConfig }),
    );
    expect(endpointConfig.DataCaptureConfig).toMatchObject({
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      DestinationS3Uri: `s3://${bucket}/data_capture`,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    });
    expect(endpointConfig.ProductionVariants?.[0]).toMatchObject({
      ModelName: names.model,
      InstanceType: 'ml.m5.large',
    });
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: names.endpoint }));
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: names.endpointConfig });

    // Every statement of every role the kit made is held to ARNs, except the few IAM has no ARN for.
    const iam = createIamClient(config);
    const fns = resourceNames(STAGE);
    const roles = [
      ...Object.values(fns.functionRoles),
      fns.stateMachineRole,
      fns.intakeStateMachineRole,
      eventResourceNames(STAGE).eventsRole,
      `scones-${STAGE}-sagemaker-role`,
    ];
    for (const role of roles) {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: role }));
      expect(Role?.Tags).toEqual(expect.arrayContaining([{ Key: 'scones:stage', Value: STAGE }]));
      const policyName = role.endsWith('sagemaker-role')
        ? `scones-${STAGE}-least-privilege`
        : fns.inlinePolicy;
      const { PolicyDocument } = await iam.send(
        new GetRolePolicyCommand({ RoleName: role, PolicyName: policyName }),
      );
      const document = JSON.parse(decodeURIComponent(PolicyDocument ?? '{}')) as {
        Statement: { Action: string | string[]; Resource: string | string[] }[];
      };
      for (const statement of document.Statement) {
        const resources = [statement.Resource].flat();
        if (resources.includes('*')) {
          expect(
            [statement.Action].flat().every((a) => (UNSCOPABLE_ACTIONS as readonly string[]).includes(a)),
          ).toBe(true);
        } else {
          for (const resource of resources)
            expect(resource).toMatch(new RegExp(`${bucket}|:${account}:|:${STAGE}|image-classification`));
        }
      }
    }
    const classifyPolicy = await iam.send(
      new GetRolePolicyCommand({ RoleName: fns.functionRoles.classify, PolicyName: fns.inlinePolicy }),
    );
    expect(decodeURIComponent(classifyPolicy.PolicyDocument ?? '')).toContain(
      `arn:aws:sagemaker:${REGION}:${account}:endpoint/scones-${STAGE}-image-classification`,
    );

    // The state machine runs the one ASL file with this stage's substitutions.
    const lambda = createLambdaClient(config);
    const functionArns = {} as Record<keyof typeof fns.functions, string>;
    for (const [key, name] of Object.entries(fns.functions) as [keyof typeof fns.functions, string][]) {
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      functionArns[key] = fn.Configuration?.FunctionArn ?? '';
      expect(fn.Configuration?.Environment?.Variables).toMatchObject({
        SCONES_TARGET: 'aws',
        SCONES_STAGE: STAGE,
        SCONES_BUCKET: bucket,
        ENDPOINT_NAME: `scones-${STAGE}-image-classification`,
        THRESHOLD: '0.8',
        REVIEW_PREFIX: 'review/',
      });
    }
    const machine = await createSfnClient(config).send(
      new DescribeStateMachineCommand({ stateMachineArn: promoted.stateMachineArn ?? '' }),
    );
    const expected = renderDefinition(
      substitutionsFor({ functionArns, reviewBucket: bucket, reviewPrefix: 'review/' }),
    );
    expect(JSON.parse(machine.definition ?? '{}')).toEqual(JSON.parse(expected));

    expect(promoted.links.map((link) => link.url).join('\n')).toContain(
      `#/endpoints/scones-${STAGE}-image-classification`,
    );
  }, 240_000);

  it.skip(`smoke execution on a staged test image (${SMOKE_SKIP_REASON})`, () => {});

  it('re-promotes without changing anything', async () => {
    const again = await promote(options(), { yes: true, onProgress: () => {} });
    expect(again.plan.hasChanges).toBe(false);
    expect(again.actions.filter((item) => ['create', 'update', 'wait'].includes(item.change))).toEqual([]);
    expect(again.actions.find((item) => item.step === 'stage-data')?.detail).toMatch(/^0 uploaded/);
    const { TrainingJobSummaries = [] } = await createSageMakerClient(config).send(
      new ListTrainingJobsCommand({ NameContains: `scones-${STAGE}-` }),
    );
    expect(TrainingJobSummaries).toHaveLength(1);
  }, 240_000);

  it('resumes after an interruption: a missing endpoint is the only thing made again', async () => {
    const sagemaker = createSageMakerClient(config);
    const endpointName = `scones-${STAGE}-image-classification`;
    await sagemaker.send(new DeleteEndpointCommand({ EndpointName: endpointName }));
    const plan = await planPromotion(options());
    expect(
      plan.actions
        .filter((item) => ['create', 'update', 'wait'].includes(item.change))
        .map((item) => `${item.change} ${item.name}`),
    ).toEqual([`create ${endpointName}`]);
    expect(plan.settings.hyperParameters.num_training_samples).toMatch(/^\d+$/);
    const resumed = await promote(options(), { yes: true, onProgress: () => {} });
    expect(resumed.actions.filter((item) => item.change === 'create').map((item) => item.name)).toEqual([
      endpointName,
    ]);
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
    expect(endpoint).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: plan.names.endpointConfig,
    });
  }, 240_000);

  it('switches the endpoint to serverless: new endpoint config without data capture, endpoint replaced, no new training', async () => {
    const serverless = options({ serverless: true, serverlessMemoryMb: 2048, serverlessMaxConcurrency: 3 });
    const plan = await planPromotion(serverless);
    const changing = plan.actions.filter((item) => ['create', 'update', 'wait'].includes(item.change));
    expect(changing.map((item) => `${item.change} ${item.resourceType}`)).toEqual([
      'create sagemaker endpoint config',
      'update sagemaker endpoint',
    ]);
    // SageMaker cannot update a real-time endpoint to serverless in place.
    expect(changing[1]?.detail).toMatch(/real-time -> serverless.*delete and create/);
    expect(plan.cost.endpointPerHourUsd).toBe(0);
    expect(plan.settings.dataCapture).toBeUndefined();

    await promote(serverless, { yes: true, onProgress: () => {} });
    const sagemaker = createSageMakerClient(config);
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: plan.names.endpoint }));
    expect(endpoint).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: plan.names.endpointConfig,
    });
    const endpointConfig = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: plan.names.endpointConfig }),
    );
    expect(endpointConfig.ProductionVariants?.[0]?.ServerlessConfig).toEqual({
      MemorySizeInMB: 2048,
      MaxConcurrency: 3,
    });
    expect(endpointConfig.DataCaptureConfig?.EnableCapture).toBeUndefined();
    expect((await planPromotion(serverless)).hasChanges).toBe(false);
  }, 240_000);

  it.skip('applies a same-kind endpoint change with UpdateEndpoint (moto 5.2.5 does not implement UpdateEndpoint: it answers 500)', () => {});

  it('promotes a serverless endpoint (another stage) and tears that stage down', async () => {
    const stage = 'motosl';
    const serverless = options({
      stage,
      serverless: true,
      serverlessMemoryMb: 3072,
      serverlessMaxConcurrency: 3,
    });
    const result = await promote(serverless, { yes: true, onProgress: () => {} });
    const sagemaker = createSageMakerClient(config);
    const endpoint = await sagemaker.send(
      new DescribeEndpointCommand({ EndpointName: result.plan.names.endpoint }),
    );
    expect(endpoint).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: result.plan.names.endpointConfig,
    });
    const endpointConfig = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: result.plan.names.endpointConfig }),
    );
    expect(endpointConfig.ProductionVariants?.[0]?.ServerlessConfig).toEqual({
      MemorySizeInMB: 3072,
      MaxConcurrency: 3,
    });
    expect(endpointConfig.ProductionVariants?.[0]?.InstanceType).toBeUndefined();
    expect(endpointConfig.DataCaptureConfig?.EnableCapture).toBeUndefined();

    const removed = await teardown(serverless);
    expect(removed.deleted[0]).toMatchObject({
      type: 'sagemaker endpoint',
      name: result.plan.names.endpoint,
    });
    expect(removed.deleted.map((item) => item.type)).toContain('s3 bucket');
    // The other stage is untouched.
    const other = await sagemaker.send(
      new DescribeEndpointCommand({ EndpointName: `scones-${STAGE}-image-classification` }),
    );
    expect(other.EndpointStatus).toBe('InService');
    expect((await teardown(serverless)).deleted).toEqual([]);
  }, 240_000);

  it('creates the tuning job with objective, ranges and limits (moto answers a placeholder best job: no model from it)', async () => {
    const resolved = resolvePromoteOptions(
      options({ tune: true, maxTuningJobs: 4, maxParallelTuningJobs: 2 }),
    );
    const target = await resolveTarget(options());
    const ctx = stepContext(resolved, target, true, () => {});
    await expect(
      ensureTuningJob(ctx, `arn:aws:iam::${account}:role/scones-${STAGE}-sagemaker-role`, 900),
    ).rejects.toThrow(BestTrainingJobError);
    const tuning = await ctx.sagemaker.send(
      new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: ctx.names.tuningJobBase }),
    );
    expect(tuning.HyperParameterTuningJobConfig).toMatchObject({
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:accuracy' },
      ResourceLimits: { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 },
    });
    expect(tuning.HyperParameterTuningJobConfig?.ParameterRanges?.ContinuousParameterRanges?.[0]?.Name).toBe(
      'learning_rate',
    );
    expect(tuning.TrainingJobDefinition?.StaticHyperParameters).toMatchObject({
      num_training_samples: '900',
      image_shape: '3,32,32',
    });
    expect(tuning.TrainingJobDefinition?.InputDataConfig?.map((c) => c.ChannelName)).toEqual([
      'train',
      'validation',
      'train_lst',
      'validation_lst',
    ]);
  }, 120_000);

  it('plans a teardown (--plan): lists what it would delete, deletes nothing', async () => {
    const planned = await teardown(options({ plan: true } as Partial<PromoteOptions>));
    expect(planned.planned).toBe(true);
    expect(planned.deleted[0]?.type).toBe('sagemaker endpoint');
    expect(planned.deleted.map((item) => item.type)).toContain('s3 bucket');
    expect(renderTeardown(planned)).toMatch(
      /^Teardown plan of stage "motot"[\s\S]*would delete +sagemaker endpoint/,
    );
    const endpoint = await createSageMakerClient(config).send(
      new DescribeEndpointCommand({ EndpointName: `scones-${STAGE}-image-classification` }),
    );
    expect(endpoint.EndpointStatus).toBe('InService');
  }, 120_000);

  it('tears down with --keep-data: endpoint first, everything but the bucket; then nothing is left to find', async () => {
    const report = await teardown(options({ keepData: true } as Partial<PromoteOptions>));
    expect(report.deleted[0]?.type).toBe('sagemaker endpoint');
    const deletedTypes = new Set(report.deleted.map((item) => item.type));
    for (const type of [
      'sagemaker endpoint config',
      'sagemaker model',
      'step functions state machine',
      'lambda function',
      'iam role',
      'eventbridge rule',
      'sns topic',
      's3 bucket notifications',
      'cloudwatch alarm',
    ]) {
      expect(deletedTypes).toContain(type);
    }
    expect(report.deleted.filter((item) => item.type === 'sagemaker endpoint config')).toHaveLength(2);
    // 3 Lambdas, the two state machines, SageMaker's and EventBridge's; the batch's function and state
    // machine; the retraining's two functions and state machine.
    expect(report.deleted.filter((item) => item.type === 'iam role')).toHaveLength(12);
    expect(report.deleted.filter((item) => item.type === 'cloudwatch alarm')).toHaveLength(5);
    expect(report.kept.map((item) => item.type)).toEqual(
      expect.arrayContaining(['s3 bucket', 'sagemaker training job', 'sagemaker tuning job']),
    );

    const sagemaker = createSageMakerClient(config);
    await expect(
      sagemaker.send(new DescribeEndpointCommand({ EndpointName: `scones-${STAGE}-image-classification` })),
    ).rejects.toThrow();
    // Filtered here too: moto's ListModels ignores NameContains.
    const ofStage = (name: string | undefined) => name?.startsWith(`scones-${STAGE}-`);
    const configsLeft = (await sagemaker.send(new ListEndpointConfigsCommand({}))).EndpointConfigs ?? [];
    expect(configsLeft.filter((c) => ofStage(c.EndpointConfigName))).toEqual([]);
    const modelsLeft = (await sagemaker.send(new ListModelsCommand({}))).Models ?? [];
    expect(modelsLeft.filter((m) => ofStage(m.ModelName))).toEqual([]);
    await expect(
      createLambdaClient(config).send(
        new GetFunctionCommand({ FunctionName: resourceNames(STAGE).functions.classify }),
      ),
    ).rejects.toThrow();
    await expect(
      createIamClient(config).send(new GetRoleCommand({ RoleName: `scones-${STAGE}-sagemaker-role` })),
    ).rejects.toThrow();
    await createS3Client(config).send(new HeadBucketCommand({ Bucket: bucket }));

    const second = await teardown(options({ keepData: true } as Partial<PromoteOptions>));
    expect(second.deleted).toEqual([]);
    expect(renderTeardown(second)).toMatch(/^Nothing to tear down for stage "motot"/);
  }, 120_000);

  it('tears down the kept bucket without --keep-data, and a further teardown finds nothing', async () => {
    const report = await teardown(options());
    expect(report.deleted.map((item) => `${item.type} ${item.name}`)).toEqual([`s3 bucket ${bucket}`]);
    await expect(createS3Client(config).send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toThrow();
    const again = await teardown(options());
    expect(again.deleted).toEqual([]);
    expect(again.stopped).toEqual([]);
    expect(renderTeardown(again)).toContain('no resource of the kit found');
  }, 120_000);

  it('takes region and credentials from a named profile (--profile) and prints the account from STS', async () => {
    const saved = { ...process.env };
    const dir = await mkdtemp(join(tmpdir(), 'scones-aws-profile-'));
    try {
      await writeFile(join(dir, 'config'), '[profile scones-test]\nregion = eu-west-3\n');
      await writeFile(
        join(dir, 'credentials'),
        '[scones-test]\naws_access_key_id = from-profile\naws_secret_access_key = from-profile\n',
      );
      for (const key of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
        delete process.env[key];
      process.env.AWS_CONFIG_FILE = join(dir, 'config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
      const target = await resolveTarget({ profile: 'scones-test', stage: STAGE, config });
      expect(target).toMatchObject({
        region: 'eu-west-3',
        accountId: account,
        bucket: `scones-${STAGE}-${account}-eu-west-3`,
      });
    } finally {
      process.env = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
