/**
 * A reviewer's decision on a pending item: the true label (or a dismissal of a broken item)
 * becomes a closing record, a ground truth line, and the end of the pending item.
 *
 * Order, and why nothing is reviewed twice or lost:
 * 1. the closing record is created with `If-None-Match: *` on a key fixed by the item: of two
 *    reviewers, S3 lets exactly one create it; the other gets 412 and is told who decided what;
 * 2. the ground truth line is written, also create-only, on a key fixed by the closing record;
 * 3. the pending item is deleted (the closing record carries it).
 * Steps 2 and 3 are idempotent and derived from the closing record alone, so whoever meets a
 * closing record whose pending item is still there (a retry, the losing reviewer, a crash in
 * between) finishes them; nobody ever reads a state and then writes on the strength of it.
 */
import { inferenceIdFor } from '../workflow/inference-id.ts';
import { CLASS_LABELS } from '../workflow/types.ts';
import {
  closedKey,
  closedOriginalKey,
  GROUND_TRUTH_PREFIX,
  groundTruthKey,
  isItemId,
  pendingKey,
  type ReviewBucket,
} from './layout.ts';
import { type ParsedItem, parseReviewItem } from './review-item.ts';
import { copyObject, createIfAbsent, deleteObject, getText } from './s3-objects.ts';

export const REVIEW_LABELS = [...CLASS_LABELS, 'neither'] as const;
export type ReviewLabel = (typeof REVIEW_LABELS)[number];

/** The route the order takes once its vehicle is known; neither vehicle: no automatic route. */
export type Route = 'short-range' | 'long-range' | 'not-routed';
export const ROUTE_OF: Record<ReviewLabel, Route> = {
  bicycle: 'short-range',
  motorcycle: 'long-range',
  neither: 'not-routed',
};

/**
 * Review items are Step Functions states, at most 256 KiB on AWS; a larger object is not read
 * into memory (nor embedded in its closing record: it is copied beside it).
 */
export const MAX_ITEM_BYTES = 256 * 1024;

export type Decision = { label: ReviewLabel } | { dismiss: string };

/** The closing record, `<review prefix>closed/<id>.json`. */
export interface ClosedItem {
  id: string;
  inference_id: string;
  outcome: 'labelled' | 'dismissed';
  label: ReviewLabel | null;
  route: Route | null;
  reviewer: string;
  closed_at: string;
  /** Why a dismissed item was dismissed (malformed, image gone, ...). */
  reason?: string;
  /** Key of the ground truth line; null for a dismissal. */
  ground_truth_key: string | null;
  item_key: string;
  /** The pending item as it was: its JSON, else its text, else (too large) where it was copied. */
  item: unknown;
  item_text?: string;
  item_original_key?: string;
}

export interface PendingItem {
  id: string;
  key: string;
  lastModified: Date | undefined;
  parsed: ParsedItem;
  text: string;
  tooLarge: boolean;
}

export class ReviewError extends Error {
  override name = 'ReviewError';
}

/** The item was closed by someone else (or differently by the same reviewer) first. */
export class AlreadyClosed extends ReviewError {
  override name = 'AlreadyClosed';
  readonly closed: ClosedItem;
  constructor(closed: ClosedItem) {
    super(
      `${closed.id} was already ${closed.outcome} by ${closed.reviewer} at ${closed.closed_at}` +
        (closed.label ? ` as ${closed.label}` : ''),
    );
    this.closed = closed;
  }
}

export class ItemNotFound extends ReviewError {
  override name = 'ItemNotFound';
}

export class InvalidDecision extends ReviewError {
  override name = 'InvalidDecision';
}

export async function readPendingItem(store: ReviewBucket, id: string): Promise<PendingItem | undefined> {
  if (!isItemId(id)) throw new InvalidDecision(`"${id}" is not a review item id`);
  const key = pendingKey(store.reviewPrefix, id);
  const object = await getText(store.s3, store.bucket, key, MAX_ITEM_BYTES);
  if (!object) return undefined;
  const parsed: ParsedItem = object.tooLarge
    ? { ok: false, problem: `larger than ${MAX_ITEM_BYTES} bytes: not a review item`, json: undefined }
    : parseReviewItem(object.text);
  return { id, key, lastModified: object.lastModified, parsed, text: object.text, tooLarge: object.tooLarge };
}

export async function readClosedItem(store: ReviewBucket, id: string): Promise<ClosedItem | undefined> {
  const key = closedKey(store.reviewPrefix, id);
  const object = await getText(store.s3, store.bucket, key, MAX_ITEM_BYTES * 2);
  if (!object) return undefined;
  try {
    if (object.tooLarge) throw new Error(`larger than ${MAX_ITEM_BYTES * 2} bytes`);
    return JSON.parse(object.text) as ClosedItem;
  } catch (error) {
    // The key exists, so the item is closed; who closed it cannot be told.
    throw new ReviewError(
      `${id} is closed, but its closing record ${key} is unreadable: ${(error as Error).message}`,
    );
  }
}

/**
 * The inference id the ground truth joins on: the item's own, else the one the workflow derives
 * from the execution name (the name itself whenever it is a valid InferenceId).
 */
export function inferenceIdOf(item: PendingItem): string {
  const own = item.parsed.ok ? item.parsed.item.inference_id : undefined;
  return own ?? inferenceIdFor(item.id);
}

/** One line of Model Monitor's ground truth merge format. */
export function groundTruthLine(label: ReviewLabel, inferenceId: string): string {
  const record = {
    groundTruthData: { data: label, encoding: 'CSV' },
    eventMetadata: { eventId: inferenceId },
    eventVersion: '0',
  };
  return `${JSON.stringify(record)}\n`;
}

function closingRecord(
  store: ReviewBucket,
  pending: PendingItem,
  decision: Decision,
  reviewer: string,
  now: Date,
) {
  const inferenceId = inferenceIdOf(pending);
  const label = 'label' in decision ? decision.label : null;
  // The id is a safe key part; an inference id from the item may not be, so it falls back to the id.
  const fileId = isItemId(inferenceId) ? inferenceId : pending.id;
  const preserved = pending.tooLarge
    ? { item: null, item_original_key: closedOriginalKey(store.reviewPrefix, pending.id) }
    : pending.parsed.json !== undefined
      ? { item: pending.parsed.json }
      : { item: null, item_text: pending.text };
  const record: ClosedItem = {
    id: pending.id,
    inference_id: inferenceId,
    outcome: label ? 'labelled' : 'dismissed',
    label,
    route: label ? ROUTE_OF[label] : null,
    reviewer,
    closed_at: now.toISOString(),
    ...('dismiss' in decision ? { reason: decision.dismiss } : {}),
    ground_truth_key: label
      ? groundTruthKey(now, fileId, store.groundTruthPrefix ?? GROUND_TRUTH_PREFIX)
      : null,
    item_key: pending.key,
    ...preserved,
  };
  return record;
}

/** Steps 2 and 3: idempotent, from the closing record alone. */
export async function completeClosing(store: ReviewBucket, closed: ClosedItem): Promise<void> {
  if (closed.ground_truth_key && closed.label) {
    const line = groundTruthLine(closed.label, closed.inference_id);
    if (await createIfAbsent(store.s3, store.bucket, closed.ground_truth_key, line, 'application/jsonl'))
      await store.onGroundTruthWritten?.();
  }
  await deleteObject(store.s3, store.bucket, closed.item_key);
}

function validate(decision: Decision, pending: PendingItem): void {
  if ('label' in decision) {
    if (!(REVIEW_LABELS as readonly string[]).includes(decision.label))
      throw new InvalidDecision(`label must be one of ${REVIEW_LABELS.join(', ')}; got "${decision.label}"`);
    if (!pending.parsed.ok)
      throw new InvalidDecision(
        `${pending.id} is malformed (${pending.parsed.problem}): it can be dismissed, not labelled`,
      );
  } else if (typeof decision.dismiss !== 'string' || decision.dismiss.trim() === '') {
    throw new InvalidDecision('a dismissal needs a reason');
  }
}

/**
 * Closes the item with the decision and returns the closing record. Throws AlreadyClosed when
 * another decision won, ItemNotFound when there is no such item, InvalidDecision for a bad label.
 * The same reviewer repeating the same decision (a retry) gets the existing record back.
 */
export async function closeItem(
  store: ReviewBucket,
  id: string,
  decision: Decision,
  reviewer: string,
  now: Date = new Date(),
): Promise<ClosedItem> {
  const pending = await readPendingItem(store, id);
  if (!pending) {
    const closed = await readClosedItem(store, id);
    if (closed) throw new AlreadyClosed(closed);
    throw new ItemNotFound(`no pending review item ${pendingKey(store.reviewPrefix, id)} in ${store.bucket}`);
  }
  validate(decision, pending);
  const record = closingRecord(store, pending, decision, reviewer, now);
  if (record.item_original_key)
    await copyObject(store.s3, store.bucket, pending.key, record.item_original_key);
  const key = closedKey(store.reviewPrefix, id);
  if (
    await createIfAbsent(store.s3, store.bucket, key, JSON.stringify(record, null, 2), 'application/json')
  ) {
    await completeClosing(store, record);
    return record;
  }
  const winner = await readClosedItem(store, id);
  if (!winner) throw new ReviewError(`${key} exists but could not be read back`);
  await completeClosing(store, winner);
  const sameDecision =
    winner.reviewer === record.reviewer && winner.outcome === record.outcome && winner.label === record.label;
  if (sameDecision) return winner;
  throw new AlreadyClosed(winner);
}
