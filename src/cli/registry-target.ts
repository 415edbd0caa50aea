/**
 * Where `scones models`, `rollout` and `rollback` find the registry: a running `scones up`
 * (--endpoint-url, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL), or the embedded tier started in this
 * process over the data folder with its one port (so SageMaker and CloudWatch answer as they do on a
 * stack). Either way the registry functions (src/registry/) talk to them through the AWS SDK.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createCloudWatchClient, createSageMakerClient } from '../aws/clients.ts';
import { parseS3Uri } from '../aws/s3-uri.ts';
import { endpointEnvironment, loadConfig } from '../config.ts';
import type { WorkflowEndpointFactory } from '../embedded/runtime.ts';
import {
  type RegistryApis,
  type RegistryScope,
  sdkCloudWatchApi,
  sdkSageMakerApi,
} from '../registry/index.ts';
import { startTarget } from '../targets/index.ts';

export interface RegistryTargetOptions {
  dataDir?: string;
  endpointUrl?: string;
}

export interface OpenedRegistry {
  apis: RegistryApis;
  scope: RegistryScope;
  /** `the running stack at URL` or `the embedded tier (DIR)`, for messages. */
  where: string;
  close(): Promise<void>;
}

/** Nothing is deployed at start: the endpoint serves what the last rollout or retraining left. */
const endpointAsItIs: WorkflowEndpointFactory = async () => undefined;

async function readText(s3: S3Client, uri: string): Promise<string | undefined> {
  const location = parseS3Uri(uri);
  if (!location) return undefined;
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return await answer.Body?.transformToString('utf8');
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function openRegistry(options: RegistryTargetOptions): Promise<OpenedRegistry> {
  const target = await startTarget({
    target: 'embedded',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    runningStack: options.endpointUrl ? { endpointUrl: options.endpointUrl } : {},
    embedded: {
      runtime: { workflowEndpoint: endpointAsItIs, stepFunctionsApi: true, port: 0, s3Thread: false },
    },
  });
  // A stack serves every API on its one port, the S3 endpoint.
  const url = target.config.endpointFor('s3') as string;
  const config = loadConfig({
    ...process.env,
    SCONES_TARGET: 'embedded',
    ...endpointEnvironment({ s3: url, sagemaker: url, cloudwatch: url }),
  });
  const sagemaker = createSageMakerClient(config, { maxAttempts: 2 });
  const cloudwatch = createCloudWatchClient(config, { maxAttempts: 2 });
  return {
    apis: {
      sagemaker: sdkSageMakerApi(sagemaker),
      cloudwatch: sdkCloudWatchApi(cloudwatch),
      readText: (uri) => readText(target.clients.s3, uri),
    },
    scope: { stage: target.config.stage, endpointName: target.config.endpointName },
    where:
      target.kind === 'stack' ? `the running stack at ${url}` : `the embedded tier (${target.names.dataDir})`,
    async close() {
      sagemaker.destroy();
      cloudwatch.destroy();
      await target.stop();
    },
  };
}
