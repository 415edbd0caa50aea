/**
 * SummarizeBatch: the counts from the ResultWriter files, read as streams (records cut across
 * chunks, several files per status), the manifest found by prefix when the Map Run failed, the
 * first failures listed, clear errors for missing or broken results, and the event's validation.
 */
import { describe, expect, it } from 'vitest';
import { parseSummarizeEvent } from '../../lambdas/summarize-batch/handler.ts';
import {
  LISTED_FAILURES,
  type ResultsStore,
  type SummarizeRequest,
  summarizeBatch,
} from '../../lambdas/summarize-batch/summarize.ts';
import type { ResultManifest, ResultRecord } from '../../src/workflow/batch-types.ts';

const BUCKET = 'results';
const BATCH = {
  execution_name: 'batch-1',
  s3_bucket: 'images',
  s3_prefix: 'incoming/2026/',
  max_concurrency: 40,
  tolerated_failure_percentage: 5,
};

/** An in-memory S3 whose reads arrive `chunk` bytes at a time. */
function memoryStore(objects: Record<string, string>, chunk = 7) {
  const written: Record<string, unknown> = {};
  const store: ResultsStore = {
    async read(_bucket, key) {
      const text = objects[key];
      if (text === undefined) throw Object.assign(new Error(`no ${key}`), { name: 'NoSuchKey' });
      const bytes = new TextEncoder().encode(text);
      return (async function* () {
        for (let i = 0; i < bytes.length; i += chunk) yield bytes.slice(i, i + chunk);
      })();
    },
    async *list(_bucket, prefix) {
      for (const key of Object.keys(objects)
        .filter((k) => k.startsWith(prefix))
        .sort()) {
        yield { key, lastModified: new Date(key.includes('newer') ? 2_000 : 1_000) };
      }
    },
    async putJson(_bucket, key, value) {
      written[key] = value;
    },
  };
  return { store, written };
}

const succeeded = (key: string, decision: string): ResultRecord => ({
  ExecutionArn: `arn:x:${key}`,
  Input: JSON.stringify({ s3_key: key }),
  InputDetails: { Included: true },
  Output: JSON.stringify({ execution_arn: 'arn:c', result: { decision, s3_key: key } }),
  Status: 'SUCCEEDED',
});
const failed = (key: string, error: string): ResultRecord => ({
  Cause: JSON.stringify({ errorType: error, errorMessage: `${key} is broken`, trace: [] }),
  Error: error,
  ExecutionArn: `arn:x:${key}`,
  Input: JSON.stringify({ s3_key: key, note: 'ünïcode "quoted" \\ text' }),
  InputDetails: { Included: true },
  Status: 'FAILED',
});

function resultsOf(
  dir: string,
  files: Partial<Record<keyof ResultManifest['ResultFiles'], ResultRecord[][]>>,
) {
  const objects: Record<string, string> = {};
  const manifest: ResultManifest = {
    DestinationBucket: BUCKET,
    MapRunArn: 'arn:aws:states:us-east-1:1:mapRun:b/ClassifyImages:id',
    ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [] },
  };
  for (const [status, parts] of Object.entries(files) as [
    keyof ResultManifest['ResultFiles'],
    ResultRecord[][],
  ][]) {
    parts.forEach((records, index) => {
      const key = `${dir}${status}_${index}.json`;
      objects[key] = JSON.stringify(records);
      manifest.ResultFiles[status].push({ Key: key, Size: objects[key].length });
    });
  }
  objects[`${dir}manifest.json`] = JSON.stringify(manifest);
  return objects;
}

describe('summarizeBatch', () => {
  it('counts every record of every file per decision and per error, read chunk by chunk', async () => {
    const objects = resultsOf('batch-results/batch-1/id/', {
      SUCCEEDED: [
        [succeeded('a', 'short-range'), succeeded('b', 'long-range'), succeeded('c', 'long-range')],
        [succeeded('d', 'manual-review')],
      ],
      FAILED: [[failed('x', 'InvalidImage'), failed('y', 'ImageNotFound'), failed('z', 'InvalidImage')]],
    });
    const { store, written } = memoryStore(objects, 5);
    const request: SummarizeRequest = {
      manifest: { Bucket: BUCKET, Key: 'batch-results/batch-1/id/manifest.json' },
      batch: BATCH,
    };
    const summary = await summarizeBatch(store, request);
    expect(summary).toMatchObject({
      batch_execution: 'batch-1',
      status: 'SUCCEEDED',
      total: 7,
      succeeded: 4,
      failed: 3,
      pending: 0,
      decisions: { 'short-range': 1, 'long-range': 2, 'manual-review': 1 },
      errors: { InvalidImage: 2, ImageNotFound: 1 },
      failure_percentage: 42.86,
      failures_truncated: false,
      results: {
        manifest: 's3://results/batch-results/batch-1/id/manifest.json',
        summary: 's3://results/batch-results/batch-1/id/summary.json',
      },
    });
    expect(summary.failures).toEqual([
      { s3_key: 'x', error: 'InvalidImage', cause: 'x is broken', execution_arn: 'arn:x:x' },
      { s3_key: 'y', error: 'ImageNotFound', cause: 'y is broken', execution_arn: 'arn:x:y' },
      { s3_key: 'z', error: 'InvalidImage', cause: 'z is broken', execution_arn: 'arn:x:z' },
    ]);
    expect(Object.values(summary.decisions).reduce((a, b) => a + b, 0)).toBe(summary.succeeded);
    expect(written['batch-results/batch-1/id/summary.json']).toEqual(summary);
  });

  it('after a failed Map Run finds the newest manifest under the prefix and says why the batch failed', async () => {
    const objects = {
      ...resultsOf('batch-results/batch-1/older/', { SUCCEEDED: [[succeeded('a', 'short-range')]] }),
      ...resultsOf('batch-results/batch-1/newer/', {
        FAILED: [[failed('a', 'InvalidImage'), failed('b', 'InvalidImage')]],
        PENDING: [[{ Input: JSON.stringify({ s3_key: 'c' }), InputDetails: { Included: true } }]],
      }),
    };
    const { store } = memoryStore(objects);
    const summary = await summarizeBatch(store, {
      results: { Bucket: BUCKET, Prefix: 'batch-results/batch-1/' },
      map_run_failed: true,
      batch: BATCH,
    });
    expect(summary).toMatchObject({ status: 'FAILED', total: 3, failed: 2, pending: 1 });
    expect(summary.results.summary).toBe('s3://results/batch-results/batch-1/newer/summary.json');
    expect(summary.cause).toBe(
      'The specified tolerated failure threshold was exceeded: 2 of 3 images failed (66.67%, tolerated 5%), 1 not started. ' +
        'Summary: s3://results/batch-results/batch-1/newer/summary.json',
    );
  });

  it(`lists the first ${LISTED_FAILURES} failures and says there are more`, async () => {
    const many = Array.from({ length: LISTED_FAILURES + 20 }, (_, i) => failed(`k${i}`, 'InvalidImage'));
    const { store } = memoryStore(resultsOf('r/', { FAILED: [many] }), 4096);
    const summary = await summarizeBatch(store, {
      manifest: { Bucket: BUCKET, Key: 'r/manifest.json' },
      batch: BATCH,
    });
    expect(summary.failures).toHaveLength(LISTED_FAILURES);
    expect(summary).toMatchObject({ failed: LISTED_FAILURES + 20, failures_truncated: true });
  });

  it('summarizes an empty batch as zeros', async () => {
    const { store } = memoryStore(resultsOf('empty/', {}));
    const summary = await summarizeBatch(store, {
      manifest: { Bucket: BUCKET, Key: 'empty/manifest.json' },
      batch: BATCH,
    });
    expect(summary).toMatchObject({
      total: 0,
      succeeded: 0,
      failed: 0,
      pending: 0,
      failure_percentage: 0,
      errors: {},
    });
    expect(summary.decisions).toEqual({ 'short-range': 0, 'long-range': 0, 'manual-review': 0 });
  });

  it('names the problem when results are missing or broken', async () => {
    const { store } = memoryStore({
      'cut/manifest.json': JSON.stringify({
        DestinationBucket: BUCKET,
        MapRunArn: 'm',
        ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: 'cut/SUCCEEDED_0.json', Size: 10 }] },
      }),
      'cut/SUCCEEDED_0.json': '[{"Input": "{}", "Status": "SUCC',
      'notjson/manifest.json': 'nope',
    });
    await expect(
      summarizeBatch(store, { results: { Bucket: BUCKET, Prefix: 'nothing/' }, batch: BATCH }),
    ).rejects.toMatchObject({
      name: 'BatchResultsNotFound',
      message: 'no ResultWriter manifest.json under s3://results/nothing/',
    });
    await expect(
      summarizeBatch(store, { manifest: { Bucket: BUCKET, Key: 'cut/manifest.json' }, batch: BATCH }),
    ).rejects.toMatchObject({
      name: 'InvalidBatchResults',
      message: expect.stringContaining('s3://results/cut/SUCCEEDED_0.json'),
    });
    await expect(
      summarizeBatch(store, { manifest: { Bucket: BUCKET, Key: 'notjson/manifest.json' }, batch: BATCH }),
    ).rejects.toMatchObject({ name: 'InvalidBatchResults', message: expect.stringContaining('is not JSON') });
  });
});

describe('SummarizeBatch event', () => {
  const manifest = { Bucket: BUCKET, Key: 'k/manifest.json' };
  it('takes the manifest or the results prefix, and the batch settings', () => {
    expect(parseSummarizeEvent({ manifest, batch: BATCH })).toEqual({ manifest, batch: BATCH });
    expect(
      parseSummarizeEvent({ results: { Bucket: BUCKET, Prefix: 'p/' }, map_run_failed: true, batch: BATCH }),
    ).toEqual({ results: { Bucket: BUCKET, Prefix: 'p/' }, map_run_failed: true, batch: BATCH });
  });

  it('refuses an event it cannot act on, naming the field', () => {
    expect(() => parseSummarizeEvent({ batch: BATCH })).toThrow(/exactly one of "manifest" and "results"/);
    expect(() => parseSummarizeEvent({ manifest: { Bucket: BUCKET }, batch: BATCH })).toThrow(
      /no "Key" field/,
    );
    expect(() =>
      parseSummarizeEvent({ manifest, batch: { ...BATCH, tolerated_failure_percentage: 120 } }),
    ).toThrow(/"batch.tolerated_failure_percentage" must be a number from 0 to 100/);
    expect(() => parseSummarizeEvent('text')).toThrow(/must be a JSON object/);
  });
});
