/**
 * The AWS APIs a running stack (`scones up`) serves on its port beside S3, Step Functions and the
 * SageMaker runtime: the SageMaker control plane, whose trainings run on the kit's trainer and
 * whose endpoints the runtime's fleet serves. State lives under `<dataDir>/sagemaker`. The
 * services' modules load only here, so runs without a stack never pay for them.
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Route } from './gateway/index.ts';
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
  /** Stops the trainings in flight and writes every service's state. */
  close(): Promise<void>;
}

export async function startAwsApis(options: AwsApisOptions): Promise<AwsApis> {
  const { createLocalTrainingRunner, createSageMakerService, sagemakerRoute } = await import(
    './sagemaker/index.ts'
  );
  const sagemaker = await createSageMakerService({
    dataDir: path.join(options.dataDir, 'sagemaker'),
    s3: options.s3,
    region: options.region,
    runner: createLocalTrainingRunner({ s3: options.s3 }),
    hosting: options.fleet,
  });
  return {
    routes: [sagemakerRoute(sagemaker)],
    close: () => sagemaker.close(),
  };
}

/** The kit's predictor for a `model.tar.gz` (as `scones serve` loads it); its modules load on first use. */
export async function loadArtifactModel(modelDataUrl: string, s3: S3Client): Promise<LoadedPredictor> {
  const { ModelPredictor } = await import('../../training/predictor.ts');
  return ModelPredictor.load(modelDataUrl, { s3Client: s3 });
}
