/**
 * `npm run bench:batch`: one batch over a prefix of 10,000 images on the embedded tier (stub
 * endpoint): the batch state machine's Distributed Map, a nested classification per image, the
 * ResultWriter files and the summary. Figures: wall time, images/s, and the process's peak RSS and
 * heap (the listing is streamed and results go to files, so memory should not grow with the count).
 * `--images <n>` (default 10,000; `--quick`: 200), `--concurrency <n>` (MaxConcurrency, default the
 * ASL's 40); `--inject-failures <n>` makes n of the objects text, which the checks must then find.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startEmbeddedRuntime } from '../src/embedded/runtime.ts';
import { createStubPredictor } from '../src/embedded/sagemaker-runtime/index.ts';
import { createBatchEngine } from '../src/embedded/stepfunctions/index.ts';
import type { BatchSummary } from '../src/workflow/batch-types.ts';
import { forEachConcurrent } from '../training/concurrency.ts';
import { stageBenchImages } from './bench-images.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { finishBench } from './results.ts';

const args = benchArgs(['images', 'concurrency']);
const images = countOption(args.values.images, args.quick ? 200 : 10_000, 'images');
const concurrency =
  args.values.concurrency === undefined ? undefined : countOption(args.values.concurrency, 40, 'concurrency');
const PREFIX = 'bench-batch/';

const dataDir = await mkdtemp(path.join(tmpdir(), 'scones-bench-batch-'));
const runtime = await startEmbeddedRuntime({ dataDir, predictor: createStubPredictor() });
const checks = new BenchChecks();
try {
  const { pngs } = await stageBenchImages(runtime, Math.min(images, 1_000));
  const bad = new Set(
    Array.from({ length: args.injectFailures }, (_, i) => Math.floor((i * images) / args.injectFailures)),
  );
  console.error(`bench batch: uploading ${images} objects under ${PREFIX}`);
  await forEachConcurrent(
    Array.from({ length: images }, (_, i) => i),
    32,
    async (i) => {
      await runtime.s3.send(
        new PutObjectCommand({
          Bucket: runtime.config.bucket,
          Key: `${PREFIX}${String(i).padStart(6, '0')}.png`,
          Body: bad.has(i) ? 'not an image' : pngs[i % pngs.length],
        }),
      );
    },
  );
  const batch = createBatchEngine(runtime.engine, {
    stage: runtime.config.stage,
    bucket: runtime.config.bucket,
    intakePrefix: runtime.config.intakePrefix,
    s3: runtime.s3,
    telemetry: { sink: runtime.runLog.write },
  });
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    peakHeap = Math.max(peakHeap, heapUsed);
  };
  sample();
  const rssBefore = peakRss;
  const sampler = setInterval(sample, 200);
  console.error(`bench batch: classifying ${images} images as one batch`);
  const started = performance.now();
  const record = await batch.run(
    {
      s3_bucket: runtime.config.bucket,
      s3_prefix: PREFIX,
      tolerated_failure_percentage: bad.size > 0 ? 100 : 0,
      ...(concurrency === undefined ? {} : { max_concurrency: concurrency }),
    },
    'bench-batch',
  );
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  sample();
  const summary = record.output as BatchSummary | undefined;
  checks.expect(
    record.status === 'SUCCEEDED',
    `the batch ended ${record.status}: ${record.error} ${record.cause}`,
  );
  checks.expect(summary?.total === images, `the summary counts ${summary?.total} images of ${images}`);
  checks.expect(
    summary?.failed === bad.size,
    `${summary?.failed} images failed; ${bad.size} were made to fail`,
  );
  checks.expect(
    (summary?.succeeded ?? 0) + (summary?.failed ?? 0) === images,
    'succeeded + failed is not the number of images',
  );
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  await finishBench(
    'batch',
    {
      batch_images: images,
      batch_max_concurrency: summary?.max_concurrency ?? concurrency,
      batch_wall_ms: Math.round(wallMs),
      batch_images_per_s: Math.round((images * 1000) / wallMs),
      batch_succeeded: summary?.succeeded,
      batch_failed: summary?.failed,
      batch_decisions: summary?.decisions,
      batch_rss_before_mb: mb(rssBefore),
      batch_rss_peak_mb: mb(peakRss),
      batch_heap_peak_mb: mb(peakHeap),
    },
    checks,
  );
} finally {
  await runtime.stop();
  await rm(dataDir, { recursive: true, force: true });
}
