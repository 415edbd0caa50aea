/**
 * AWS SDK clients, built from the config module. Code that needs a client calls one of these
 * once per module (or receives one), so endpoint overrides, path-style S3 and local credentials
 * are decided here only. A client for a local target without a local endpoint is refused here
 * (ConfigError naming the variable, from `KitConfig.clientEndpoint`): it would talk to AWS.
 */
import { createRequire } from 'node:module';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import { type KitConfig, loadConfig, type Service, servedByTheKit } from '../config.ts';

/**
 * The data-plane clients (S3, SageMaker runtime) are imported above; the control-plane ones
 * (deploy, promote, monitor) are required on first use, so a process that needs only the data
 * plane (the Lambdas, the embedded tier, `scones classify`) does not load ten more SDK packages
 * (about 450 ms of CPU at start-up). The SDK packages are CommonJS (`main`, no `exports`), so
 * `require` returns the very module an `import` of the same package gets elsewhere.
 */
const require = createRequire(import.meta.url);

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

/**
 * The embedded tier's servers are the kit's own (src/embedded/): they ignore signatures and verify
 * a checksum only when one is sent (s3-server.ts). Signing every request and checksumming every
 * body there is CPU for nothing: about a third of an SDK call's client-side CPU (240 µs of a
 * 740 µs S3 GET, measured at concurrency 16), and the SDK calls are most of an embedded
 * execution's work. Everywhere else (emulators that check IAM, AWS) the SDK's defaults stand.
 * Both are documented SDK settings; the real-client tests (aws-cli, boto3, lib-storage) keep
 * exercising signed, checksummed and aws-chunked requests against the same server.
 */
const LOCAL_SERVER_OPTIONS = {
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  signer: { sign: async <T>(request: T): Promise<T> => request },
} as const;

/**
 * STS speaks the query protocol: no `X-Amz-Target`, a form body at `/`. A running stack's one
 * port (src/embedded/gateway/) tells such a request apart by its signature's scope only, so an
 * unsigned one would reach the fallback, S3. Its clients keep signing on the kit's servers too.
 */
const TOLD_BY_SIGNATURE_ONLY: ReadonlySet<Service> = new Set(['sts']);

function localServerOptions(service: Service) {
  if (!TOLD_BY_SIGNATURE_ONLY.has(service)) return LOCAL_SERVER_OPTIONS;
  const { signer: _noSigning, ...checksumsOnly } = LOCAL_SERVER_OPTIONS;
  return checksumsOnly;
}

function baseOptions(config: KitConfig, service: Service, options: ClientOptions = {}) {
  const endpoint = config.clientEndpoint(service);
  return {
    region: config.region,
    ...(endpoint ? { endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(servedByTheKit(config) ? localServerOptions(service) : {}),
    ...requestHandlerOptions(options),
  };
}

export function createS3Client(config: KitConfig = loadConfig(), options?: ClientOptions): S3Client {
  // Local S3 servers only speak path-style (bucket in the path, not the host name).
  const base = baseOptions(config, 's3', options);
  return new S3Client({ ...base, forcePathStyle: 'endpoint' in base });
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
  const { SageMakerClient } =
    require('@aws-sdk/client-sagemaker') as typeof import('@aws-sdk/client-sagemaker');
  return new SageMakerClient(baseOptions(config, 'sagemaker', options));
}

export function createLambdaClient(config: KitConfig = loadConfig(), options?: ClientOptions): LambdaClient {
  const { LambdaClient } = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
  return new LambdaClient(baseOptions(config, 'lambda', options));
}

export function createSfnClient(config: KitConfig = loadConfig(), options?: ClientOptions): SFNClient {
  const { SFNClient } = require('@aws-sdk/client-sfn') as typeof import('@aws-sdk/client-sfn');
  const base = baseOptions(config, 'sfn', options);
  // TestState and StartSyncExecution are host-prefixed (`sync-`): on an endpoint of our own the
  // prefix makes a host name that does not resolve (`sync-127.0.0.1`), so it is left off there.
  return new SFNClient({ ...base, disableHostPrefix: 'endpoint' in base });
}

export function createIamClient(config: KitConfig = loadConfig(), options?: ClientOptions): IAMClient {
  const { IAMClient } = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
  return new IAMClient(baseOptions(config, 'iam', options));
}

export function createStsClient(config: KitConfig = loadConfig(), options?: ClientOptions): STSClient {
  const { STSClient } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  return new STSClient(baseOptions(config, 'sts', options));
}

export function createTaggingClient(
  config: KitConfig = loadConfig(),
  options?: ClientOptions,
): ResourceGroupsTaggingAPIClient {
  const { ResourceGroupsTaggingAPIClient } =
    require('@aws-sdk/client-resource-groups-tagging-api') as typeof import('@aws-sdk/client-resource-groups-tagging-api');
  return new ResourceGroupsTaggingAPIClient(baseOptions(config, 'tagging', options));
}

export function createCloudWatchClient(
  config: KitConfig = loadConfig(),
  options?: ClientOptions,
): CloudWatchClient {
  const { CloudWatchClient } =
    require('@aws-sdk/client-cloudwatch') as typeof import('@aws-sdk/client-cloudwatch');
  return new CloudWatchClient(baseOptions(config, 'cloudwatch', options));
}

export function createEventBridgeClient(
  config: KitConfig = loadConfig(),
  options?: ClientOptions,
): EventBridgeClient {
  const { EventBridgeClient } =
    require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge');
  return new EventBridgeClient(baseOptions(config, 'events', options));
}

export function createSnsClient(config: KitConfig = loadConfig(), options?: ClientOptions): SNSClient {
  const { SNSClient } = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
  return new SNSClient(baseOptions(config, 'sns', options));
}

export function createCloudFormationClient(
  config: KitConfig = loadConfig(),
  options?: ClientOptions,
): CloudFormationClient {
  const { CloudFormationClient } =
    require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  return new CloudFormationClient(baseOptions(config, 'cloudformation', options));
}

export { baseOptions as clientOptionsFor };
