/**
 * Stages CIFAR-100 records as PNG images plus `.lst` manifests in S3, in the layout of the
 * SageMaker built-in image-classification algorithm's image format (channels `train`,
 * `validation`, `train_lst`, `validation_lst`; content type `application/x-image`), plus `test`
 * and `test_lst` for the workflow demo:
 *
 *   <prefix>/train/bicycle/bike_s_000682.png        <prefix>/train_lst/train.lst
 *   <prefix>/validation/motorcycle/...png           <prefix>/validation_lst/validation.lst
 *   <prefix>/test/bicycle/bike_s_000658.png         <prefix>/test_lst/test.lst
 *
 * A `.lst` line is `<index>\t<class>\t<path relative to the channel prefix>`; the index is the
 * record's row in the official CIFAR-100 file (unique across train and validation, which come from
 * train.bin; test images only from test.bin). Validation is held out of train deterministically
 * (seeded, stratified: see holdout.ts).
 *
 * API:
 * - `stageDataset(options: StageDatasetOptions): Promise<StageReport>`: needs an S3Client and a bucket.
 * - `stage(options: StageOptions): Promise<StageReport>`: the CLI entry; S3 client and bucket
 *   default to src/config.ts (SCONES_TARGET, AWS_ENDPOINT_URL_S3, SCONES_BUCKET).
 * - `loadStagedSplit(...)` (staged-dataset.ts) reads a staged split back for training.
 *
 * Idempotent: each PNG/manifest is compared (MD5) with the ETag listed by ListObjectsV2 and only
 * uploaded when different or missing. (Where ETags are not MD5s, e.g. SSE-KMS buckets on AWS,
 * everything is uploaded again, which is still correct.) Images go first, manifests last, so a
 * manifest never names an image that is not there yet. Objects a previous run wrote that this one
 * does not (another seed or class list) stay unless `prune` is set; the manifests ignore them.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SingleBar } from 'cli-progress';
import { createS3Client } from '../src/aws/clients.ts';
import { isAwsTarget, loadConfig } from '../src/config.ts';
import { imageName, type LabeledRecord, readCifar, SHIPPED_SUBSET } from './cifar.ts';
import type { ByteProgress } from './cifar-archive.ts';
import { resolveClasses } from './cifar-classes.ts';
import { forEachConcurrent } from './concurrency.ts';
import { DEFAULT_SEED, DEFAULT_VALIDATION_FRACTION, holdOutValidation } from './holdout.ts';
import { encodePlanesAsPng } from './png.ts';
import { deleteObjects, listEtags, putIfChanged } from './s3-objects.ts';
import {
  channelPrefix,
  DEFAULT_PREFIX,
  manifestKey,
  manifestPrefix,
  normalizePrefix,
  STAGED_SPLITS,
  type StagedSplit,
} from './staged-layout.ts';

export { StagingError } from './s3-objects.ts';
export { loadStagedSplit } from './staged-dataset.ts';
export {
  DEFAULT_PREFIX,
  manifestKey,
  normalizePrefix,
  STAGED_SPLITS,
  type StagedSplit,
} from './staged-layout.ts';

const DEFAULT_CONCURRENCY = 16;

export interface StageDatasetOptions {
  s3Client: S3Client;
  bucket: string;
  /** Base key prefix of the channels; default `datasets/cifar-100`. */
  prefix?: string;
  /** Directory, `.bin`, `.tar.gz` path or http(s) URL; default the shipped subset. */
  source?: string;
  /** Fine labels or names in class-index order; default `[8, 48]` (bicycle, motorcycle). */
  classes?: ReadonlyArray<number | string>;
  /** Fraction of each class of train.bin held out as validation; default 0.1. */
  validationFraction?: number;
  seed?: string | number;
  /** Fail on records of other classes instead of skipping them. */
  strictLabels?: boolean;
  /** Parallel S3 requests (and PNG encodings); default 16. */
  concurrency?: number;
  /** Progress bar on stderr; default: when stderr is a terminal. */
  progress?: boolean;
  /** Create the bucket when it does not exist; default false. */
  createBucket?: boolean;
  /**
   * Delete objects under the channel prefixes that this run did not write (e.g. images that moved
   * from train/ to validation/ with another seed); default false. Other keys under the base prefix
   * are never touched.
   */
  prune?: boolean;
}

export interface StageReport {
  bucket: string;
  prefix: string;
  /** Objects written by this run. */
  uploaded: number;
  /** Objects already there with the same content. */
  unchanged: number;
  /** Stale objects removed (only with `prune`). */
  deleted: number;
  /** Images staged (train + validation + test). */
  images: number;
  /** Images per split. */
  splits: { train: number; validation: number; test: number };
  manifests: number;
  /** S3 URI per SageMaker channel (train, validation, train_lst, validation_lst, test, test_lst). */
  channels: Record<string, string>;
  seconds: number;
}

interface PlannedObjects {
  images: { key: string; planes: Uint8Array }[];
  manifests: { key: string; body: Buffer }[];
}

export async function stageDataset(options: StageDatasetOptions): Promise<StageReport> {
  const started = performance.now();
  const { s3Client: s3, bucket } = options;
  const base = normalizePrefix(options.prefix ?? DEFAULT_PREFIX);
  const showProgress = options.progress ?? process.stderr.isTTY === true;
  resolveClasses(options.classes); // fail on a bad selection before reading anything

  const reading = showProgress
    ? progressBar('reading   {bar} {percentage}% | {value}/{total} bytes')
    : undefined;
  const bySplit = await readAndSplit(options, reading && ((read, total) => reading.update(read, total)));
  reading?.stop();
  const { images, manifests } = planObjects(base, bySplit);

  const existing = await listEtags(s3, bucket, base, options.createBucket ?? false);
  const counts = { uploaded: 0, unchanged: 0 };
  const uploading = showProgress
    ? progressBar('staging   {bar} {value}/{total} objects | {uploaded} uploaded, {unchanged} unchanged')
    : undefined;
  uploading?.bar.start(images.length + manifests.length, 0, counts);
  const count = (uploaded: boolean) => {
    counts[uploaded ? 'uploaded' : 'unchanged']++;
    uploading?.bar.increment(1, counts);
  };
  try {
    await forEachConcurrent(images, options.concurrency ?? DEFAULT_CONCURRENCY, async (image) => {
      const png = await encodePlanesAsPng(image.planes);
      count(await putIfChanged(s3, bucket, image.key, png, 'image/png', existing));
    });
    await forEachConcurrent(manifests, manifests.length, async ({ key, body }) => {
      count(await putIfChanged(s3, bucket, key, body, 'text/plain; charset=utf-8', existing));
    });
  } finally {
    uploading?.bar.stop();
  }
  const deleted = options.prune
    ? await deleteObjects(s3, bucket, staleKeys(base, existing, { images, manifests }))
    : 0;

  return {
    bucket,
    prefix: base,
    ...counts,
    deleted,
    images: images.length,
    splits: { train: bySplit.train.length, validation: bySplit.validation.length, test: bySplit.test.length },
    manifests: manifests.length,
    channels: channelUris(bucket, base),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Keys and manifest bodies; records sorted by official index so manifests are stable across runs. */
function planObjects(base: string, bySplit: Record<StagedSplit, LabeledRecord[]>): PlannedObjects {
  const planned: PlannedObjects = { images: [], manifests: [] };
  for (const split of STAGED_SPLITS) {
    const records = [...bySplit[split]].sort((a, b) => a.sourceIndex - b.sourceIndex);
    for (const record of records) {
      planned.images.push({
        key: `${channelPrefix(base, split)}${imageName(record)}`,
        planes: record.pixels,
      });
    }
    const lines = records.map((r) => `${r.sourceIndex}\t${r.classIndex}\t${imageName(r)}\n`);
    planned.manifests.push({ key: manifestKey(base, split), body: Buffer.from(lines.join('')) });
  }
  return planned;
}

/** Objects under the six channel prefixes that this run did not plan. */
function staleKeys(base: string, existing: ReadonlyMap<string, string>, planned: PlannedObjects): string[] {
  const keep = new Set([...planned.images, ...planned.manifests].map((object) => object.key));
  const channels = STAGED_SPLITS.flatMap((split) => [
    channelPrefix(base, split),
    manifestPrefix(base, split),
  ]);
  return [...existing.keys()].filter(
    (key) => !keep.has(key) && channels.some((prefix) => key.startsWith(prefix)),
  );
}

export interface StageOptions extends Omit<StageDatasetOptions, 's3Client' | 'bucket'> {
  /** Default: SCONES_BUCKET (see src/config.ts). */
  bucket?: string;
  /** Default: a client for the configured target. */
  s3Client?: S3Client;
}

/** Entry for `scones stage`: defaults from the config module; creates the bucket on local targets. */
export async function stage(options: StageOptions = {}): Promise<StageReport> {
  const config = loadConfig();
  return stageDataset({
    ...options,
    source: options.source ?? SHIPPED_SUBSET,
    bucket: options.bucket ?? config.bucket,
    s3Client: options.s3Client ?? createS3Client(config),
    createBucket: options.createBucket ?? !isAwsTarget(config),
  });
}

async function readAndSplit(options: StageDatasetOptions, onProgress: ByteProgress | undefined) {
  const train: LabeledRecord[] = [];
  const test: LabeledRecord[] = [];
  const reader = readCifar(options.source ?? SHIPPED_SUBSET, {
    splits: ['train', 'test'],
    classes: options.classes,
    strictLabels: options.strictLabels,
    onProgress,
  });
  for await (const record of reader) (record.split === 'train' ? train : test).push(record);
  const held = holdOutValidation(
    train,
    options.validationFraction ?? DEFAULT_VALIDATION_FRACTION,
    options.seed ?? DEFAULT_SEED,
  );
  return { train: held.train, validation: held.validation, test };
}

function channelUris(bucket: string, base: string): Record<string, string> {
  const uris: Record<string, string> = {};
  for (const split of STAGED_SPLITS) {
    uris[split] = `s3://${bucket}/${channelPrefix(base, split)}`;
    uris[`${split}_lst`] = `s3://${bucket}/${manifestPrefix(base, split)}`;
  }
  return uris;
}

function progressBar(format: string) {
  // noTTYOutput: when progress is forced on a pipe (CI logs), print a line every second instead of nothing.
  const bar = new SingleBar({
    format,
    stream: process.stderr,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 1000,
  });
  let started = false;
  return {
    bar,
    update(value: number, total: number | undefined) {
      if (!started) {
        bar.start(total ?? value, 0);
        started = true;
      }
      if (total) bar.setTotal(total);
      bar.update(value);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
