/**
 * What the review tests (and `npm run bench:monitor`) stand on: a local S3 in a temporary folder,
 * review items shaped as the state machine's RecordReviewItem writes them, and S3 readers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.ts';
import { endpointEnvironment, loadConfig } from '../../src/config.ts';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import type { ReviewBucket } from '../../src/review/layout.ts';
import type { FilteredClassification } from '../../src/workflow/types.ts';
import { forEachConcurrent } from '../../training/concurrency.ts';

export const BUCKET = 'review-tests';
export const REVIEW_PREFIX = 'review/';

export interface LocalReviewBucket extends ReviewBucket {
  localS3: LocalS3;
  /** Another client on the same S3, as a second reviewer's process would have. */
  newClient(): S3Client;
  stop(): Promise<void>;
}

export async function startLocalReviewBucket(): Promise<LocalReviewBucket> {
  const directory = await mkdtemp(join(tmpdir(), 'scones-review-'));
  const localS3 = await startLocalS3({ directory, buckets: [BUCKET] });
  const config = loadConfig({ SCONES_TARGET: 'embedded', ...endpointEnvironment({ s3: localS3.endpoint }) });
  const clients: S3Client[] = [];
  const newClient = () => {
    const client = createS3Client(config);
    clients.push(client);
    return client;
  };
  return {
    s3: newClient(),
    bucket: BUCKET,
    reviewPrefix: REVIEW_PREFIX,
    localS3,
    newClient,
    async stop() {
      for (const client of clients) client.destroy();
      await localS3.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A review item as RecordReviewItem writes it (the FilterInferences output), with overrides. */
export function reviewItem(overrides: Partial<FilteredClassification> & Record<string, unknown> = {}) {
  const inferences = (overrides.inferences as number[] | undefined) ?? [0.38, 0.62];
  const predictedIndex = inferences[0] !== undefined && inferences[0] >= (inferences[1] ?? 0) ? 0 : 1;
  return {
    s3_bucket: BUCKET,
    s3_key: 'images/test.png',
    inferences,
    predicted_label: predictedIndex === 0 ? 'bicycle' : 'motorcycle',
    predicted_index: predictedIndex,
    confidence: Math.max(...inferences),
    confident: false,
    threshold: 0.8,
    decided_at: '2026-03-04T05:06:07.000Z',
    ...overrides,
  };
}

export async function putObject(
  store: ReviewBucket,
  key: string,
  body: string | Uint8Array,
  contentType?: string,
) {
  await store.s3.send(
    new PutObjectCommand({
      Bucket: store.bucket,
      Key: key,
      Body: body,
      ...(contentType ? { ContentType: contentType } : {}),
    }),
  );
}

export async function putItem(store: ReviewBucket, id: string, body: unknown = reviewItem()) {
  await putObject(
    store,
    `${store.reviewPrefix}${id}.json`,
    typeof body === 'string' ? body : JSON.stringify(body),
  );
}

/**
 * `count` pending items (ids `item-00000`, ...) all pointing at `imageKey`, written with bounded
 * concurrency: what the review page's first-render benchmark lists (10,000 of them).
 */
export async function writeSyntheticReviewItems(
  store: ReviewBucket,
  count: number,
  imageKey: string,
  concurrency = 16,
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `item-${String(i).padStart(5, '0')}`);
  await forEachConcurrent(ids, concurrency, async (id, i) => {
    const p = 0.5 + ((i * 7919) % 300) / 1000; // 0.500 ... 0.799, all below the 0.8 threshold
    const inferences = i % 2 ? [1 - p, p] : [p, 1 - p];
    await putItem(store, id, reviewItem({ s3_key: imageKey, inferences }));
  });
  return ids;
}

export async function getText(store: ReviewBucket, key: string): Promise<string | undefined> {
  try {
    const response = await store.s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    return await response.Body?.transformToString();
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function listKeys(store: ReviewBucket, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2(
    { client: store.s3 },
    { Bucket: store.bucket, Prefix: prefix },
  )) {
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
  }
  return keys;
}
