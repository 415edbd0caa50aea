/**
 * `scones up` as the local SageMaker, through the AWS SDK for JavaScript's clients configured only
 * by the export lines it prints first (every service it serves): a training job of the built-in
 * image-classification algorithm on a few hundred staged CIFAR images, two epochs, to Completed;
 * its lines in CloudWatch Logs (`/aws/sagemaker/TrainingJobs`); a model, an endpoint config with
 * data capture, an endpoint to InService; InvokeEndpoint through the SageMaker runtime answering
 * the trained model's probabilities and its variant; the captured record in S3; STS's account.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  waitUntilTrainingJobCompletedOrStopped,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageClassificationUri } from '../../src/embedded/sagemaker/index.ts';
import { stageDataset } from '../../training/stage.ts';
import { bikePng, spawnUp, type UpProcess } from './support.ts';

const BUCKET = 'scones-images';
const PREFIX = 'datasets/cifar-100';
const ROLE = 'arn:aws:iam::000000000000:role/SageMakerRole';
const SERVICES = ['S3', 'SFN', 'SAGEMAKER', 'SAGEMAKER_RUNTIME', 'CLOUDWATCH_LOGS', 'STS'];

let dir: string;
let up: UpProcess;
let env: Record<string, string>;
const clients: { destroy(): void }[] = [];
let s3: S3Client;
let sagemaker: SageMakerClient;

function options(service: string) {
  return {
    endpoint: env[`AWS_ENDPOINT_URL_${service}`],
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
    maxAttempts: 1,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scones-up-sagemaker-'));
  up = spawnUp(['--stub', '--port', '0', '--data-dir', path.join(dir, 'data')], dir);
  await up.lineWith('export AWS_DEFAULT_REGION=');
  env = up.exports();
  s3 = new S3Client({ ...options('S3'), forcePathStyle: true });
  sagemaker = new SageMakerClient(options('SAGEMAKER'));
  clients.push(s3, sagemaker);
  await stageDataset({ s3Client: s3, bucket: BUCKET, prefix: PREFIX, progress: false });
  const staged = await s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/train_lst/train.lst` }),
  );
  const lines = ((await staged.Body?.transformToString()) ?? '').trim().split('\n');
  // 150 of each class: the staged manifest lists them class by class.
  const subset = [0, 1].flatMap((label) =>
    lines.filter((l) => l.split('\t')[1] === String(label)).slice(0, 150),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'subset/train_lst/train.lst',
      Body: `${subset.join('\n')}\n`,
    }),
  );
}, 120_000);
afterAll(async () => {
  for (const client of clients) client.destroy();
  if (up && up.child.exitCode === null) {
    up.child.kill('SIGINT');
    await up.exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('scones up as the local SageMaker (sagemaker sdk for JavaScript)', { timeout: 240_000 }, () => {
  it('prints the export lines first, one per service it serves', () => {
    const firstOther = up.stdout.findIndex((line) => !line.startsWith('export '));
    expect(up.stdout[0]).toMatch(/^export /);
    expect(
      firstOther === -1 ? [] : up.stdout.slice(firstOther).filter((l) => l.startsWith('export ')),
    ).toEqual([]);
    for (const service of SERVICES)
      expect(env[`AWS_ENDPOINT_URL_${service}`], service).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('trains, logs, deploys with capture, serves the trained model, and STS answers', async () => {
    const image = imageClassificationUri(env.AWS_REGION as string) as string;
    const uris: Record<string, string> = {
      train: `s3://${BUCKET}/${PREFIX}/train/`,
      validation: `s3://${BUCKET}/${PREFIX}/validation/`,
      train_lst: `s3://${BUCKET}/subset/train_lst/`,
      validation_lst: `s3://${BUCKET}/${PREFIX}/validation_lst/`,
    };
    const started = Date.now();
    await sagemaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: 'up-job',
        AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' },
        RoleArn: ROLE,
        HyperParameters: {
          num_classes: '2',
          num_training_samples: '300',
          image_shape: '3,32,32',
          epochs: '2',
          mini_batch_size: '32',
          optimizer: 'adam',
          learning_rate: '0.004',
        },
        InputDataConfig: Object.entries(uris).map(([channel, uri]) => ({
          ChannelName: channel,
          ContentType: 'application/x-image',
          DataSource: {
            S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri, S3DataDistributionType: 'FullyReplicated' },
          },
        })),
        OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models/` },
        ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, VolumeSizeInGB: 10 },
        StoppingCondition: { MaxRuntimeInSeconds: 600 },
      }),
    );
    const waited = await waitUntilTrainingJobCompletedOrStopped(
      { client: sagemaker, maxWaitTime: 200, minDelay: 1, maxDelay: 2 },
      { TrainingJobName: 'up-job' },
    );
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'up-job' }));
    expect(job.FailureReason).toBeUndefined();
    expect(waited.state).toBe('SUCCESS');
    expect(job.TrainingJobStatus).toBe('Completed');
    console.log(
      `training job: ${((Date.now() - started) / 1000).toFixed(1)} s, metrics ${JSON.stringify(job.FinalMetricDataList?.map((m) => [m.MetricName, m.Value]))}`,
    );

    // CloudWatch Logs: the job's stream under SageMaker's group, with the algorithm's lines.
    const logs = await logsCall('FilterLogEvents', {
      logGroupName: '/aws/sagemaker/TrainingJobs',
      logStreamNamePrefix: 'up-job/algo-1-',
    });
    const messages = (logs.events as { message: string }[]).map((event) => event.message);
    expect(messages.filter((line) => /Epoch\[\d\] Validation-accuracy=/.test(line))).toHaveLength(2);

    await sagemaker.send(
      new CreateModelCommand({
        ModelName: 'up-model',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: image, ModelDataUrl: job.ModelArtifacts?.S3ModelArtifacts },
      }),
    );
    await sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'up-config',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'up-model',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
          },
        ],
        DataCaptureConfig: {
          EnableCapture: true,
          InitialSamplingPercentage: 100,
          DestinationS3Uri: `s3://${BUCKET}/data-capture`,
          CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        },
      }),
    );
    const asked = Date.now();
    await sagemaker.send(
      new CreateEndpointCommand({ EndpointName: 'up-endpoint', EndpointConfigName: 'up-config' }),
    );
    // Polled every 20 ms rather than by the SDK's waiter (1 s at least), to see the real time.
    await expect
      .poll(
        async () =>
          (await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'up-endpoint' }))).EndpointStatus,
        { timeout: 30_000, interval: 20 },
      )
      .toBe('InService');
    console.log(`CreateEndpoint to InService: ${Date.now() - asked} ms`);

    const runtime = new SageMakerRuntimeClient(options('SAGEMAKER_RUNTIME'));
    clients.push(runtime);
    const answer = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'up-endpoint',
        ContentType: 'image/png',
        Body: await bikePng(),
      }),
    );
    expect(answer.InvokedProductionVariant).toBe('AllTraffic');
    const probabilities = JSON.parse(Buffer.from(answer.Body ?? []).toString()) as number[];
    expect(probabilities).toHaveLength(2);
    expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 4);
    // Not the stub's answer: the stack was started with --stub, and the stub hashes the bytes.
    const stub = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'scones-image-classification',
        ContentType: 'image/png',
        Body: await bikePng(),
      }),
    );
    expect(JSON.parse(Buffer.from(stub.Body ?? []).toString())).not.toEqual(probabilities);

    await expect
      .poll(
        async () =>
          (
            await s3.send(
              new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'data-capture/up-endpoint/AllTraffic/' }),
            )
          ).KeyCount,
        { timeout: 10_000, interval: 200 },
      )
      .toBeGreaterThan(0);

    const sts = new STSClient(options('STS'));
    clients.push(sts);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('000000000000');
  });
});

/** CloudWatch Logs signed as its clients sign (the SDK's Logs client is not a kit dependency). */
async function logsCall(action: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS}/`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=${env.AWS_ACCESS_KEY_ID}/20250101/${env.AWS_REGION}/logs/aws4_request, SignedHeaders=host, Signature=00`,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `Logs_20140328.${action}`,
    },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}
