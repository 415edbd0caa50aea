/**
 * The AWS APIs a running stack (`scones up`) serves on its port beside S3, Step Functions and the
 * SageMaker runtime: the SageMaker control plane, whose trainings run on the kit's trainer, log to
 * CloudWatch Logs (`/aws/sagemaker/TrainingJobs`, as SageMaker does) and whose endpoints the
 * runtime's fleet serves; CloudWatch Logs; STS. State lives under `<dataDir>/sagemaker` and
 * `<dataDir>/cloudwatch-logs` (`<dataDir>/logs` holds the run logs). The services' modules load
 * only here, so runs without a stack never pay for them.
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Route } from './gateway/index.ts';
import type { SageMakerService, SageMakerServiceOptions } from './sagemaker/index.ts';
import type { EndpointFleet, LoadedPredictor } from './sagemaker-runtime/index.ts';

export interface AwsApisOptions {
  dataDir: string;
  /** The local S3: channels, artifacts, captured data. */
  s3: S3Client;
  /** Serves the endpoints the API deploys (InvokeEndpoint finds them by name). */
  fleet: EndpointFleet;
  region: string;
}

export interface AwsApis {
  /** One gateway route per service. */
  routes: Route[];
  /** The SageMaker control plane the route serves, for the kit's own calls (its workflow endpoint). */
  sagemaker: SageMakerService;
  /** Stops the trainings in flight and writes every service's state. */
  close(): Promise<void>;
}

/** SageMaker's log group of training jobs. */
export const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';

/**
 * The SageMaker control plane alone, without HTTP: what a run without a stack (`scones demo`,
 * `classify`, `load`) deploys its workflow endpoint through. Same state as the stack's.
 */
export async function startLocalSageMaker(
  options: AwsApisOptions & { onTrainingLog?: SageMakerServiceOptions['onTrainingLog'] },
): Promise<SageMakerService> {
  const { createLocalTrainingRunner, createSageMakerService } = await import('./sagemaker/index.ts');
  return createSageMakerService({
    dataDir: path.join(options.dataDir, 'sagemaker'),
    s3: options.s3,
    region: options.region,
    runner: createLocalTrainingRunner({ s3: options.s3 }),
    hosting: options.fleet,
    ...(options.onTrainingLog ? { onTrainingLog: options.onTrainingLog } : {}),
  });
}

export async function startAwsApis(options: AwsApisOptions): Promise<AwsApis> {
  const [{ sagemakerRoute }, logsModule, stsModule] = await Promise.all([
    import('./sagemaker/index.ts'),
    import('./logs/index.ts'),
    import('./sts/index.ts'),
  ]);
  const logs = await logsModule.createLogsService({
    dataDir: path.join(options.dataDir, 'cloudwatch-logs'),
    region: options.region,
  });
  const sagemaker = await startLocalSageMaker({
    ...options,
    onTrainingLog: (event) =>
      logs.ingest(TRAINING_LOG_GROUP, event.logStreamName, [
        { timestamp: event.timestamp, message: event.message },
      ]),
  });
  return {
    routes: [
      sagemakerRoute(sagemaker),
      logsModule.logsRoute(logs),
      stsModule.stsRoute(stsModule.createStsService()),
    ],
    sagemaker,
    async close() {
      await sagemaker.close();
      await logs.close();
    },
  };
}

/** The kit's predictor for a `model.tar.gz` (as `scones serve` loads it); its modules load on first use. */
export async function loadArtifactModel(modelDataUrl: string, s3: S3Client): Promise<LoadedPredictor> {
  const { ModelPredictor } = await import('../../training/predictor.ts');
  return ModelPredictor.load(modelDataUrl, { s3Client: s3 });
}
