/**
 * End to end with a real model: the demo's path in small. Stage the shipped data into the local
 * S3, run a (tiny, fast) training job on it, serve the artifact from S3 on the endpoint with data
 * capture, and run the workflow over test images: real predictions decide the routes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTestImages } from '../../src/cli/demo.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { readCapturedInferences } from '../../src/monitor/sources/index.ts';
import { ModelPredictor } from '../../training/predictor.ts';
import { normalizePrefix, stage } from '../../training/stage.ts';
import { train } from '../../training/train-job.ts';

const PREFIX = normalizePrefix('datasets/cifar-100');
let runtime: EmbeddedRuntime;
let dataDir: string;
let modelUri = '';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-real-model-'));
  runtime = await startEmbeddedRuntime({
    dataDir,
    retryDelayMs: 0,
    capture: { destinationS3Uri: 's3://scones-images/data_capture', flushIntervalMs: 50 },
    predictor: async (s3, config) => {
      await stage({ s3Client: s3, bucket: config.bucket, prefix: PREFIX });
      const job = await train({
        s3Client: s3,
        bucket: config.bucket,
        prefix: PREFIX,
        output: `s3://${config.bucket}/training-jobs`,
        job: 'e2e-tiny',
        epochs: 3,
        seed: 3,
        hyperparameters: { members: 1, batchSize: 32, learningRate: 0.005, model: { filters: [8, 16] } },
      });
      modelUri = job.modelUri;
      return ModelPredictor.load(job.modelUri, { s3Client: s3 });
    },
  });
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('embedded workflow over a locally trained model', () => {
  it('routes real test images on real predictions, clearly better than chance, and captures the traffic', async () => {
    expect(modelUri).toBe('s3://scones-images/training-jobs/e2e-tiny/output/model.tar.gz');
    const images = await listTestImages(runtime.s3, runtime.config.bucket, PREFIX);
    expect(images).toHaveLength(200);
    const sample = images.filter((_, i) => i % 4 === 0);
    const records = await Promise.all(
      sample.map((image) => runtime.run({ s3_bucket: image.bucket, s3_key: image.key })),
    );

    expect(records.filter((r) => r.status !== 'SUCCEEDED')).toEqual([]);
    const outputs = records.map(
      (r) => r.output as { decision: string; predicted_label: string; inferences: number[] },
    );
    for (const output of outputs) {
      expect(output.inferences.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(['short-range', 'long-range', 'manual-review']).toContain(output.decision);
    }
    const correct = outputs.filter((output, i) => output.predicted_label === sample[i]?.label).length;
    expect(correct / sample.length).toBeGreaterThan(0.65);

    // Every invocation was captured, in SageMaker's format, with the probabilities the workflow saw.
    await runtime.endpoint.capture?.flush();
    const captured = await readCapturedInferences(runtime.s3, runtime.config.bucket, 'data_capture/');
    expect(captured).toHaveLength(sample.length);
    const seen = new Set(outputs.map((o) => JSON.stringify(o.inferences)));
    expect(captured.every((c) => seen.has(JSON.stringify(c.probabilities)))).toBe(true);
  }, 60_000);
});
