/**
 * Shared pieces of the local SageMaker's tests: a local S3, a service on a temporary data dir (and
 * its restart), a scripted TrainingRunner that trains nothing, and an in-memory EndpointHosting
 * double that "loads" a model by reading its archive from S3.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { createS3Client } from '../../../src/aws/clients.ts';
import { loadConfig } from '../../../src/config.ts';
import { type LocalS3, startLocalS3 } from '../../../src/embedded/s3/index.ts';
import {
  createSageMakerService,
  type EndpointDeployment,
  type EndpointHosting,
  HostingFailure,
  imageClassificationUri,
  type SageMakerService,
  type SageMakerServiceError,
  type SageMakerServiceOptions,
  type TrainingProgress,
  type TrainingRun,
  type TrainingRunner,
  type TrainingRunResult,
  type VariantWeight,
} from '../../../src/embedded/sagemaker/index.ts';
import { untarFiles } from '../../../training/artifact.ts';

export const BUCKET = 'sagemaker-test';
export const ROLE = 'arn:aws:iam::000000000000:role/SageMakerRole';
export const IMAGE = imageClassificationUri('us-east-1') as string;

export class ScriptedRunner implements TrainingRunner {
  readonly runs: TrainingRun[] = [];
  /** Resolved to let the runs waiting in the Training status finish. */
  release: () => void = () => undefined;
  #gate: Promise<void> = Promise.resolve();
  accuracy: (run: TrainingRun) => number = () => 0.9;

  /** Runs from now on wait in Training until release() is called. */
  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  async run(job: TrainingRun, progress: TrainingProgress, signal: AbortSignal): Promise<TrainingRunResult> {
    this.runs.push(job);
    progress.enter('Downloading', 'Downloading input data');
    progress.enter('Training', 'Training image download completed. Training in progress.');
    progress.log(`Epoch[0] Train-accuracy=${this.accuracy(job)}`);
    await new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      void this.#gate.then(resolve);
    });
    progress.epoch({
      epoch: 1,
      epochs: 1,
      loss: 0.3,
      trainAccuracy: 0.95,
      validationAccuracy: this.accuracy(job),
      seconds: 0.01,
    });
    progress.enter('Uploading', 'Uploading generated training model');
    return {
      modelArtifactUri: job.modelArtifactUri,
      finalMetrics: [
        { name: 'train:accuracy', value: 0.95 },
        { name: 'validation:accuracy', value: this.accuracy(job) },
      ],
    };
  }
}

/** Serves nothing; remembers what it was asked, and fails for archives that are not models. */
export class MemoryHosting implements EndpointHosting {
  readonly served = new Map<string, EndpointDeployment>();
  readonly calls: string[] = [];
  readonly s3: S3Client;

  constructor(s3: S3Client) {
    this.s3 = s3;
  }

  /** Green fleets staged beside what is served (blue/green UpdateEndpoint), and the share each takes. */
  readonly staged = new Map<string, { deployment: EndpointDeployment; share: number }>();

  async deploy(deployment: EndpointDeployment): Promise<void> {
    await this.#check(deployment);
    this.calls.push(`deploy ${deployment.endpointName} ${deployment.endpointConfigName}`);
    this.served.set(deployment.endpointName, deployment);
  }

  async stage(deployment: EndpointDeployment): Promise<void> {
    await this.#check(deployment);
    this.calls.push(`stage ${deployment.endpointName} ${deployment.endpointConfigName}`);
    this.staged.set(deployment.endpointName, { deployment, share: 0 });
  }

  async shift(endpointName: string, greenShare: number): Promise<void> {
    const staged = this.staged.get(endpointName);
    if (!staged) throw new Error(`nothing staged for ${endpointName}`);
    staged.share = greenShare;
    this.calls.push(`shift ${endpointName} ${greenShare}`);
  }

  async promote(endpointName: string): Promise<void> {
    const staged = this.staged.get(endpointName);
    if (!staged) throw new Error(`nothing staged for ${endpointName}`);
    this.staged.delete(endpointName);
    this.served.set(endpointName, staged.deployment);
    this.calls.push(`promote ${endpointName}`);
  }

  async discard(endpointName: string): Promise<void> {
    this.staged.delete(endpointName);
    this.calls.push(`discard ${endpointName}`);
  }

  async #check(deployment: EndpointDeployment): Promise<void> {
    for (const variant of deployment.variants) {
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(variant.modelDataUrl) as RegExpExecArray;
      const object = await this.s3.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }));
      const files = await untarFiles(await (object.Body?.transformToByteArray() ?? new Uint8Array()));
      if (!files.has('metadata.json'))
        throw new HostingFailure(variant.variantName, 'model archive has no metadata.json');
    }
  }

  async route(endpointName: string, weights: readonly VariantWeight[]): Promise<void> {
    this.calls.push(`route ${endpointName} ${weights.map((w) => `${w.variantName}=${w.weight}`).join(',')}`);
  }

  async remove(endpointName: string): Promise<void> {
    this.calls.push(`remove ${endpointName}`);
    this.served.delete(endpointName);
  }
}

export interface Harness {
  s3: S3Client;
  localS3: LocalS3;
  dataDir: string;
  service: SageMakerService;
  runner: TrainingRunner;
  hosting: MemoryHosting;
  /** Closes the service and starts another on the same data dir. */
  restart(more?: Partial<SageMakerServiceOptions>): Promise<SageMakerService>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<SageMakerServiceOptions> = {}): Promise<Harness> {
  const localS3 = await startLocalS3({ buckets: [BUCKET] });
  const s3 = createS3Client(loadConfig({ AWS_ENDPOINT_URL_S3: localS3.endpoint }), { maxAttempts: 1 });
  const dataDir = await mkdtemp(join(tmpdir(), 'sagemaker-state-'));
  const hosting = new MemoryHosting(s3);
  const runner = options.runner ?? new ScriptedRunner();
  const make = (more: Partial<SageMakerServiceOptions> = {}) =>
    createSageMakerService({ dataDir, s3, runner, hosting, ...options, ...more });
  const harness: Harness = {
    s3,
    localS3,
    dataDir,
    runner,
    hosting,
    service: await make(),
    async restart(more) {
      await harness.service.close();
      harness.service = await make(more);
      return harness.service;
    },
    async close() {
      await harness.service.close();
      s3.destroy();
      await localS3.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export async function put(s3: S3Client, key: string, body: Uint8Array | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

/** The error `promise` rejects with, checked to be the service's `code`. */
export async function rejection(promise: Promise<unknown>, code: string): Promise<SageMakerServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as SageMakerServiceError,
  );
  expect(error, `expected ${code}`).toBeDefined();
  expect(error?.code).toBe(code);
  expect(error?.status).toBe(400);
  return error as SageMakerServiceError;
}

/** Polls `read` until `done` holds (a few seconds at most). */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A CreateTrainingJob request of the notebook's shape, on channels under `prefix`. */
export function trainingJobRequest(
  name: string,
  hyperparameters: Record<string, string | undefined> = {},
  prefix = 'data',
  where: { bucket?: string; role?: string } = {},
) {
  const bucket = where.bucket ?? BUCKET;
  return {
    TrainingJobName: name,
    AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
    RoleArn: where.role ?? ROLE,
    HyperParameters: Object.fromEntries(
      Object.entries({
        num_classes: '2',
        num_training_samples: '10',
        image_shape: '3,32,32',
        ...hyperparameters,
      }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    InputDataConfig: ['train', 'validation', 'train_lst', 'validation_lst'].map((channel) => ({
      ChannelName: channel,
      ContentType: 'application/x-image',
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: `s3://${bucket}/${prefix}/${channel}/`,
          S3DataDistributionType: 'FullyReplicated',
        },
      },
    })),
    OutputDataConfig: { S3OutputPath: `s3://${bucket}/models/` },
    ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
  };
}

/** A `createTrainingJob` Task's Parameters: the request above, its name from the input's `job`. */
export function trainingTaskParameters(...args: Parameters<typeof trainingJobRequest>) {
  const { TrainingJobName: _name, ...request } = trainingJobRequest(...args);
  return { 'TrainingJobName.$': '$.job', ...request };
}

/** One object under each channel prefix, so CreateTrainingJob's S3 check passes. */
export async function stageChannels(s3: S3Client, prefix = 'data'): Promise<void> {
  for (const channel of ['train', 'validation', 'train_lst', 'validation_lst'])
    await put(
      s3,
      `${prefix}/${channel}/${channel.endsWith('_lst') ? `${channel.replace('_lst', '')}.lst` : 'a.png'}`,
      'x',
    );
}
