/**
 * A blue/green canary on the stack's SageMaker rolled back by an alarm of the stack's own CloudWatch,
 * all through the AWS SDK: the alarm named in AutoRollbackConfiguration goes to ALARM while the
 * canary bakes (SetAlarmState, as the CloudWatch docs suggest for testing an alarm's actions), the
 * endpoint rolls back to the old config, says which alarm did it, and every request is answered,
 * the new variant answering no more than about the canary's share. The endpoint's `AWS/SageMaker`
 * metrics count the answers of each variant.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../../src/embedded/runtime.ts';
import { imageClassificationUri } from '../../../src/embedded/sagemaker/index.ts';
import {
  createConfig,
  invokeWith,
  stackClientOptions,
  stageModel,
  steadyTraffic,
} from './gateway-support.ts';

const ALARM = 'scones-canary-5xx';
let dir: string;
let runtime: EmbeddedRuntime;
let sagemaker: SageMakerClient;
let cloudwatch: CloudWatchClient;
let invoker: SageMakerRuntimeClient;
let invoke: ReturnType<typeof invokeWith>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sagemaker-rollback-'));
  runtime = await startEmbeddedRuntime({ dataDir: dir, stepFunctionsApi: true, port: 0, s3Thread: false });
  const options = stackClientOptions(runtime.localS3.endpoint);
  sagemaker = new SageMakerClient(options);
  cloudwatch = new CloudWatchClient(options);
  invoker = new SageMakerRuntimeClient(options);
  const png = await sharp({
    create: { width: 32, height: 32, channels: 3, background: { r: 20, g: 90, b: 160 } },
  })
    .png()
    .toBuffer();
  invoke = invokeWith(invoker, png);
  const image = imageClassificationUri('us-east-1') as string;
  for (const [name, filters] of [
    ['blue-model', [4]],
    ['green-model', [2]],
  ] as const) {
    const uri = await stageModel(runtime, `models/${name}/model.tar.gz`, [...filters]);
    await sagemaker.send(
      new CreateModelCommand({ ModelName: name, PrimaryContainer: { Image: image, ModelDataUrl: uri } }),
    );
  }
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'Scones/Canary',
      MetricName: 'Invocation5XXErrors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const client of [sagemaker, cloudwatch, invoker]) client?.destroy();
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('blue/green with auto-rollback on the local CloudWatch', () => {
  it('rolls a canary back when its alarm goes to ALARM: old config serving, the alarm named, nothing lost', async () => {
    const bucket = runtime.config.bucket;
    await createConfig(sagemaker, bucket, 'blue', [{ name: 'Blue', model: 'blue-model', weight: 1 }]);
    await createConfig(sagemaker, bucket, 'green', [{ name: 'Green', model: 'green-model', weight: 1 }]);
    await sagemaker.send(new CreateEndpointCommand({ EndpointName: 'rollout', EndpointConfigName: 'blue' }));
    await waitUntilEndpointInService(
      { client: sagemaker, maxWaitTime: 30, minDelay: 1 },
      { EndpointName: 'rollout' },
    );

    const traffic = steadyTraffic(() => invoke('rollout'));
    const { answers } = traffic;
    await sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: 'rollout',
        EndpointConfigName: 'green',
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: {
              Type: 'CANARY',
              WaitIntervalInSeconds: 30,
              CanarySize: { Type: 'CAPACITY_PERCENT', Value: 20 },
            },
            TerminationWaitInSeconds: 0,
          },
          AutoRollbackConfiguration: { Alarms: [{ AlarmName: ALARM }] },
        },
      }),
    );
    // The canary bakes; then its alarm fires.
    await expect
      .poll(
        async () => {
          const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'rollout' }));
          return described.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0]?.Status;
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBe('Baking');
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'canary answers 5xx' }),
    );
    await expect
      .poll(
        async () => {
          const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'rollout' }));
          return [described.EndpointStatus, described.EndpointConfigName];
        },
        { timeout: 10_000, interval: 50 },
      )
      .toEqual(['InService', 'blue']);
    await traffic.stop();

    const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'rollout' }));
    expect(described.FailureReason).toContain(ALARM);
    expect(described.PendingDeploymentSummary).toBeUndefined();
    expect((await invoke('rollout')).InvokedProductionVariant).toBe('Blue');
    expect(traffic.failures).toBe(0);
    const total = (answers.Blue ?? 0) + (answers.Green ?? 0);
    expect(total).toBeGreaterThan(20);
    expect(answers.Green ?? 0).toBeLessThanOrEqual(Math.ceil(total * 0.2 + total * 0.1));

    // The endpoint's own metrics, as SageMaker publishes them: every answer counted per variant.
    const invocations = async (variant: string) => {
      const { Datapoints } = await cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/SageMaker',
          MetricName: 'Invocations',
          Dimensions: [
            { Name: 'EndpointName', Value: 'rollout' },
            { Name: 'VariantName', Value: variant },
          ],
          StartTime: new Date(Date.now() - 10 * 60_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 3600,
          Statistics: ['Sum'],
        }),
      );
      return (Datapoints ?? []).reduce((sum, point) => sum + (point.Sum ?? 0), 0);
    };
    await expect
      .poll(async () => [await invocations('Blue'), await invocations('Green')], {
        timeout: 5_000,
        interval: 200,
      })
      .toEqual([(answers.Blue ?? 0) + 1, answers.Green ?? 0]);
  });
});
