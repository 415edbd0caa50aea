/**
 * The embedded runtime's workflow endpoint without a stack (`scones demo`, `classify`, `load`):
 * a trained model deployed through the local SageMaker API (in-process), kept under the data
 * folder and reused by the next run; the stub registered by name in the fleet; or no endpoint, where
 * InvokeEndpoint answers as SageMaker does and the server has no container routes of its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/config.ts';
import { startEmbeddedRuntime, type WorkflowEndpointFactory } from '../../src/embedded/runtime.ts';
import { packModel } from '../../training/artifact.ts';
import { useWasmBackend } from '../../training/backend.ts';
import { createServingModel } from '../../training/model.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';
import { smallModelMetadata } from '../training/model-fixtures.ts';

const BUCKET = 'scones-images';
const MODEL_KEY = 'training-jobs/scones-local/output/model.tar.gz';
let archive: Buffer;
let png: Buffer;
const dirs: string[] = [];

beforeAll(async () => {
  await useWasmBackend();
  archive = await packModel(createServingModel({ filters: [4] }).model, smallModelMetadata());
  png = await rgbToPng((await readCifarRecord(0)).rgb);
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scones-workflow-endpoint-'));
  dirs.push(dir);
  return dir;
}

const trainedModel: WorkflowEndpointFactory = async (s3) => {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: MODEL_KEY, Body: archive }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'test/bike.png', Body: png }));
  return { modelDataUrl: `s3://${BUCKET}/${MODEL_KEY}` };
};

function runtimeClient(url: string) {
  return new SageMakerRuntimeClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });
}

describe('the embedded runtime (no stack): its workflow endpoint', () => {
  it('a trained model: deployed through the local SageMaker API, then reused by the next run', async () => {
    const dataDir = await freshDir();
    const options = { dataDir, retryDelayMs: 0, s3Thread: false, workflowEndpoint: trainedModel };
    const first = await startEmbeddedRuntime(options);
    let created: unknown;
    try {
      expect(first.modelEndpoint).toMatchObject({
        endpointName: 'scones-image-classification',
        action: 'created',
      });
      const described = (await first.sagemaker?.call('DescribeEndpoint', {
        EndpointName: 'scones-image-classification',
      })) as { EndpointStatus: string; CreationTime: number };
      expect(described.EndpointStatus).toBe('InService');
      created = described.CreationTime;
      // No model of the server's own: the fleet serves the endpoint the API deployed.
      expect(first.endpoint.predictor).toBeUndefined();
      const record = await first.run({ s3_bucket: BUCKET, s3_key: 'test/bike.png' });
      expect(record.status).toBe('SUCCEEDED');
      const { inferences } = record.output as { inferences: number[] };
      expect(inferences.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 4);
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedRuntime(options);
    try {
      expect(second.modelEndpoint?.action).toBe('reused');
      const described = (await second.sagemaker?.call('DescribeEndpoint', {
        EndpointName: 'scones-image-classification',
      })) as { EndpointStatus: string; CreationTime: number };
      expect(described).toMatchObject({ EndpointStatus: 'InService', CreationTime: created });
      expect((await second.run({ s3_bucket: BUCKET, s3_key: 'test/bike.png' })).status).toBe('SUCCEEDED');
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('the stub, registered by name: other names are refused as SageMaker refuses an unknown endpoint', async () => {
    const runtime = await startEmbeddedRuntime({ dataDir: await freshDir(), s3Thread: false });
    const client = runtimeClient(runtime.endpoint.url);
    try {
      expect(runtime.modelEndpoint).toBeUndefined();
      expect(runtime.sagemaker).toBeUndefined();
      const answer = await client.send(
        new InvokeEndpointCommand({
          EndpointName: 'scones-image-classification',
          ContentType: 'image/png',
          Body: png,
        }),
      );
      expect(answer.InvokedProductionVariant).toBe('AllTraffic');
      expect(runtime.endpoint.invocations).toBe(1);
      await expect(
        client.send(
          new InvokeEndpointCommand({ EndpointName: 'elsewhere', ContentType: 'image/png', Body: png }),
        ),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        message: 'Endpoint elsewhere of account 000000000000 not found.',
        $metadata: { httpStatusCode: 400 },
      });
    } finally {
      client.destroy();
      await runtime.stop();
    }
  });

  it('none: the workflow fails with SageMaker\'s "not found"; the server has no container routes of its own', async () => {
    const runtime = await startEmbeddedRuntime({
      dataDir: await freshDir(),
      retryDelayMs: 0,
      s3Thread: false,
      workflowEndpoint: async (s3) => {
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'test/bike.png', Body: png }));
        return undefined;
      },
    });
    try {
      const record = await runtime.run({ s3_bucket: BUCKET, s3_key: 'test/bike.png' });
      expect(record).toMatchObject({ status: 'FAILED', error: 'EndpointError' });
      expect(record.cause).toContain(
        'Endpoint scones-image-classification of account 000000000000 not found.',
      );
      const ping = await fetch(`${runtime.endpoint.url}/ping`);
      expect(ping.status).toBe(404);
      expect(await ping.text()).toContain('this server has no model of its own');
      expect((await fetch(`${runtime.endpoint.url}/_stub/behavior`)).status).toBe(404);
    } finally {
      await runtime.stop();
    }
  });
});
