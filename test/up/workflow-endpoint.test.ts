/**
 * The workflow's endpoint of `scones up` (in-process), through the stack's SageMaker API:
 * - no model: the stack starts with no endpoint; an upload fails, recorded with SageMaker's
 *   "Endpoint ... not found." as its Cause; an endpoint created through the API under the
 *   configured name (as `promote --target local` creates it) is what the next upload invokes;
 * - a trained model: deployed at start through the API (model, config with data capture,
 *   endpoint), described there as any endpoint, its traffic captured; a restart finds it InService
 *   and reuses it (same CreationTime, nothing recreated); `--stub` over the kept endpoint serves the
 *   stub under the name, also once the kept one is deleted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/config.ts';
import type { WorkflowEndpointFactory } from '../../src/embedded/runtime.ts';
import { imageClassificationUri } from '../../src/embedded/sagemaker/index.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { startUpStack, type UpStack } from '../../src/up/stack.ts';
import type { Predictor } from '../../src/workflow/predictor.ts';
import { packModel } from '../../training/artifact.ts';
import { useWasmBackend } from '../../training/backend.ts';
import { createServingModel } from '../../training/model.ts';
import { smallModelMetadata } from '../training/model-fixtures.ts';
import { bikePng, lineWith } from './support.ts';

const BUCKET = 'scones-images';
const MODEL_KEY = 'training-jobs/scones-local/output/model.tar.gz';
const MODEL_URL = `s3://${BUCKET}/${MODEL_KEY}`;
const ENDPOINT = 'scones-image-classification';

let archive: Buffer;
let png: Buffer;
const dirs: string[] = [];

beforeAll(async () => {
  await useWasmBackend();
  archive = await packModel(createServingModel({ filters: [4] }).model, smallModelMetadata());
  png = await bikePng();
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface Started {
  stack: UpStack;
  printed: string[];
  sagemaker: SageMakerClient;
  lineWith(...fragments: string[]): Promise<string>;
  put(key: string): Promise<void>;
  stop(): Promise<void>;
}

async function start(
  dataDir: string,
  endpoint: WorkflowEndpointFactory | { predictor: Predictor },
): Promise<Started> {
  const printed: string[] = [];
  const stack = await startUpStack({
    port: 0,
    dataDir,
    ...(typeof endpoint === 'function' ? { workflowEndpoint: endpoint } : endpoint),
    capture: {
      destinationS3Uri: `s3://${BUCKET}/data_capture`,
      samplingPercentage: 100,
      flushIntervalMs: 50,
    },
    retryDelayMs: 0,
    print: (line) => printed.push(line),
    log: () => {},
  });
  const sagemaker = new SageMakerClient({
    endpoint: stack.endpoint,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });
  return {
    stack,
    printed,
    sagemaker,
    lineWith: (...fragments) => lineWith(printed, fragments),
    async put(key) {
      await stack.runtime.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: png }));
    },
    async stop() {
      sagemaker.destroy();
      await stack.stop();
    },
  };
}

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scones-up-endpoint-'));
  dirs.push(dir);
  return dir;
}

/** The trained model in the stack's store, as `scones train` leaves it. */
const trainedModel: WorkflowEndpointFactory = async (s3: S3Client) => {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: MODEL_KEY, Body: archive }));
  return { modelDataUrl: MODEL_URL };
};

const decision = /(short-range|long-range|manual-review) {2}(bicycle|motorcycle) \d\.\d{3}/;

describe('scones up without a model', () => {
  it('starts with no endpoint; an upload fails with SageMaker\'s "not found", then the endpoint created through the API serves', async () => {
    const up = await start(await freshDir(), async () => undefined);
    try {
      expect(up.stack.runtime.modelEndpoint).toBeUndefined();
      await up.put('incoming/before.png');
      const failed = await up.lineWith('incoming/before.png', 'FAILED');
      expect(failed).toContain(
        `EndpointError: Endpoint "${ENDPOINT}" refused the request: ValidationError (HTTP 400): Endpoint ${ENDPOINT} of account 000000000000 not found.`,
      );
      // Recorded with its Error and Cause, as the Step Functions API describes it.
      const record = up.stack.runtime.engine.executions.latestForObject(BUCKET, 'incoming/before.png');
      const client = new SFNClient({
        endpoint: up.stack.endpoint,
        region: 'us-east-1',
        credentials: { ...LOCAL_CREDENTIALS },
      });
      const described = await client.send(
        new DescribeExecutionCommand({ executionArn: record?.executionArn }),
      );
      client.destroy();
      expect(described).toMatchObject({ status: 'FAILED', error: 'EndpointError' });
      expect(described.cause).toContain(`Endpoint ${ENDPOINT} of account 000000000000 not found.`);

      // As `scones promote --target local` does: the configured name, through the SageMaker API.
      await up.stack.runtime.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: MODEL_KEY, Body: archive }));
      await up.sagemaker.send(
        new CreateModelCommand({
          ModelName: 'promoted-model',
          PrimaryContainer: { Image: imageClassificationUri('us-east-1'), ModelDataUrl: MODEL_URL },
          ExecutionRoleArn: 'arn:aws:iam::000000000000:role/scones-local-sagemaker-role',
        }),
      );
      await up.sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'promoted-config',
          ProductionVariants: [
            {
              VariantName: 'AllTraffic',
              ModelName: 'promoted-model',
              InstanceType: 'ml.m5.large',
              InitialInstanceCount: 1,
            },
          ],
        }),
      );
      await up.sagemaker.send(
        new CreateEndpointCommand({ EndpointName: ENDPOINT, EndpointConfigName: 'promoted-config' }),
      );
      await expect
        .poll(
          async () =>
            (await up.sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }))).EndpointStatus,
          {
            timeout: 20_000,
            interval: 20,
          },
        )
        .toBe('InService');
      await up.put('incoming/after.png');
      expect(await up.lineWith('incoming/after.png')).toMatch(decision);
    } finally {
      await up.stop();
    }
  }, 60_000);
});

describe('scones up with a trained model', () => {
  it('deploys it through the SageMaker API with capture, and a restart reuses the endpoint InService', async () => {
    const dataDir = await freshDir();
    const first = await start(dataDir, trainedModel);
    let created: number | undefined;
    try {
      expect(first.stack.runtime.modelEndpoint).toMatchObject({ endpointName: ENDPOINT, action: 'created' });
      const described = await first.sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
      expect(described).toMatchObject({
        EndpointStatus: 'InService',
        EndpointConfigName: first.stack.runtime.modelEndpoint?.endpointConfigName,
        DataCaptureConfig: { EnableCapture: true, DestinationS3Uri: `s3://${BUCKET}/data_capture` },
      });
      created = described.CreationTime?.getTime();
      await first.put('incoming/model.png');
      expect(await first.lineWith('incoming/model.png')).toMatch(decision);
    } finally {
      await first.stop();
    }

    const second = await start(dataDir, trainedModel);
    try {
      expect(second.stack.runtime.modelEndpoint?.action).toBe('reused');
      const described = await second.sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
      expect(described.EndpointStatus).toBe('InService');
      expect(described.CreationTime?.getTime()).toBe(created);
      await second.put('incoming/again.png');
      expect(await second.lineWith('incoming/again.png')).toMatch(decision);
      // Both runs' inferences were captured under the endpoint's config destination.
      await expect
        .poll(
          async () =>
            (
              await second.stack.runtime.s3.send(
                new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `data_capture/${ENDPOINT}/AllTraffic/` }),
              )
            ).KeyCount,
          { timeout: 10_000, interval: 50 },
        )
        .toBeGreaterThanOrEqual(2);
    } finally {
      await second.stop();
    }

    // --stub over the kept endpoint: the stub answers under the name; deleting the kept one leaves it.
    const third = await start(dataDir, { predictor: createStubPredictor({ probabilities: [0.93, 0.07] }) });
    try {
      expect(third.stack.runtime.modelEndpoint).toBeUndefined();
      await third.put('incoming/stub.png');
      expect(await third.lineWith('incoming/stub.png')).toMatch(/short-range {2}bicycle 0\.930/);
      await third.sagemaker.send(new DeleteEndpointCommand({ EndpointName: ENDPOINT }));
      await expect
        .poll(
          () =>
            third.sagemaker
              .send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }))
              .catch((e) => e.name),
          {
            timeout: 10_000,
            interval: 20,
          },
        )
        .toBe('ValidationException');
      await third.put('incoming/stub-again.png');
      expect(await third.lineWith('incoming/stub-again.png')).toMatch(/short-range {2}bicycle 0\.930/);
    } finally {
      await third.stop();
    }
  }, 60_000);
});
