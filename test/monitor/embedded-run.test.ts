/**
 * The monitor over what an embedded run really writes: the workflow on the embedded tier (stub
 * endpoint with data capture) leaves SageMaker-format capture records carrying the inference id,
 * and the Lambdas' EMF lines in the run's log file; the monitor reads both and they agree.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { runMonitor } from '../../src/monitor/index.ts';
import { groundTruthLine } from '../../src/review/decisions.ts';
import { groundTruthKey } from '../../src/review/layout.ts';
import { inferenceIdFor } from '../../src/workflow/inference-id.ts';
import { openDataDir } from './support/synthetic-data-dir.ts';

const RUNS = 24;
let dataDir: string;
let runtime: EmbeddedRuntime;
let names: string[];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-monitor-run-'));
  runtime = await startEmbeddedRuntime({
    dataDir,
    retryDelayMs: 0,
    capture: { destinationS3Uri: 's3://scones-images/data_capture', flushIntervalMs: 50 },
  });
  const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#3060a0' } })
    .png()
    .toBuffer();
  await runtime.s3.send(
    new PutObjectCommand({ Bucket: runtime.config.bucket, Key: 'intake/bike.png', Body: png }),
  );
  names = Array.from({ length: RUNS }, (_, i) => `monitor-run-${i}`);
  for (const name of names)
    await runtime.run({ s3_bucket: runtime.config.bucket, s3_key: 'intake/bike.png' }, name);
  // Reviewers label five of them (as `scones review` writes labels), one as neither vehicle.
  for (const [i, label] of (['bicycle', 'bicycle', 'motorcycle', 'bicycle', 'neither'] as const).entries()) {
    const id = inferenceIdFor(names[i] as string);
    await runtime.s3.send(
      new PutObjectCommand({
        Bucket: runtime.config.bucket,
        Key: groundTruthKey(new Date(), id),
        Body: groundTruthLine(label, id),
      }),
    );
  }
  await runtime.stop();
}, 120_000);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('monitor over an embedded run', () => {
  it('joins the captured traffic, the Lambdas\u2019 metrics and the reviewers\u2019 labels of the same executions', async () => {
    const opened = await openDataDir(dataDir);
    try {
      const { report, context } = await runMonitor({
        sources: opened.sources,
        settings: { threshold: 0.8, range: {} },
      });
      expect(report.totals.inferences).toBe(RUNS);
      // Every record carries the execution's inference id (nothing captured without one).
      expect(report.windows.reduce((sum, w) => sum + w.withoutInferenceId, 0)).toBe(0);
      expect(context.notes.join(' ')).not.toMatch(/no inferenceId/);
      const decisions = report.windows.reduce(
        (sum, w) => sum + Object.values(w.metrics.decisions).reduce((a, b) => a + b, 0),
        0,
      );
      expect(decisions).toBe(RUNS);
      const latencySamples = report.windows.reduce((sum, w) => sum + (w.metrics.latency?.count ?? 0), 0);
      expect(latencySamples).toBe(RUNS);
      expect(context.sources.join('\n')).toMatch(/metrics: EMF lines in .*logs \(1 files/);
      // The labels join on the inference id: four scored, one unusable.
      expect(report.totals).toMatchObject({ labels: 4, unusableLabels: 1 });
    } finally {
      await opened.close();
    }
  }, 60_000);
});
