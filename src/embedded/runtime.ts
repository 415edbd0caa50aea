/**
 * The embedded tier in one call: a local S3, a local SageMaker-runtime endpoint (stub or real
 * model), the three real Lambda handlers wired through the config module, and the ASL run
 * in-process. Used by the CLI, the tests and the benchmarks.
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  createHandler as createClassifyHandler,
  ENDPOINT_CLIENT_OPTIONS,
} from '../../lambdas/classify-image/handler.ts';
import { createHandler as createFilterHandler } from '../../lambdas/filter-inferences/handler.ts';
import { createHandler as createSerializeHandler } from '../../lambdas/serialize-image-data/handler.ts';
import { createS3Client, createSageMakerRuntimeClient } from '../aws/clients.ts';
import { endpointEnvironment, type KitConfig, loadConfig } from '../config.ts';
import { arns, resourceNames } from '../deploy/names.ts';
import { loadDefinition, substitutionsFor } from '../workflow/definition.ts';
import type { ImageEvent } from '../workflow/types.ts';
import { type CaptureOptions, type EndpointServer, startEndpointServer } from './endpoint-server.ts';
import { EmbeddedEngine, type ExecutionRecord } from './engine.ts';
import type { LambdaHandler } from './lambda-integration.ts';
import { createStubPredictor, type Predictor } from './predictors.ts';
import { type LocalS3, startLocalS3 } from './s3-server.ts';

/** Where the embedded tier keeps its S3 data between runs. */
export const DEFAULT_DATA_DIR = '.scones/embedded';

export interface EmbeddedRuntimeOptions {
  /** Folder of the local S3 store; default `.scones/embedded` under the working directory. */
  dataDir?: string;
  /** What the endpoint serves (or how to load it once the local S3 is up); default the stub. */
  predictor?: Predictor | PredictorFactory;
  /** Extra settings, as environment variables (THRESHOLD, SCONES_BUCKET, ...). */
  env?: Record<string, string>;
  /** Milliseconds between retries instead of the ASL's intervals (tests). */
  retryDelayMs?: number;
  /** Endpoint data capture, as SageMaker's DataCaptureConfig. */
  capture?: CaptureOptions;
}

/** Loads what the endpoint serves, e.g. a model artifact from the local S3. */
export type PredictorFactory = (s3: S3Client, config: KitConfig) => Promise<Predictor>;

export interface EmbeddedRuntime {
  config: KitConfig;
  s3: S3Client;
  localS3: LocalS3;
  endpoint: EndpointServer;
  engine: EmbeddedEngine;
  run(event: ImageEvent, name?: string): Promise<ExecutionRecord>;
  stop(): Promise<void>;
}

export async function startEmbeddedRuntime(options: EmbeddedRuntimeOptions = {}): Promise<EmbeddedRuntime> {
  const baseConfig = loadConfig({ SCONES_TARGET: 'embedded', ...options.env });
  const localS3 = await startLocalS3({
    directory: path.resolve(options.dataDir ?? DEFAULT_DATA_DIR, 's3'),
    buckets: [baseConfig.bucket],
  });
  const s3Config = loadConfig({
    SCONES_TARGET: 'embedded',
    ...options.env,
    ...endpointEnvironment({ s3: localS3.endpoint }),
  });
  const s3 = createS3Client(s3Config);
  let endpoint: EndpointServer;
  try {
    const predictor =
      typeof options.predictor === 'function'
        ? await options.predictor(s3, s3Config)
        : (options.predictor ?? createStubPredictor());
    endpoint = await startEndpointServer({
      predictor,
      endpointName: baseConfig.endpointName,
      ...(options.capture ? { capture: { s3, ...options.capture } } : {}),
    });
  } catch (error) {
    s3.destroy();
    await localS3.stop();
    throw error;
  }
  const config = loadConfig({
    SCONES_TARGET: 'embedded',
    ...options.env,
    ...endpointEnvironment({ s3: localS3.endpoint, sagemakerRuntime: endpoint.url }),
  });
  const engine = createEngine(config, s3, options.retryDelayMs);
  return {
    config,
    s3,
    localS3,
    endpoint,
    engine,
    run: (event, name) => engine.run(event, name),
    async stop() {
      await endpoint.stop();
      await localS3.stop();
      s3.destroy();
    },
  };
}

/** The engine over the real handlers, with embedded ARNs named as a deployment would name them. */
function createEngine(config: KitConfig, s3: S3Client, retryDelayMs?: number): EmbeddedEngine {
  const names = resourceNames(config.stage);
  const arn = arns({ partition: 'aws', region: config.region, accountId: '000000000000' }, config);
  const functionArns = {
    serialize: arn.function(names.functions.serialize),
    classify: arn.function(names.functions.classify),
    filter: arn.function(names.functions.filter),
  };
  const runtime = createSageMakerRuntimeClient(config, ENDPOINT_CLIENT_OPTIONS);
  const functions: Record<string, LambdaHandler> = {
    [functionArns.serialize]: createSerializeHandler({ s3 }) as LambdaHandler,
    [functionArns.classify]: createClassifyHandler({
      runtime,
      endpointName: config.endpointName,
    }) as LambdaHandler,
    [functionArns.filter]: createFilterHandler({ threshold: config.threshold }) as LambdaHandler,
  };
  const definition = loadDefinition(
    substitutionsFor({ functionArns, reviewBucket: config.bucket, reviewPrefix: config.reviewPrefix }),
  );
  return new EmbeddedEngine({
    definition,
    functions,
    clients: { s3 },
    stateMachineArn: arn.stateMachine(names.stateMachine),
    ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
  });
}
