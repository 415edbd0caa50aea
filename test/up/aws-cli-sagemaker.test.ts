/**
 * aws-cli (v1, from PyPI) against `scones up --stub` as the local SageMaker, configured by nothing
 * but the export lines it prints: `aws s3 sync` of a few hundred CIFAR images,
 * `aws sagemaker create-training-job` of the built-in image-classification algorithm,
 * `aws sagemaker wait training-job-completed-or-stopped`, a model, an endpoint config with data
 * capture, an endpoint, `wait endpoint-in-service`, `describe-endpoint`,
 * `aws sagemaker-runtime invoke-endpoint`, the job's lines through `aws logs get-log-events` and
 * `aws logs filter-log-events`, and `aws sts get-caller-identity`.
 *
 * `aws logs tail` exists only in aws-cli v2, which is not on PyPI. What it sends is FilterLogEvents
 * with `logGroupName`, `startTime` (`--since`, ten minutes by default), `interleaved`, and
 * optionally `filterPattern` and `logStreamNamePrefix`, following `nextToken` (and, with `--follow`,
 * asking again from the newest timestamp, skipping eventIds it has shown): the test sends those
 * calls through `aws logs filter-log-events`.
 *
 * botocore's waiters poll every 120 s (training) and 30 s (endpoint), longer than the local jobs
 * take; the throwaway HOME holds a copy of botocore's own SageMaker waiter model
 * (`~/.aws/models`, botocore's documented override folder) with a 1 s delay, so the waiters'
 * acceptors (Completed/Stopped/Failed, InService/Failed, ValidationException) are botocore's.
 * Nothing leaves 127.0.0.1. Needs Python (skips with the reason printed).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsOrSkip, type PrintedJson, startUpWithPython, type UpWithPython } from './python-clients.ts';

const BUCKET = 'cli-flow-data';
const JOB = 'cli-flow-job';
const GROUP = '/aws/sagemaker/TrainingJobs';
const ROLE = 'arn:aws:iam::000000000000:role/SageMakerRole';
const IMAGE = '811284229777.dkr.ecr.us-east-1.amazonaws.com/image-classification:1';

let clients: UpWithPython | { skip: string } | undefined;

/** botocore's SageMaker waiter model, every delay 1 s, where botocore looks for the user's models. */
const FAST_WAITERS = `
import json, os, sys
from botocore.loaders import Loader
loader = Loader()
version = loader.determine_latest_version("sagemaker", "waiters-2")
model = loader.load_service_model("sagemaker", "waiters-2", version)
for waiter in model["waiters"].values():
    waiter["delay"] = 1
folder = os.path.join(sys.argv[1], ".aws", "models", "sagemaker", version)
os.makedirs(folder, exist_ok=True)
with open(os.path.join(folder, "waiters-2.json"), "w") as out:
    json.dump(model, out)
`;

/**
 * `aws <command> --flag value ...` (a flag given `true` stands alone), then `positional` args;
 * resolves with the JSON aws-cli printed ({} when it printed nothing).
 */
async function aws(
  python: UpWithPython,
  command: string,
  flags: Record<string, string | true> = {},
  ...positional: string[]
): Promise<PrintedJson> {
  const args = [
    ...command.split(' '),
    ...Object.entries(flags).flatMap(([flag, value]) =>
      value === true ? [`--${flag}`] : [`--${flag}`, value],
    ),
    ...positional,
  ];
  const { stdout } = await python.exec('aws', args, { cwd: python.dir });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

beforeAll(async () => {
  clients = await startUpWithPython('aws-cli-sagemaker');
  if ('skip' in clients) return;
  const python = clients;
  await python.exec('python', ['-c', FAST_WAITERS, python.home]);
  await python.exec('python', ['cifar_images.py', path.join(python.dir, 'images')]);
  await python.exec('aws', ['s3', 'mb', `s3://${BUCKET}`]);
  await python.exec('aws', [
    's3',
    'sync',
    '--quiet',
    path.join(python.dir, 'images'),
    `s3://${BUCKET}/cifar`,
  ]);
}, 600_000);
afterAll(async () => {
  if (clients && !('skip' in clients)) await clients.close();
});

describe('scones up as the local SageMaker, with aws-cli', () => {
  it('aws sagemaker create-training-job, then wait training-job-completed-or-stopped', async (context) => {
    const python = clientsOrSkip(clients, context);
    const channels = ['train', 'validation', 'train_lst', 'validation_lst'].map((channel) => ({
      ChannelName: channel,
      ContentType: 'application/x-image',
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: `s3://${BUCKET}/cifar/${channel}/`,
          S3DataDistributionType: 'FullyReplicated',
        },
      },
    }));
    await writeFile(path.join(python.dir, 'channels.json'), JSON.stringify(channels));
    const created = await aws(python, 'sagemaker create-training-job', {
      'training-job-name': JOB,
      'algorithm-specification': `TrainingImage=${IMAGE},TrainingInputMode=File`,
      'role-arn': ROLE,
      'hyper-parameters':
        'num_classes=2,num_training_samples=300,image_shape="3,32,32",epochs=2,mini_batch_size=32',
      'input-data-config': 'file://channels.json',
      'output-data-config': `S3OutputPath=s3://${BUCKET}/models`,
      'resource-config': 'InstanceType=ml.p3.2xlarge,InstanceCount=1,VolumeSizeInGB=10',
      'stopping-condition': 'MaxRuntimeInSeconds=600',
    });
    expect(created).toEqual({
      TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${JOB}`,
    });
    const describeJob = () => aws(python, 'sagemaker describe-training-job', { 'training-job-name': JOB });
    expect(['InProgress', 'Completed']).toContain((await describeJob()).TrainingJobStatus);

    await aws(python, 'sagemaker wait training-job-completed-or-stopped', { 'training-job-name': JOB });
    const job = await describeJob();
    expect(job).toMatchObject({
      TrainingJobStatus: 'Completed',
      HyperParameters: { image_shape: '3,32,32', epochs: '2' },
      ModelArtifacts: { S3ModelArtifacts: `s3://${BUCKET}/models/${JOB}/output/model.tar.gz` },
    });
    expect(job.FinalMetricDataList.map((metric: { MetricName: string }) => metric.MetricName).sort()).toEqual(
      ['train:accuracy', 'validation:accuracy'],
    );
    // aws-cli prints timestamps as it parsed them: epoch seconds, the job's end after its start.
    expect(job.TrainingEndTime).toBeGreaterThanOrEqual(job.TrainingStartTime);
    const artifact = await aws(python, 's3api head-object', {
      bucket: BUCKET,
      key: `models/${JOB}/output/model.tar.gz`,
    });
    expect(artifact.ContentLength).toBeGreaterThan(1000);
  }, 240_000);

  it('model, endpoint config with capture, endpoint: wait endpoint-in-service, describe-endpoint, invoke', async (context) => {
    const python = clientsOrSkip(clients, context);
    await aws(python, 'sagemaker create-model', {
      'model-name': 'cli-flow-model',
      'execution-role-arn': ROLE,
      'primary-container': `Image=${IMAGE},ModelDataUrl=s3://${BUCKET}/models/${JOB}/output/model.tar.gz`,
    });
    await aws(python, 'sagemaker create-endpoint-config', {
      'endpoint-config-name': 'cli-flow-config',
      'production-variants':
        'VariantName=AllTraffic,ModelName=cli-flow-model,InstanceType=ml.m5.large,InitialInstanceCount=1',
      'data-capture-config': `EnableCapture=true,InitialSamplingPercentage=100,DestinationS3Uri=s3://${BUCKET}/capture,CaptureOptions=[{CaptureMode=Input},{CaptureMode=Output}]`,
    });
    await aws(python, 'sagemaker create-endpoint', {
      'endpoint-name': 'cli-flow-endpoint',
      'endpoint-config-name': 'cli-flow-config',
    });
    await aws(python, 'sagemaker wait endpoint-in-service', { 'endpoint-name': 'cli-flow-endpoint' });
    const endpoint = await aws(python, 'sagemaker describe-endpoint', {
      'endpoint-name': 'cli-flow-endpoint',
    });
    expect(endpoint).toMatchObject({
      EndpointName: 'cli-flow-endpoint',
      EndpointConfigName: 'cli-flow-config',
      EndpointStatus: 'InService',
      ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: 1 }],
      DataCaptureConfig: {
        EnableCapture: true,
        CaptureStatus: 'Started',
        DestinationS3Uri: `s3://${BUCKET}/capture`,
      },
    });

    const listed = await aws(python, 's3api list-objects-v2', {
      bucket: BUCKET,
      prefix: 'cifar/validation/bicycle/',
      'max-items': '1',
    });
    const image = path.join(
      python.dir,
      'images',
      'validation',
      'bicycle',
      path.basename(listed.Contents[0].Key),
    );
    const invoked = await aws(
      python,
      'sagemaker-runtime invoke-endpoint',
      { 'endpoint-name': 'cli-flow-endpoint', 'content-type': 'image/png', body: `fileb://${image}` },
      'answer.json',
    );
    expect(invoked).toEqual({ ContentType: 'application/json', InvokedProductionVariant: 'AllTraffic' });
    const probabilities = JSON.parse(await readFile(path.join(python.dir, 'answer.json'), 'utf8'));
    expect(probabilities).toHaveLength(2);
    expect(probabilities[0] + probabilities[1]).toBeCloseTo(1, 4);

    const missing = await aws(python, 'sagemaker describe-endpoint', {
      'endpoint-name': 'no-such-endpoint',
    }).catch((error: Error) => error.message);
    expect(missing).toContain(
      'An error occurred (ValidationException) when calling the DescribeEndpoint operation: Could not find endpoint',
    );
  }, 120_000);

  it('aws logs get-log-events and filter-log-events (the calls aws logs tail makes); aws sts', async (context) => {
    const python = clientsOrSkip(clients, context);
    const streams = await aws(python, 'logs describe-log-streams', {
      'log-group-name': GROUP,
      'log-stream-name-prefix': `${JOB}/`,
    });
    expect(streams.logStreams).toHaveLength(1);
    const stream = streams.logStreams[0].logStreamName as string;
    expect(stream).toMatch(new RegExp(`^${JOB}/algo-1-\\d{10}$`));
    const read = await aws(python, 'logs get-log-events', {
      'log-group-name': GROUP,
      'log-stream-name': stream,
      'start-from-head': true,
    });
    const lines = read.events.map((event: { message: string }) => event.message) as string[];
    expect(lines[0]).toContain(`Reading the train and validation channels: s3://${BUCKET}/cifar/train/`);
    expect(lines.filter((line) => /Epoch\[\d\] Train-accuracy=/.test(line))).toHaveLength(2);

    // What `aws logs tail /aws/sagemaker/TrainingJobs --since 10m --log-stream-name-prefix <job>/
    // [--filter-pattern ...]` sends:
    const tail = (flags: Record<string, string> = {}) =>
      aws(python, 'logs filter-log-events', {
        'log-group-name': GROUP,
        interleaved: true,
        'log-stream-name-prefix': `${JOB}/`,
        'start-time': String(Date.now() - 10 * 60 * 1000),
        ...flags,
      });
    const [all, paged, validation, either, future] = await Promise.all([
      tail(),
      // aws-cli follows nextToken itself: two events a page still returns every line, in order.
      tail({ 'page-size': '2' }),
      tail({ 'filter-pattern': '"Validation-accuracy"' }),
      tail({ 'filter-pattern': '?"Train-accuracy" ?"Validation-accuracy"' }),
      // --follow asks again from the newest timestamp: nothing newer yet.
      tail({ 'start-time': String(Date.now() + 60_000) }),
    ]);
    expect(all.events.map((event: { message: string }) => event.message)).toEqual(lines);
    expect(paged.events).toEqual(all.events);
    for (const event of all.events) expect(event.logStreamName).toBe(stream);
    // --follow tells the events it has shown apart by eventId.
    expect(new Set(all.events.map((event: { eventId: string }) => event.eventId)).size).toBe(lines.length);
    expect(validation.events.map((event: { message: string }) => event.message)).toEqual(
      lines.filter((line) => line.includes('Validation-accuracy')),
    );
    expect(validation.events).toHaveLength(2);
    expect(either.events).toHaveLength(4);
    expect(future.events).toEqual([]);

    expect(await aws(python, 'sts get-caller-identity')).toEqual({
      UserId: '000000000000',
      Account: '000000000000',
      Arn: 'arn:aws:iam::000000000000:root',
    });
    expect(python.egress).toEqual([]);
  }, 120_000);
});
