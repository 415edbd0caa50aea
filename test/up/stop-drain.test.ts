/**
 * `scones up` stop() with uploads in flight: the drain finishes their executions, and what those
 * write (each inference's captured record, each review item) is in S3 after stop. While it drains,
 * only new uploads under the intake prefix are refused; the S3 closes last.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { endpointEnvironment, LOCAL_CREDENTIALS, loadConfig } from '../../src/config.ts';
import { startLocalS3 } from '../../src/embedded/s3/index.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { startUpStack } from '../../src/up/stack.ts';
import { bikePng } from './support.ts';

const BUCKET = 'scones-images';
const UPLOADS = ['incoming/first.png', 'incoming/second.png', 'incoming/third.png'];

let dataDir: string | undefined;
afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

/** Every object under `prefix` of the stopped stack's store, read through a local S3 started over it. */
async function storedUnder(directory: string, prefix: string): Promise<Map<string, string>> {
  const store = await startLocalS3({ directory: path.join(directory, 's3') });
  const s3 = createS3Client(
    loadConfig({ SCONES_TARGET: 'embedded', ...endpointEnvironment({ s3: store.endpoint }) }),
  );
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    const objects = new Map<string, string>();
    for (const { Key } of listed.Contents ?? []) {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      objects.set(Key as string, (await object.Body?.transformToString()) ?? '');
    }
    return objects;
  } finally {
    s3.destroy();
    await store.stop();
  }
}

describe('scones up stop(): nothing the drain writes is lost', () => {
  it('uploads in flight at stop: their captured records and review items are in S3 after stop', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'scones-up-drain-'));
    // Below the 0.8 threshold: every upload ends in a review item.
    const stub = createStubPredictor({ probabilities: [0.55, 0.45] });
    const logged: string[] = [];
    const stack = await startUpStack({
      port: 0,
      dataDir,
      predictor: stub,
      retryDelayMs: 0,
      // Written at stop only: the records of the drain are what is checked.
      capture: {
        destinationS3Uri: `s3://${BUCKET}/data_capture`,
        samplingPercentage: 100,
        flushIntervalMs: 600_000,
      },
      print: () => {},
      log: (line) => logged.push(line),
    });
    const png = await bikePng();
    const client = new S3Client({
      endpoint: stack.endpoint,
      region: 'us-east-1',
      credentials: { ...LOCAL_CREDENTIALS },
      forcePathStyle: true,
      maxAttempts: 1,
    });
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // Each execution waits on the endpoint, so all are in flight when stop() begins.
      stack.runtime.endpoint.faults.setLatency(800);
      for (const key of UPLOADS)
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: png }));
      await expect.poll(() => stack.inFlight, { timeout: 10_000, interval: 10 }).toBe(UPLOADS.length);
      const stopping = stack.stop();
      // While it drains: an upload under the intake prefix is refused (it would start nothing) ...
      await expect(
        client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/late.png', Body: png })),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
      // ... a write elsewhere is taken.
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'notes/while-draining.txt', Body: 'kept' }),
      );
      await stopping;
      const { executions } = stack.runtime.engine;
      for (const key of UPLOADS)
        expect(executions.latestForObject(BUCKET, key)?.status, key).toBe('SUCCEEDED');
      const notWritten = stderr.mock.calls.flat().filter((line) => String(line).includes('not written'));
      expect(notWritten).toEqual([]);
    } finally {
      stderr.mockRestore();
      client.destroy();
    }

    const review = await storedUnder(dataDir, 'review/');
    expect(review.size).toBe(UPLOADS.length);
    const reviewed = [...review.values()]
      .map((item) => (JSON.parse(item) as { s3_key?: string }).s3_key)
      .sort();
    expect(reviewed).toEqual([...UPLOADS].sort());
    const captured = [...(await storedUnder(dataDir, 'data_capture/')).values()]
      .flatMap((file) => file.trim().split('\n'))
      .map((line) => JSON.parse(line) as { captureData: { endpointOutput?: { data: string } } });
    expect(captured).toHaveLength(UPLOADS.length);
    for (const record of captured) expect(record.captureData.endpointOutput?.data).toContain('0.55');
    expect((await storedUnder(dataDir, 'notes/')).get('notes/while-draining.txt')).toBe('kept');
    expect((await storedUnder(dataDir, 'incoming/')).has('incoming/late.png')).toBe(false);
    expect(logged.filter((line) => line.includes('not written'))).toEqual([]);
  }, 60_000);
});
