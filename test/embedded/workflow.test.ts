/**
 * End to end on the embedded tier: the ASL in-process over the three real handlers, the local S3
 * and the stub SageMaker endpoint over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { payloadSize, STATE_PAYLOAD_LIMIT_BYTES } from '../../src/embedded/stepfunctions/index.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';

const stub = createStubPredictor();
let runtime: EmbeddedRuntime;
let dataDir: string;

async function put(key: string, body: Buffer | string) {
  await runtime.s3.send(new PutObjectCommand({ Bucket: runtime.config.bucket, Key: key, Body: body }));
  return { image_data: '', s3_bucket: runtime.config.bucket, s3_key: key };
}

const cifarPng = async (index: number) => rgbToPng((await readCifarRecord(index)).rgb);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-workflow-'));
  runtime = await startEmbeddedRuntime({ dataDir, predictor: stub, retryDelayMs: 0 });
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  stub.reset();
  await runtime.endpoint.faults.reset();
});

describe('embedded workflow', () => {
  it('routes a confident bicycle to short-range', async () => {
    stub.setProbabilities([0.93, 0.07]);
    const record = await runtime.run(await put('images/bike.png', await cifarPng(0)));
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toMatchObject({
      decision: 'short-range',
      predicted_label: 'bicycle',
      confidence: 0.93,
    });
  });

  it('routes a confident motorcycle to long-range', async () => {
    stub.setProbabilities([0.12, 0.88]);
    const record = await runtime.run(await put('images/moto.png', await cifarPng(150)));
    expect(record.output).toMatchObject({
      decision: 'long-range',
      predicted_label: 'motorcycle',
      confidence: 0.88,
    });
  });

  it('flags low confidence for manual review and records a review item in S3', async () => {
    stub.setProbabilities([0.55, 0.45]);
    const record = await runtime.run(await put('images/unsure.png', await cifarPng(1)), 'unsure-1');
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toMatchObject({
      decision: 'manual-review',
      review_item: { bucket: runtime.config.bucket, key: 'review/unsure-1.json' },
    });
    const item = await runtime.s3.send(
      new GetObjectCommand({ Bucket: runtime.config.bucket, Key: 'review/unsure-1.json' }),
    );
    const review = JSON.parse((await item.Body?.transformToString()) ?? '{}');
    expect(review).toMatchObject({
      s3_key: 'images/unsure.png',
      inferences: [0.55, 0.45],
      confident: false,
      threshold: 0.8,
    });
    expect(Date.parse(review.decided_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('retries an endpoint that answers 503 twice, then succeeds', async () => {
    stub.setProbabilities([0.9, 0.1]);
    runtime.endpoint.faults.failNext(2, 503);
    const record = await runtime.run(await put('images/retry.png', await cifarPng(2)));
    expect(record.status).toBe('SUCCEEDED');
    const retries = record.history.filter((e) => e.type === 'StateRetried');
    expect(retries.map((e) => e.state?.name)).toEqual(['ClassifyImage', 'ClassifyImage']);
  });

  it('fails with EndpointUnavailable and its cause after the retries when the endpoint is down', async () => {
    await runtime.endpoint.faults.refuseConnections();
    const input = await put('images/down.png', await cifarPng(3));
    const record = await runtime.run(input);
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('EndpointUnavailable');
    expect(JSON.parse(record.cause ?? '{}').errorMessage).toContain(runtime.config.endpointName);
    expect(record.history.filter((e) => e.type === 'StateRetried')).toHaveLength(3);
    expect(
      record.history.some((e) => e.type === 'StateEntered' && e.state?.name === 'ClassificationFailed'),
    ).toBe(true);
    // Nothing is lost: the input image is still where it was.
    await expect(
      runtime.s3.send(new HeadObjectCommand({ Bucket: input.s3_bucket, Key: input.s3_key })),
    ).resolves.toBeDefined();
  });

  it('keeps every state payload under 256 KiB for an image that would exceed it if passed raw', async () => {
    // Random pixels do not compress: about 1 MiB of PNG, 1.4 MiB as base64.
    const large = await rgbToPng(randomBytes(600 * 600 * 3), 600, 600);
    expect(Math.ceil(large.length / 3) * 4).toBeGreaterThan(STATE_PAYLOAD_LIMIT_BYTES);
    stub.setProbabilities([0.2, 0.8]);
    const record = await runtime.run(await put('images/large.png', large));
    expect(record.status).toBe('SUCCEEDED');
    const largest = Math.max(...record.history.map((e) => payloadSize(e.state?.output ?? null)));
    expect(largest).toBeLessThan(STATE_PAYLOAD_LIMIT_BYTES / 16);
  });

  it('fails a text object with InvalidImage, naming the object', async () => {
    const callsBefore = stub.calls;
    const record = await runtime.run(await put('images/not-an-image.png', 'hello, I am text'));
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('InvalidImage');
    expect(record.cause).toContain('images/not-an-image.png');
    expect(stub.calls).toBe(callsBefore); // refused before the endpoint
  });

  it('fails a missing object with ImageNotFound', async () => {
    const record = await runtime.run({
      image_data: '',
      s3_bucket: runtime.config.bucket,
      s3_key: 'images/nope.png',
    });
    expect(record.error).toBe('ImageNotFound');
  });
});
