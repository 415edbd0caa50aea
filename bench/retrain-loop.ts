/**
 * The pieces of `npm run bench:retrain`'s loop, each over a running embedded stack (the same
 * services `scones up` serves): a drifting stream through the classification workflow, the
 * reviewers' step simulated with the images' known labels (the review page's own ground-truth
 * writes), accuracy of whatever serves the endpoint (InvokeEndpoint), a retraining execution, and
 * steady traffic that records how every execution ended.
 */
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { heldOutDraw } from '../lambdas/build-training-set/build.ts';
import type { EmbeddedRuntime } from '../src/embedded/runtime.ts';
import { degrade } from '../src/load/drift.ts';
import type { SourceImage } from '../src/load/source-images.ts';
import { seededRandom } from '../src/monitor/statistics/index.ts';
import { groundTruthLine, type ReviewLabel } from '../src/review/decisions.ts';
import { groundTruthKey } from '../src/review/layout.ts';
import type { ExecutionRecord } from '../src/workflow/execution.ts';
import { CLASS_LABELS } from '../src/workflow/types.ts';
import { forEachConcurrent } from '../training/concurrency.ts';

/** An image sent through the workflow, with what the simulated reviewer knows of it. */
export interface StreamedImage {
  key: string;
  label: string;
  png: Buffer;
  /** The inference id the workflow gave it (what ground truth is joined on). */
  inferenceId?: string;
  record?: ExecutionRecord;
}

/** The images degraded by full-strength noise, each seeded by its index (same bytes every run). */
export async function noisyCopies(
  images: SourceImage[],
  seed: number,
): Promise<{ label: string; png: Buffer }[]> {
  return Promise.all(
    images.map(async (image, index) => {
      if (!image.raw) throw new Error(`${image.key} was loaded without its pixels`);
      return { label: image.label, png: await degrade(image.raw, 'noise', 1, seededRandom(seed + index)) };
    }),
  );
}

/** Uploads each image under `prefix` and runs the classification workflow on it (`concurrency` at once). */
export async function classifyAll(
  runtime: EmbeddedRuntime,
  images: { label: string; png: Buffer }[],
  prefix: string,
  concurrency = 8,
): Promise<StreamedImage[]> {
  const bucket = runtime.config.bucket;
  const streamed: StreamedImage[] = images.map((image, index) => ({
    ...image,
    key: `${prefix}${String(index).padStart(5, '0')}.png`,
  }));
  await forEachConcurrent(streamed, concurrency, async (image) => {
    await runtime.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: image.key, Body: image.png, ContentType: 'image/png' }),
    );
    image.record = await runtime.run({ s3_bucket: bucket, s3_key: image.key });
    const output = image.record.output as { inference_id?: string } | undefined;
    if (output?.inference_id) image.inferenceId = output.inference_id;
  });
  return streamed;
}

/**
 * The reviewers' step: each classified image gets its known label, written exactly as the review
 * page writes a decision (ground_truth/yyyy/mm/dd/hh/<inference id>.jsonl, Model Monitor's format).
 */
export async function reviewAll(runtime: EmbeddedRuntime, images: StreamedImage[]): Promise<number> {
  let written = 0;
  const now = new Date();
  await forEachConcurrent(images, 16, async (image) => {
    if (!image.inferenceId) return;
    await runtime.s3.send(
      new PutObjectCommand({
        Bucket: runtime.config.bucket,
        Key: groundTruthKey(now, image.inferenceId),
        Body: groundTruthLine(image.label as ReviewLabel, image.inferenceId),
        ContentType: 'application/jsonl',
      }),
    );
    written++;
  });
  return written;
}

/** The reviewed images the retraining holds out for evaluation (its seeded draw, its default share). */
export function heldOut(images: StreamedImage[], seed = 'scones', share = 0.2): StreamedImage[] {
  return images.filter((image) => image.inferenceId && heldOutDraw(seed, image.inferenceId) < share);
}

/** Share of `images` the endpoint labels right (argmax of its answer); every call must answer. */
export async function endpointAccuracy(
  client: SageMakerRuntimeClient,
  endpointName: string,
  images: { label: string; png: Buffer }[],
): Promise<number> {
  let right = 0;
  await forEachConcurrent(images, 8, async (image) => {
    const answer = await client.send(
      new InvokeEndpointCommand({ EndpointName: endpointName, ContentType: 'image/png', Body: image.png }),
    );
    const scores = JSON.parse(Buffer.from(answer.Body ?? new Uint8Array()).toString('utf8')) as number[];
    const predicted = CLASS_LABELS[scores.indexOf(Math.max(...scores))];
    if (predicted === image.label) right++;
  });
  return right / images.length;
}

/** Executions of clean images, one after another on `lanes` lanes, until stopped; every record kept. */
export function steadyTraffic(runtime: EmbeddedRuntime, images: { label: string; png: Buffer }[], lanes = 4) {
  const records: ExecutionRecord[] = [];
  const thrown: string[] = [];
  let stopped = false;
  let sent = 0;
  const lane = async (laneIndex: number) => {
    while (!stopped) {
      const image = images[(sent++ * lanes + laneIndex) % images.length] as { png: Buffer };
      const key = `bench/rollout-traffic/${laneIndex}-${sent}.png`;
      try {
        await runtime.s3.send(
          new PutObjectCommand({ Bucket: runtime.config.bucket, Key: key, Body: image.png }),
        );
        records.push(await runtime.run({ s3_bucket: runtime.config.bucket, s3_key: key }));
      } catch (error) {
        thrown.push((error as Error).message);
      }
    }
  };
  const running = Promise.all(Array.from({ length: lanes }, (_, index) => lane(index)));
  return {
    records,
    thrown,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

/** Executions that ended neither decided nor failed with a named Error: lost. */
export function lostOf(records: ExecutionRecord[]): ExecutionRecord[] {
  return records.filter(
    (record) => !(record.status === 'SUCCEEDED' || (record.status === 'FAILED' && record.error)),
  );
}

/** Waits until the alarm is OK (a rolled-back canary's 5xx leave it in ALARM for a period or two). */
export async function alarmCleared(cloudwatch: CloudWatchClient, alarmName: string, timeoutMs = 300_000) {
  const started = Date.now();
  for (;;) {
    const { MetricAlarms } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
    const state = MetricAlarms?.[0]?.StateValue;
    if (state === 'OK') return Math.round((Date.now() - started) / 1000);
    if (Date.now() - started > timeoutMs)
      throw new Error(`alarm ${alarmName} still ${state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
