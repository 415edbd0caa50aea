/**
 * The serialize function runs in the local S3's worker thread (thread-functions.ts): its outcomes,
 * errors and log lines must be those of the same function in the engine's thread.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import type { ExecutionRecord } from '../../src/workflow/execution.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';

interface Tier {
  runtime: EmbeddedRuntime;
  dataDir: string;
}

async function startTier(s3Thread: boolean): Promise<Tier> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `scones-thread-functions-${s3Thread}-`));
  const runtime = await startEmbeddedRuntime({
    dataDir,
    s3Thread,
    retryDelayMs: 0,
    runId: 'run',
    predictor: createStubPredictor({ probabilities: [0.93, 0.07] }),
  });
  const put = async (key: string, body: Uint8Array | string) =>
    runtime.s3.send(new PutObjectCommand({ Bucket: runtime.config.bucket, Key: key, Body: body }));
  await put('images/bike.png', await rgbToPng((await readCifarRecord(0)).rgb));
  await put('images/notes.png', 'not an image at all');
  return { runtime, dataDir };
}

const run = (tier: Tier, key: string) =>
  tier.runtime.run({ s3_bucket: tier.runtime.config.bucket, s3_key: key });

/** The Cause of a Lambda function error, as the engine recorded it. */
function causeOf(record: ExecutionRecord): { errorType: string; errorMessage: string; trace: string[] } {
  return JSON.parse(record.cause ?? '{}');
}

describe('the serialize function in the local S3 thread', () => {
  let threaded: Tier;
  let inThread: Tier;

  beforeAll(async () => {
    [threaded, inThread] = await Promise.all([startTier(true), startTier(false)]);
  });
  afterAll(async () => {
    for (const tier of [threaded, inThread]) {
      await tier?.runtime.stop();
      if (tier) await rm(tier.dataDir, { recursive: true, force: true });
    }
  });

  it('runs there only when the S3 has its thread', () => {
    expect(Object.keys(threaded.runtime.threads)).toEqual(['S3 thread']);
    expect(inThread.runtime.threads).toEqual({});
  });

  it('decides as in the engine thread', async () => {
    const [a, b] = await Promise.all([run(threaded, 'images/bike.png'), run(inThread, 'images/bike.png')]);
    expect(a.status).toBe('SUCCEEDED');
    expect(a.output).toEqual({
      ...(b.output as object),
      inference_id: (a.output as { inference_id: string }).inference_id,
    });
    expect(a.output).toMatchObject({ decision: 'short-range', confidence: 0.93 });
  });

  it('fails with the same errorType and message, the Cause a Lambda function error has', async () => {
    for (const key of ['images/missing.png', 'images/notes.png']) {
      const [a, b] = await Promise.all([run(threaded, key), run(inThread, key)]);
      expect(a.status).toBe('FAILED');
      expect(a.error).toBe(b.error);
      expect(causeOf(a).errorType).toBe(a.error);
      expect(causeOf(a).errorMessage).toBe(causeOf(b).errorMessage);
      expect(causeOf(a).trace.length).toBeGreaterThan(1);
    }
    expect((await run(threaded, 'images/missing.png')).error).toBe('ImageNotFound');
    expect((await run(threaded, 'images/notes.png')).error).toBe('InvalidImage');
  });

  it("writes its log and metric lines to the run's log by the time the execution ends", async () => {
    const before = threaded.runtime.runLog.lines;
    const record = await run(threaded, 'images/bike.png');
    expect(threaded.runtime.runLog.lines).toBeGreaterThan(before);
    await threaded.runtime.runLog.close();
    const lines = (await readFile(threaded.runtime.runLog.path, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const serialized = lines.filter((line) => line.message === 'image serialized');
    expect(serialized.length).toBeGreaterThan(0);
    expect(serialized.at(-1)).toMatchObject({ s3_key: 'images/bike.png', width: 32, source_format: 'png' });
    // One handler instance in the thread: one cold start, whatever the number of invocations.
    const coldStarts = serialized.filter((line) => line.cold_start === true);
    expect(coldStarts).toHaveLength(1);
    expect(record.status).toBe('SUCCEEDED');
  });
});

describe('a local S3 thread that is gone', () => {
  it('fails the serialize invocation with Lambda.ServiceException, which the ASL retries', async () => {
    const tier = await startTier(true);
    try {
      await (
        tier.runtime.threads['S3 thread'] as NonNullable<EmbeddedRuntime['threads'][string]>
      ).terminate();
      const record = await run(tier, 'images/bike.png');
      expect(record.status).toBe('FAILED');
      expect(record.error).toBe('Lambda.ServiceException');
      expect(record.history.filter((event) => event.type === 'StateRetried').length).toBeGreaterThan(0);
    } finally {
      await tier.runtime.stop();
      await rm(tier.dataDir, { recursive: true, force: true });
    }
  });
});
