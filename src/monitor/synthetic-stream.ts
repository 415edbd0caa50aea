/**
 * Seeded synthetic traffic for the monitor's tests and benchmark: a steady stream (a good model:
 * confident, calibrated, a 50/50 class mix) or a degrading one (from `driftOnset` on, confidence
 * falls and the mix shifts towards class 0, as when the street photos change). The records go
 * through the real writers: DataCapture for the capture files, the review layout for ground truth,
 * and EMF lines named as the Lambdas name their metrics.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_PREFIX } from '../../training/stage.ts';
import { manifestKey, normalizePrefix } from '../../training/staged-layout.ts';
import { DataCapture, type Invocation } from '../embedded/sagemaker-runtime/index.ts';
import { groundTruthLine, type ReviewLabel } from '../review/decisions.ts';
import { groundTruthKey } from '../review/layout.ts';
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../workflow/metrics.ts';
import { seededRandom } from './statistics/index.ts';

export interface SyntheticStreamOptions {
  count: number;
  startMs: number;
  spanMs: number;
  seed?: number;
  /** Degrade from this fraction of the stream on (0-1); undefined: a steady stream. */
  driftOnset?: number;
}

export interface SyntheticInference {
  timeMs: number;
  inferenceId: string;
  probabilities: number[];
  predicted: number;
  confidence: number;
  trueClass: number;
  latencyMs: number;
}

/** How far into its degradation the stream is at fraction `f` of it (0 = not at all, 1 = fully). */
function severity(f: number, onset: number | undefined): number {
  if (onset === undefined || f <= onset) return 0;
  return Math.min(1, (f - onset) / Math.max(1e-9, 1 - onset));
}

export function* syntheticInferences(options: SyntheticStreamOptions): Generator<SyntheticInference> {
  const random = seededRandom(options.seed ?? 1);
  for (let i = 0; i < options.count; i++) {
    const f = i / options.count;
    const s = severity(f, options.driftOnset);
    // Class mix 50/50 -> 85/15; confidence 0.5 + 0.5 * Beta(a, 1), a from 6 (mean 0.93) to 1.2 (0.77).
    const trueClass = random() < 0.5 + 0.35 * s ? 0 : 1;
    const shape = 6 - 4.8 * s;
    const confidence = 0.5 + 0.5 * random() ** (1 / shape);
    // Calibrated: right as often as it is confident.
    const predicted = random() < confidence ? trueClass : 1 - trueClass;
    const probabilities = predicted === 0 ? [confidence, 1 - confidence] : [1 - confidence, confidence];
    // Log-normal latency around 4 ms (Box-Muller).
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    yield {
      timeMs: options.startMs + Math.floor(f * options.spanMs),
      inferenceId: `synthetic-${options.seed ?? 1}-${i}`,
      probabilities,
      predicted,
      confidence,
      trueClass,
      latencyMs: Math.round(4 * Math.exp(0.35 * z) * 1000) / 1000,
    };
  }
}

/** About the size of one of the kit's 32x32 PNGs: the capture carries the input, as SageMaker's does. */
const FAKE_PNG = Buffer.alloc(2600, 0x5a);

export function invocationOf(inference: SyntheticInference): Invocation {
  return {
    input: FAKE_PNG,
    inputContentType: 'image/png',
    output: Buffer.from(JSON.stringify(inference.probabilities)),
    outputContentType: 'application/json',
    inferenceId: inference.inferenceId,
    time: new Date(inference.timeMs),
  };
}

/** Writes one ground-truth object per label, in the review layout (`ground_truth/yyyy/mm/dd/hh/<id>.jsonl`). */
export async function putGroundTruth(
  s3: S3Client,
  bucket: string,
  labels: readonly { inferenceId: string; label: string; collectedAt: Date }[],
): Promise<void> {
  for (const { inferenceId, label, collectedAt } of labels) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: groundTruthKey(collectedAt, inferenceId),
        Body: groundTruthLine(label as ReviewLabel, inferenceId),
      }),
    );
  }
}

function emfLine(
  timeMs: number,
  functionName: string,
  metrics: Record<string, [string, number]>,
  extra: Record<string, string> = {},
) {
  const dims = [DIMENSION.service, DIMENSION.functionName, ...Object.keys(extra)];
  return JSON.stringify({
    _aws: {
      Timestamp: timeMs,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [dims],
          Metrics: Object.entries(metrics).map(([name, [unit]]) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    [DIMENSION.service]: SERVICE_NAME,
    [DIMENSION.functionName]: functionName,
    ...extra,
    ...Object.fromEntries(Object.entries(metrics).map(([name, [, value]]) => [name, value])),
  });
}

/** The EMF lines the classify and filter Lambdas print for one inference. */
export function emfLinesOf(
  inference: SyntheticInference,
  threshold: number,
  classNames: readonly string[],
): string[] {
  const confident = inference.confidence >= threshold;
  const label = classNames[inference.predicted];
  const route = !confident ? 'manual-review' : label === 'bicycle' ? 'short-range' : 'long-range';
  return [
    emfLine(inference.timeMs, 'ClassifyImage', {
      [METRIC.modelLatency]: ['Milliseconds', inference.latencyMs],
    }),
    emfLine(inference.timeMs, 'FilterInferences', {
      [METRIC.confidence]: ['None', inference.confidence],
      [METRIC.lowConfidence]: ['Count', confident ? 0 : 1],
    }),
    emfLine(
      inference.timeMs,
      'FilterInferences',
      { [METRIC.decisions]: ['Count', 1] },
      { [DIMENSION.route]: route },
    ),
  ];
}

export interface SyntheticTarget {
  s3: S3Client;
  bucket: string;
  endpointName: string;
  /** Folder for the EMF lines (`<data dir>/logs`); none written when absent. */
  logsDir?: string;
}

export interface SyntheticWriteOptions extends SyntheticStreamOptions {
  threshold?: number;
  /** Share of the inferences a reviewer labels (uniformly chosen; default 0.1). */
  labelShare?: number;
  /** Images per class in a staged training manifest written alongside (default 450 each of 2). */
  trainingMix?: readonly number[];
  classNames?: readonly string[];
}

export interface SyntheticWritten {
  records: number;
  labels: number;
  emfLines: number;
}

/** Writes a synthetic stream as the kit would: capture files, ground truth, EMF lines, a training manifest. */
export async function writeSyntheticStream(
  target: SyntheticTarget,
  options: SyntheticWriteOptions,
): Promise<SyntheticWritten> {
  const classNames = options.classNames ?? ['bicycle', 'motorcycle'];
  const threshold = options.threshold ?? 0.8;
  const labelShare = options.labelShare ?? 0.1;
  const pick = seededRandom((options.seed ?? 1) + 7919);
  const capture = new DataCapture(
    { destinationS3Uri: `s3://${target.bucket}/data_capture`, s3: target.s3, flushIntervalMs: 60_000 },
    target.endpointName,
    'AllTraffic',
  );
  let emf: WriteStream | undefined;
  if (target.logsDir) {
    await mkdir(target.logsDir, { recursive: true });
    emf = createWriteStream(path.join(target.logsDir, `synthetic-${options.seed ?? 1}.jsonl`));
  }
  const written: SyntheticWritten = { records: 0, labels: 0, emfLines: 0 };
  const labels: { inferenceId: string; label: string; collectedAt: Date }[] = [];
  try {
    for (const inference of syntheticInferences(options)) {
      capture.record(invocationOf(inference));
      written.records++;
      // Wait for each batch: the writer does not, and 100,000 buffered records are 400 MB.
      if (written.records % 1000 === 0) await capture.flush();
      if (emf) {
        for (const line of emfLinesOf(inference, threshold, classNames)) {
          if (!emf.write(`${line}\n`)) await once(emf, 'drain');
          written.emfLines++;
        }
      }
      if (pick() < labelShare) {
        const label = pick() < 0.02 ? 'neither' : (classNames[inference.trueClass] as string);
        labels.push({
          inferenceId: inference.inferenceId,
          label,
          collectedAt: new Date(inference.timeMs + 60_000),
        });
      }
    }
  } finally {
    await capture.stop();
    if (emf) await new Promise<void>((done) => (emf as WriteStream).end(done));
  }
  await putGroundTruth(target.s3, target.bucket, labels);
  written.labels = labels.length;
  const mix = options.trainingMix ?? [450, 450];
  let index = 0;
  const manifest = mix
    .flatMap((n, c) =>
      Array.from({ length: n }, (_, i) => `${index++}\t${c}\t${classNames[c]}/image_${i}.png\n`),
    )
    .join('');
  await target.s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: manifestKey(normalizePrefix(DEFAULT_PREFIX), 'train'),
      Body: manifest,
    }),
  );
  return written;
}
