/**
 * The batch state machine (statemachine/image-batch.asl.json) on the embedded tier, end to end:
 * the real Lambda handlers over the local S3 and the stub endpoint, the Distributed Map supplied by
 * the engine, each image a nested execution of the one per-image definition, the ResultWriter files
 * and SummarizeBatch's summary.json in the local S3.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { createBatchEngine, type EmbeddedEngine } from '../../src/embedded/stepfunctions/index.ts';
import type {
  BatchItemOutput,
  BatchSummary,
  ResultManifest,
  ResultRecord,
} from '../../src/workflow/batch-types.ts';
import { BATCH_RESULTS_PREFIX } from '../../src/workflow/definition.ts';
import { forEachConcurrent } from '../../training/concurrency.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';
import { listKeys, readJson } from './helpers.ts';

let runtime: EmbeddedRuntime;
let batch: EmbeddedEngine;
let dataDir: string;
let bucket: string;

/** Uploads `count` images under `prefix`; those whose index is in `bad` are text, not images. */
async function upload(prefix: string, count: number, bad: number[] = []) {
  const pngs = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => rgbToPng((await readCifarRecord(i)).rgb)),
  );
  await forEachConcurrent(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      const Key = `${prefix}img-${String(i).padStart(4, '0')}.png`;
      const Body = bad.includes(i) ? `not an image ${i}` : (pngs[i % 10] as Buffer);
      await runtime.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    },
  );
}

async function results(name: string) {
  const keys = await listKeys(runtime.s3, bucket, `${BATCH_RESULTS_PREFIX}${name}/`);
  const manifestKey = keys.find((key) => key.endsWith('/manifest.json')) as string;
  const manifest = await readJson<ResultManifest>(runtime.s3, bucket, manifestKey);
  const records = async (status: keyof ResultManifest['ResultFiles']) => {
    const all: ResultRecord[] = [];
    for (const file of manifest.ResultFiles[status]) {
      all.push(...(await readJson<ResultRecord[]>(runtime.s3, bucket, file.Key)));
    }
    return all;
  };
  const summary = await readJson<BatchSummary>(
    runtime.s3,
    bucket,
    manifestKey.replace('manifest.json', 'summary.json'),
  );
  return { keys, manifestKey, manifest, records, summary };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-batch-'));
  runtime = await startEmbeddedRuntime({ dataDir, predictor: createStubPredictor(), retryDelayMs: 0 });
  bucket = runtime.config.bucket;
  batch = createBatchEngine(runtime.engine, {
    stage: runtime.config.stage,
    bucket,
    intakePrefix: runtime.config.intakePrefix,
    s3: runtime.s3,
    telemetry: { sink: runtime.runLog.write },
    retryDelayMs: 0,
  });
  await upload('five-hundred/', 500);
  await upload('mixed/', 40, [3, 17]);
  await upload('broken/', 20, [0, 1, 2, 5, 8, 13]);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the batch state machine on the embedded tier', () => {
  it('classifies a prefix of 500 images: 500 results in S3 and a summary whose counts add up', async () => {
    const record = await batch.run({ s3_bucket: bucket, s3_prefix: 'five-hundred/' }, 'batch-500');
    expect(record.status).toBe('SUCCEEDED');
    const summary = record.output as BatchSummary;
    expect(summary).toMatchObject({
      batch_execution: 'batch-500',
      status: 'SUCCEEDED',
      total: 500,
      succeeded: 500,
      failed: 0,
      pending: 0,
      errors: {},
      max_concurrency: 40, // the ASL's defaults
      tolerated_failure_percentage: 0,
    });
    expect(Object.values(summary.decisions).reduce((a, b) => a + b, 0)).toBe(500);
    const { manifest, records, summary: written, manifestKey } = await results('batch-500');
    expect(written).toEqual(summary);
    expect(summary.results.manifest).toBe(`s3://${bucket}/${manifestKey}`);
    expect(manifest.MapRunArn).toBe(summary.map_run_arn);
    expect(manifest.MapRunArn).toMatch(/:mapRun:scones-dev-image-batch\/ClassifyImages:[0-9a-f-]{36}$/);
    const succeeded = await records('SUCCEEDED');
    expect(succeeded).toHaveLength(500);
    const keys = new Set<string>();
    for (const item of succeeded) {
      const input = JSON.parse(item.Input) as { s3_key: string; execution_name: string };
      const output = JSON.parse(item.Output as string) as BatchItemOutput;
      expect(output.result.s3_key).toBe(input.s3_key);
      expect(['short-range', 'long-range', 'manual-review']).toContain(output.result.decision);
      // The nested classification is named after the batch and the item.
      expect(input.execution_name).toMatch(/^batch-500-\d+$/);
      expect(
        output.execution_arn.endsWith(`:execution:scones-dev-image-classification:${input.execution_name}`),
      ).toBe(true);
      keys.add(input.s3_key);
    }
    expect(keys.size).toBe(500);
    const decided = succeeded.map(
      (item) => (JSON.parse(item.Output as string) as BatchItemOutput).result.decision,
    );
    for (const [decision, count] of Object.entries(summary.decisions)) {
      expect(decided.filter((d) => d === decision)).toHaveLength(count);
    }
    expect(runtime.engine.executions.get('batch-500-0')?.status).toBe('SUCCEEDED');
  }, 120_000);

  it('succeeds with bad images within the tolerated share, and lists the failures', async () => {
    const record = await batch.run(
      { s3_bucket: bucket, s3_prefix: 'mixed/', tolerated_failure_percentage: 10 },
      'batch-mixed',
    );
    expect(record.status).toBe('SUCCEEDED');
    const summary = record.output as BatchSummary;
    expect(summary).toMatchObject({
      total: 40,
      succeeded: 38,
      failed: 2,
      errors: { InvalidImage: 2 },
      failure_percentage: 5,
    });
    expect(summary.failures.map((f) => f.s3_key).sort()).toEqual([
      'mixed/img-0003.png',
      'mixed/img-0017.png',
    ]);
    expect(summary.failures[0]).toMatchObject({
      error: 'InvalidImage',
      cause: expect.stringContaining('not a decodable image'),
    });
    const failed = await (await results('batch-mixed')).records('FAILED');
    expect(failed.map((r) => r.Error)).toEqual(['InvalidImage', 'InvalidImage']);
    // The image's own error and cause, read out of the nested execution's description.
    expect(JSON.parse(failed[0]?.Cause ?? '')).toMatchObject({ errorType: 'InvalidImage' });
  }, 60_000);

  it('fails beyond the tolerated share with States.ExceedToleratedFailureThreshold, after summarizing what ran', async () => {
    const record = await batch.run(
      { s3_bucket: bucket, s3_prefix: 'broken/', tolerated_failure_percentage: 10, max_concurrency: 2 },
      'batch-broken',
    );
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(record.cause).toMatch(
      /^The specified tolerated failure threshold was exceeded: \d+ of 20 images failed \([\d.]+%, tolerated 10%\), \d+ not started\. Summary: s3:\/\/.+\/summary\.json$/,
    );
    const { summary, records } = await results('batch-broken');
    expect(summary.status).toBe('FAILED');
    expect(summary.failed).toBeGreaterThan(2); // more than 10% of 20
    expect(summary.succeeded + summary.failed + summary.pending).toBe(20);
    expect((await records('PENDING')).length).toBe(summary.pending);
    expect(summary.errors).toEqual({ InvalidImage: summary.failed });
  }, 60_000);

  it('summarizes an empty prefix as an empty batch', async () => {
    const record = await batch.run({ s3_bucket: bucket, s3_prefix: 'nothing-here/' }, 'batch-empty');
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toMatchObject({ total: 0, succeeded: 0, failed: 0, pending: 0, errors: {} });
    const { keys, manifest } = await results('batch-empty');
    expect(manifest.ResultFiles).toEqual({ FAILED: [], PENDING: [], SUCCEEDED: [] });
    expect(keys.map((key) => key.split('/').at(-1)).sort()).toEqual(['manifest.json', 'summary.json']);
  });

  it('never runs more classifications at once than max_concurrency', async () => {
    let running = 0;
    let most = 0;
    const stop = runtime.engine.executions.subscribe((snapshot) => {
      if (!snapshot.name.startsWith('batch-bounded-')) return;
      running += snapshot.status === 'RUNNING' ? 1 : -1;
      most = Math.max(most, running);
    });
    try {
      const record = await batch.run(
        { s3_bucket: bucket, s3_prefix: 'five-hundred/img-00', max_concurrency: 4 },
        'batch-bounded',
      );
      expect(record.output).toMatchObject({ total: 100, succeeded: 100 });
    } finally {
      stop();
    }
    expect(most).toBe(4);
    expect(running).toBe(0);
  }, 60_000);

  it("never classifies an image twice: a nested name already used fails that item with StartExecution's error", async () => {
    // The classification `batch-again-0` ran before (say, a batch of that name ran on another day).
    await runtime.engine.run(
      { image_data: '', s3_bucket: bucket, s3_key: 'mixed/img-0000.png' },
      'batch-again-0',
    );
    const record = await batch.run(
      { s3_bucket: bucket, s3_prefix: 'mixed/img-000', tolerated_failure_percentage: 50 },
      'batch-again',
    );
    expect(record.output).toMatchObject({
      total: 10,
      failed: 2,
      errors: { 'StepFunctions.ExecutionAlreadyExistsException': 1, InvalidImage: 1 },
    });
    const refused = (record.output as BatchSummary).failures.find((f) => f.s3_key === 'mixed/img-0000.png');
    expect(refused?.cause).toContain(
      "Execution Already Exists: 'arn:aws:states:us-east-1:000000000000:execution:",
    );
  });

  it('fails with the ItemReader error when the bucket does not exist', async () => {
    const record = await batch.run({ s3_bucket: 'no-such-images', s3_prefix: '' }, 'batch-nobucket');
    expect(record).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(record.cause).toContain('NoSuchBucket');
  });
});
