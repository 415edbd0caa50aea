/**
 * The local SageMaker API of a real `scones up` process, driven as a notebook drives SageMaker
 * (bench/sagemaker.ts): a training job of the built-in image-classification algorithm with the
 * kit's notebook settings, then endpoints created from its model, each timed to InService.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
  SageMakerClient,
  type TrainingInstanceType,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { imageClassificationUri } from '../src/embedded/sagemaker/index.ts';
import { resolvePromoteOptions } from '../src/promote/options.ts';
import { hyperParameters } from '../src/promote/specs.ts';
import type { BenchChecks } from './checks.ts';

const ROLE = 'arn:aws:iam::000000000000:role/SageMakerRole';
const STARTUP_TIMEOUT_MS = 60_000;
const END_STATES = new Set(['Completed', 'Failed', 'Stopped']);

export interface UpProcess {
  env: Record<string, string>;
  /** From spawn to the last export line on stdout. */
  startToExportsMs: number;
  /** The last lines it wrote on stderr (what to show when something fails). */
  stderrTail: string[];
  stop(): Promise<void>;
}

/** `scones up --stub` on a free port; resolves once its export lines are printed. */
export async function startUpProcess(dataDir: string): Promise<UpProcess> {
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.resolve(import.meta.dirname, '../bin/scones.js'),
      'up',
      '--stub',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 40) stderrTail.shift();
  });
  const env: Record<string, string> = {};
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('scones up printed no exports in time')),
      STARTUP_TIMEOUT_MS,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scones up exited (${code}) before it was ready: ${stderrTail.join(' | ')}`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const exported = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
      if (!exported) return;
      env[exported[1] as string] = exported[2] as string;
      if (exported[1] === 'AWS_DEFAULT_REGION') {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
  });
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
  };
  try {
    return { env, startToExportsMs: await ready, stderrTail, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface ApiClients {
  s3: S3Client;
  sagemaker: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  region: string;
  destroy(): void;
}

/** Clients configured by the exports alone, as a notebook's would be; no retries (each failure counts). */
export function apiClients(env: Record<string, string>): ApiClients {
  const common = {
    region: env.AWS_REGION as string,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
    maxAttempts: 1,
  };
  const s3 = new S3Client({ ...common, endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true });
  const sagemaker = new SageMakerClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_SAGEMAKER });
  const runtime = new SageMakerRuntimeClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME });
  return {
    s3,
    sagemaker,
    runtime,
    region: common.region,
    destroy() {
      s3.destroy();
      sagemaker.destroy();
      runtime.destroy();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (from?: Date, to?: Date) =>
  from && to ? Math.round((to.getTime() - from.getTime()) / 100) / 10 : undefined;

export interface TrainingFigures {
  job: string;
  hyperparameters: Record<string, string>;
  status: string;
  failure_reason?: string;
  /** CreateTrainingJob to the first DescribeTrainingJob that shows it Completed (polled every 0.5 s). */
  wall_s: number;
  training_time_s?: number;
  final_metrics: Record<string, number>;
  secondary_status_transitions: { status: string; seconds?: number; message?: string }[];
  model_artifact?: string;
}

/**
 * A training job with the notebook's settings: the promote defaults' hyperparameters (what the kit
 * trains on AWS), `epochs` replaced only by --quick.
 */
export async function trainNotebookJob(
  clients: ApiClients,
  options: { bucket: string; prefix: string; trainingSamples: number; epochs?: number },
): Promise<TrainingFigures> {
  const notebook = resolvePromoteOptions(options.epochs === undefined ? {} : { epochs: options.epochs });
  const hyperparameters = hyperParameters(notebook, options.trainingSamples);
  const job = `bench-notebook-${Date.now()}`;
  const channel = (name: string) => ({
    ChannelName: name,
    ContentType: 'application/x-image',
    InputMode: 'File' as const,
    DataSource: {
      S3DataSource: {
        S3DataType: 'S3Prefix' as const,
        S3Uri: `s3://${options.bucket}/${options.prefix}/${name}/`,
        S3DataDistributionType: 'FullyReplicated' as const,
      },
    },
  });
  const started = performance.now();
  await clients.sagemaker.send(
    new CreateTrainingJobCommand({
      TrainingJobName: job,
      AlgorithmSpecification: {
        TrainingImage: imageClassificationUri(clients.region) as string,
        TrainingInputMode: 'File',
      },
      RoleArn: ROLE,
      HyperParameters: hyperparameters,
      InputDataConfig: ['train', 'validation', 'train_lst', 'validation_lst'].map(channel),
      OutputDataConfig: { S3OutputPath: `s3://${options.bucket}/models/` },
      ResourceConfig: {
        InstanceType: notebook.trainingInstanceType as TrainingInstanceType,
        InstanceCount: 1,
        VolumeSizeInGB: 30,
      },
      StoppingCondition: { MaxRuntimeInSeconds: notebook.maxTrainingMinutes * 60 },
    }),
  );
  let described: DescribeTrainingJobCommandOutput;
  for (;;) {
    described = await clients.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: job }));
    if (END_STATES.has(described.TrainingJobStatus ?? '')) break;
    await sleep(500);
  }
  const wall = (performance.now() - started) / 1000;
  return {
    job,
    hyperparameters,
    status: described.TrainingJobStatus ?? 'unknown',
    ...(described.FailureReason ? { failure_reason: described.FailureReason } : {}),
    wall_s: Math.round(wall * 10) / 10,
    ...(described.TrainingTimeInSeconds === undefined
      ? {}
      : { training_time_s: described.TrainingTimeInSeconds }),
    final_metrics: Object.fromEntries(
      (described.FinalMetricDataList ?? []).map((metric) => [metric.MetricName, metric.Value]),
    ),
    secondary_status_transitions: (described.SecondaryStatusTransitions ?? []).map((transition) => ({
      status: transition.Status ?? '?',
      ...(seconds(transition.StartTime, transition.EndTime) === undefined
        ? {}
        : { seconds: seconds(transition.StartTime, transition.EndTime) }),
      ...(transition.StatusMessage ? { message: transition.StatusMessage } : {}),
    })),
    ...(described.ModelArtifacts?.S3ModelArtifacts
      ? { model_artifact: described.ModelArtifacts.S3ModelArtifacts }
      : {}),
  };
}

export interface EndpointRun {
  in_service_ms: number;
  status: string;
  /** The trained model's answer to one image: HTTP 200 with two probabilities. */
  answered: boolean;
}

/**
 * `runs` endpoints from the trained model (one variant, capture on, as the kit deploys), each timed
 * from CreateEndpoint to the first DescribeEndpoint that shows it InService (polled every 10 ms),
 * then asked once and deleted.
 */
export async function timeEndpoints(
  clients: ApiClients,
  options: { modelArtifact: string; bucket: string; runs: number; image: Buffer },
  checks: BenchChecks,
): Promise<EndpointRun[]> {
  const image = imageClassificationUri(clients.region) as string;
  const name = `bench-${Date.now()}`;
  await clients.sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: image, ModelDataUrl: options.modelArtifact },
    }),
  );
  await clients.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        DestinationS3Uri: `s3://${options.bucket}/data_capture`,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      },
    }),
  );
  const runs: EndpointRun[] = [];
  for (let run = 0; run < options.runs; run++) {
    const endpoint = `${name}-${run}`;
    const asked = performance.now();
    await clients.sagemaker.send(
      new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: name }),
    );
    let status = 'Creating';
    while (status === 'Creating') {
      const described = await clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
      status = described.EndpointStatus ?? 'unknown';
      if (status === 'Failed')
        checks.expect(false, `endpoint ${endpoint} Failed: ${described.FailureReason}`);
      if (status === 'Creating') await sleep(10);
    }
    const inServiceMs = Math.round(performance.now() - asked);
    checks.expect(status === 'InService', `endpoint ${endpoint} ended ${status}, not InService`);
    let answered = false;
    if (status === 'InService') {
      const answer = await clients.runtime.send(
        new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'image/png', Body: options.image }),
      );
      const probabilities = JSON.parse(Buffer.from(answer.Body ?? []).toString()) as number[];
      answered = answer.$metadata.httpStatusCode === 200 && probabilities.length === 2;
      checks.expect(
        answered,
        `endpoint ${endpoint} answered ${answer.$metadata.httpStatusCode}: ${probabilities}`,
      );
    }
    runs.push({ in_service_ms: inServiceMs, status, answered });
    await clients.sagemaker.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  }
  return runs;
}
