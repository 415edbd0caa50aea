/**
 * `scones promote --via cloudformation` on the shared MiniStack (CloudFormation, S3, IAM, Lambda,
 * Step Functions) with SageMaker's API on the shared moto (training jobs complete at once there)
 * and the stub endpoint behind the stack's Lambdas. MiniStack's CloudFormation has no SageMaker
 * types, so hosting takes promote's own steps here (`hosting: 'sdk'`); the second change set that
 * adds the endpoint on AWS is the template's (test/template/template.test.ts).
 *
 * Checked through the services' APIs: settings the template cannot express are refused before
 * anything exists; a plan creates nothing; the promotion stages into the stack's bucket, trains as
 * the stack's SageMaker role, hosts the job's model and ends with a smoke execution that decided;
 * a second promotion changes nothing; the stack's teardown removes it.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeModelCommand, DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, createSageMakerClient } from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import type { BundleInfo } from '../../src/deploy/index.ts';
import {
  createStubPredictor,
  type EndpointServer,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';
import {
  PromoteOptionsError,
  promoteViaStack,
  type StackPromoteOptions,
  type StackPromotionResult,
} from '../../src/promote/index.ts';
import { deleteStack } from '../../src/template/index.ts';
import { resourceNames } from '../../src/workflow/names.ts';
import {
  isolatedStage,
  type SharedServer,
  sharedBundles,
  sharedServer,
} from '../support/shared-emulators/client.ts';

const STAGE = 'cfnpromo';
const REGION = 'us-east-1';
/** promote's bucket name for the stage (MiniStack's account), which the template gives the stack's. */
const STACK_BUCKET = `scones-${STAGE}-000000000000-${REGION}`;

describe('promote --via cloudformation (MiniStack stack, moto SageMaker)', () => {
  let ministack: SharedServer;
  let moto: SharedServer;
  let endpoint: EndpointServer;
  let bundles: BundleInfo[];
  let config: KitConfig;
  let first: StackPromotionResult;
  const quiet = { onProgress: () => {} };

  const options = (extra: Partial<StackPromoteOptions> = {}): StackPromoteOptions => ({
    config,
    region: REGION,
    stage: STAGE,
    pollIntervalMs: 5,
    bundles,
    lambdaEndpoints: { s3: ministack.url, sagemakerRuntime: endpoint.url },
    parameters: { Threshold: '0.7' },
    ...extra,
  });
  const stackConfig = (): KitConfig => ({ ...config, bucket: STACK_BUCKET });
  const functionExists = async () => {
    const { GetFunctionCommand } = await import('@aws-sdk/client-lambda');
    const { createLambdaClient } = await import('../../src/aws/clients.ts');
    return createLambdaClient(config)
      .send(new GetFunctionCommand({ FunctionName: resourceNames(STAGE).functions.classify }))
      .then(
        () => true,
        (error: Error) => (error.name === 'ResourceNotFoundException' ? false : Promise.reject(error)),
      );
  };

  beforeAll(async () => {
    [ministack, moto, bundles, endpoint] = await Promise.all([
      sharedServer('ministack'),
      sharedServer('moto'),
      sharedBundles(),
      // Serving promote's endpoint name for the stage, which the template gives the classify Lambda.
      startEndpointServer({
        predictor: createStubPredictor(),
        endpointName: `scones-${STAGE}-image-classification`,
      }),
    ]);
    config = loadConfig({
      SCONES_TARGET: 'emulator',
      ...isolatedStage(STAGE),
      ...ministack.environment(),
      AWS_ENDPOINT_URL_SAGEMAKER: moto.url,
    });
  }, 300_000);

  afterAll(async () => {
    if (config) await deleteStack({ config: stackConfig(), log: () => {} }).catch(() => {});
    await endpoint?.stop();
  });

  it('refuses what the template cannot express, before anything exists', async () => {
    const refused = promoteViaStack(options({ serverless: true, captureSamplingPercentage: 50 }), {
      yes: true,
      ...quiet,
    });
    await expect(refused).rejects.toThrow(PromoteOptionsError);
    await expect(refused).rejects.toThrow(
      /Nothing was created: .*serverless true: the template's endpoint config is a real-time instance.*captureSamplingPercentage 50.*--via sdk/,
    );
    expect(await functionExists()).toBe(false);
  });

  it('plans: the first change set and the runs; nothing is created', async () => {
    const planned = await promoteViaStack(options(), { plan: true, ...quiet });
    expect(planned.applied).toBe(false);
    expect(
      planned.plan.some((line) => /Add\s+ClassifyImageFunction\s+AWS::Lambda::Function/.test(line)),
    ).toBe(true);
    expect(planned.plan).toContain(
      "  then ModelDataUrl = the training job's model: a second change set adds InitialModel, InitialEndpointConfig, Endpoint",
    );
    expect(await functionExists()).toBe(false);
  }, 60_000);

  it('promotes: staged into the stack bucket, trained as its role, hosted, and a smoke execution decides', async () => {
    first = await promoteViaStack(options(), { yes: true, ...quiet });
    expect(first).toMatchObject({ applied: true, hosting: 'sdk' });
    const { outputs } = first;
    expect(outputs.BucketName).toBe(STACK_BUCKET);

    const staged = await createS3Client(config).send(
      new ListObjectsV2Command({ Bucket: outputs.BucketName, Prefix: 'datasets/', MaxKeys: 5 }),
    );
    expect(staged.KeyCount).toBeGreaterThan(0);

    const sagemaker = createSageMakerClient(config);
    const trainingAction = first.actions.find((item) => item.resourceType === 'sagemaker training job');
    expect(trainingAction?.change).toBe('create');
    const job = await sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: trainingAction?.name }),
    );
    expect(job.RoleArn).toBe(outputs.SageMakerRoleArn);
    expect(job.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3Uri).toContain(
      `s3://${outputs.BucketName}/`,
    );
    const modelAction = first.actions.find((item) => item.resourceType === 'sagemaker model');
    const model = await sagemaker.send(new DescribeModelCommand({ ModelName: modelAction?.name }));
    expect(model.PrimaryContainer?.ModelDataUrl).toBe(first.modelDataUrl);

    expect(first.smoke?.status).toBe('SUCCEEDED');
    expect(first.smoke?.result).toHaveProperty('decision');
  }, 180_000);

  it('changes nothing when promoted again', async () => {
    const again = await promoteViaStack(options(), { yes: true, ...quiet });
    expect(again.plan.some((line) => line.includes('nothing to change'))).toBe(true);
    expect(again.actions.filter((item) => item.change === 'create' || item.change === 'update')).toEqual([]);
    expect(again.smoke?.status).toBe('SUCCEEDED');
  }, 180_000);

  it('is removed by the stack teardown', async () => {
    const removed = await deleteStack({ config: stackConfig(), log: () => {} });
    expect(removed.deletedStack).toBe(true);
    expect(await functionExists()).toBe(false);
  }, 120_000);
});
