/**
 * Where manual review lives in the bucket. One layout for every target:
 *
 *   <review prefix><id>.json           pending item, written by the state machine's RecordReviewItem
 *                                      (id = execution name = inference id)
 *   <review prefix>closed/<id>.json    closing record: the decision (reviewer, time, label, route)
 *                                      plus the item itself; created once, with `If-None-Match: *`
 *   ground_truth/yyyy/mm/dd/hh/<inference id>.jsonl
 *                                      the label in Model Monitor's merge format, one JSON line,
 *                                      in the UTC hour the label was collected
 *
 * Why this shape:
 * - the closing record's key depends on the item only (never on the time or the reviewer), so two
 *   reviewers racing on one item race for the same key and S3's conditional create picks one;
 * - once closed, the pending object is deleted, so listing pending items costs O(pending) and not
 *   O(everything ever reviewed): `closed/` folds into one common prefix when listed with
 *   `Delimiter: '/'`, and later readers (the monitor) list `closed/` alone;
 * - a closing record is self-contained (it carries the item), so nothing is lost by the delete.
 *
 * Ground truth follows "Ingest Ground Truth labels and merge them with predictions"
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-merge.html): JSON
 * Lines under `prefix/yyyy/mm/dd/hh`, the hour being when the label was collected.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { GROUND_TRUTH_PREFIX } from '../workflow/definition.ts';

// One constant for the writer (here) and the reader (the retraining's BuildTrainingSet).
export { GROUND_TRUTH_PREFIX };
export const CLOSED_FOLDER = 'closed/';

/** The bucket and prefixes the review modules read and write. */
export interface ReviewBucket {
  s3: S3Client;
  bucket: string;
  /** Prefix of pending items, as the state machine writes them (config `reviewPrefix`). */
  reviewPrefix: string;
  /** Prefix of ground truth records; default `ground_truth/`. */
  groundTruthPrefix?: string;
  /**
   * Called once per ground truth line this process created (not for one a retry found there):
   * counts it in CloudWatch (`label-metrics.ts`). Must not throw: the label is written already.
   */
  onGroundTruthWritten?: () => Promise<void>;
}

/**
 * An item id is the file name of a pending item without `.json`: an execution name. Step
 * Functions names have no `/`, whitespace or control characters; anything else is refused before
 * it becomes part of a key.
 */
const ITEM_ID = /^[^/\\\s\p{Cc}]{1,256}$/u;

export function isItemId(id: string): boolean {
  return ITEM_ID.test(id) && id !== '.' && id !== '..';
}

/** The id of a pending item's key, or undefined when the key is not one (a folder, not `.json`). */
export function itemIdOfKey(key: string, reviewPrefix: string): string | undefined {
  if (!key.startsWith(reviewPrefix) || !key.endsWith('.json')) return undefined;
  const id = key.slice(reviewPrefix.length, -'.json'.length);
  return isItemId(id) ? id : undefined;
}

export function pendingKey(reviewPrefix: string, id: string): string {
  return `${reviewPrefix}${id}.json`;
}

export function closedPrefix(reviewPrefix: string): string {
  return `${reviewPrefix}${CLOSED_FOLDER}`;
}

export function closedKey(reviewPrefix: string, id: string): string {
  return `${closedPrefix(reviewPrefix)}${id}.json`;
}

/** Where an original too large to embed in its closing record is kept (not a `.json`: never listed as one). */
export function closedOriginalKey(reviewPrefix: string, id: string): string {
  return `${closedPrefix(reviewPrefix)}${id}.original`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** `ground_truth/yyyy/mm/dd/hh/` of the UTC hour of `collectedAt`. */
export function groundTruthHourPrefix(collectedAt: Date, groundTruthPrefix = GROUND_TRUTH_PREFIX): string {
  const d = collectedAt;
  return `${groundTruthPrefix}${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCHours())}/`;
}

/** One object per label: S3 has no append, and the name makes a retried write land on the same key. */
export function groundTruthKey(
  collectedAt: Date,
  inferenceId: string,
  groundTruthPrefix = GROUND_TRUTH_PREFIX,
): string {
  return `${groundTruthHourPrefix(collectedAt, groundTruthPrefix)}${inferenceId}.jsonl`;
}
