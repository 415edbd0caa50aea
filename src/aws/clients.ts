/**
 * AWS SDK clients, built from the config module. Code that needs a client calls one of these
 * once per module (or receives one), so endpoint overrides, path-style S3 and local credentials
 * are decided here only.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { type KitConfig, loadConfig, type Service } from '../config.ts';

interface ClientOptions {
  /** SDK-level attempts; Step Functions retries are preferred where they apply (visible in history). */
  maxAttempts?: number;
}

function baseOptions(config: KitConfig, service: Service, options: ClientOptions = {}) {
  const endpoint = config.endpointFor(service);
  return {
    region: config.region,
    ...(endpoint ? { endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
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

export { baseOptions as clientOptionsFor };
