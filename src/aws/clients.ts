/**
 * AWS SDK clients, built from the config module. Code that needs a client calls one of these
 * once per module (or receives one), so endpoint overrides, path-style S3 and local credentials
 * are decided here only.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { type KitConfig, loadConfig, type Service } from '../config.ts';

interface ClientOptions {
  /** SDK-level attempts; Step Functions retries are preferred where they apply (visible in history). */
  maxAttempts?: number;
  /** Give up on a request whose response has not arrived after this many ms (TimeoutError). */
  requestTimeoutMs?: number;
  /** Give up on a connection not established after this many ms (TimeoutError). */
  connectionTimeoutMs?: number;
}

function requestHandlerOptions(options: ClientOptions) {
  if (!options.requestTimeoutMs && !options.connectionTimeoutMs) return {};
  // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes.
  return {
    requestHandler: {
      requestTimeout: options.requestTimeoutMs,
      connectionTimeout: options.connectionTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

function baseOptions(config: KitConfig, service: Service, options: ClientOptions = {}) {
  const endpoint = config.endpointFor(service);
  return {
    region: config.region,
    ...(endpoint ? { endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...requestHandlerOptions(options),
  };
}

export function createS3Client(config: KitConfig = loadConfig(), options?: ClientOptions): S3Client {
  // Local S3 servers only speak path-style (bucket in the path, not the host name).
  return new S3Client({ ...baseOptions(config, 's3', options), forcePathStyle: !!config.endpointFor('s3') });
}

export function createSageMakerRuntimeClient(
  config: KitConfig = loadConfig(),
  options?: ClientOptions,
): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient(baseOptions(config, 'sagemakerRuntime', options));
}

export function createSageMakerClient(
  config: KitConfig = loadConfig(),
  options?: ClientOptions,
): SageMakerClient {
  return new SageMakerClient(baseOptions(config, 'sagemaker', options));
}

export function createLambdaClient(config: KitConfig = loadConfig(), options?: ClientOptions): LambdaClient {
  return new LambdaClient(baseOptions(config, 'lambda', options));
}

export function createSfnClient(config: KitConfig = loadConfig(), options?: ClientOptions): SFNClient {
  return new SFNClient(baseOptions(config, 'sfn', options));
}

export function createIamClient(config: KitConfig = loadConfig(), options?: ClientOptions): IAMClient {
  return new IAMClient(baseOptions(config, 'iam', options));
}

export function createStsClient(config: KitConfig = loadConfig(), options?: ClientOptions): STSClient {
  return new STSClient(baseOptions(config, 'sts', options));
}

export function createTaggingClient(
  config: KitConfig = loadConfig(),
  options?: ClientOptions,
): ResourceGroupsTaggingAPIClient {
  return new ResourceGroupsTaggingAPIClient(baseOptions(config, 'tagging', options));
}

export { baseOptions as clientOptionsFor };
