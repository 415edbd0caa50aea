/**
 * What the page asks for, as plain values: a page of pending items (only those fetched), an item's
 * image, a decision. The HTTP layer maps the errors thrown here to status codes.
 */
import { forEachConcurrent } from '../../training/concurrency.ts';
import { CLASS_LABELS } from '../workflow/types.ts';
import {
  AlreadyClosed,
  type ClosedItem,
  closeItem,
  type Decision,
  InvalidDecision,
  ItemNotFound,
  inferenceIdOf,
  type PendingItem,
  REVIEW_LABELS,
  ReviewError,
  type ReviewLabel,
  ROUTE_OF,
  readClosedItem,
  readPendingItem,
} from './decisions.ts';
import { ApiError } from './http.ts';
import { displayImage, ImageUnavailable } from './images.ts';
import { GROUND_TRUTH_PREFIX, isItemId, type ReviewBucket } from './layout.ts';
import { type PendingEntry, PendingQueue } from './pending.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Items fetched at once when a page is built. */
const FETCH_CONCURRENCY = 8;
/** Image locations remembered from pages shown, so the image route needs no second read of the item. */
const MAX_REMEMBERED_IMAGES = 2000;

export interface ItemView {
  id: string;
  inferenceId: string;
  key: string;
  lastModified: string | null;
  /** ok: can be labelled; malformed / unreadable: can be dismissed; closed: decided elsewhere meanwhile. */
  status: 'ok' | 'malformed' | 'unreadable' | 'closed';
  problem?: string;
  prediction?: {
    label: string;
    confidence: number;
    threshold: number | null;
    decidedAt: string | null;
    image: string;
    probabilities: { label: string; probability: number }[];
  };
  imageUrl?: string;
  closed?: Pick<ClosedItem, 'reviewer' | 'outcome' | 'label' | 'closed_at'>;
}

export interface ReviewApiOptions extends ReviewBucket {
  reviewer: string;
  /** Where the bucket is, for the page's header (e.g. "embedded", "aws"). */
  target?: string;
  pageSize?: number;
  /** Milliseconds a listing is reused (default 15 s). */
  listingMaxAgeMs?: number;
  now?: () => Date;
}

function summary(closed: ClosedItem): ItemView['closed'] {
  return {
    reviewer: closed.reviewer,
    outcome: closed.outcome,
    label: closed.label,
    closed_at: closed.closed_at,
  };
}

export class ReviewApi {
  readonly options: ReviewApiOptions;
  readonly queue: PendingQueue;
  readonly #images = new Map<string, { bucket: string; key: string }>();

  constructor(options: ReviewApiOptions) {
    this.options = options;
    this.queue = new PendingQueue(options, { maxAgeMs: options.listingMaxAgeMs ?? 15_000 });
  }

  session() {
    const o = this.options;
    return {
      reviewer: o.reviewer,
      target: o.target ?? null,
      bucket: o.bucket,
      reviewPrefix: o.reviewPrefix,
      groundTruthPrefix: o.groundTruthPrefix ?? GROUND_TRUTH_PREFIX,
      pageSize: o.pageSize ?? DEFAULT_PAGE_SIZE,
      labels: REVIEW_LABELS.map((label) => ({ label, route: ROUTE_OF[label] })),
    };
  }

  async page(offset: number, limit: number, refresh: boolean) {
    const page = await this.queue.page(offset, limit, refresh);
    const items: ItemView[] = new Array(page.entries.length);
    // #view answers every failure with a status, so no item stops the others.
    await forEachConcurrent(page.entries, FETCH_CONCURRENCY, async (entry, index) => {
      items[index] = await this.#view(entry);
    });
    return { total: page.total, offset: page.offset, limit, items };
  }

  async #view(entry: PendingEntry): Promise<ItemView> {
    const base = {
      id: entry.id,
      inferenceId: entry.id,
      key: entry.key,
      lastModified: entry.lastModified.toISOString(),
    };
    let pending: PendingItem | undefined;
    try {
      pending = await readPendingItem(this.options, entry.id);
      if (!pending) {
        // Closed by someone else since the listing.
        this.queue.forget(entry.id);
        const closed = await readClosedItem(this.options, entry.id);
        return { ...base, status: 'closed', ...(closed ? { closed: summary(closed) } : {}) };
      }
    } catch (error) {
      return {
        ...base,
        status: 'unreadable',
        problem: `${(error as Error).name}: ${(error as Error).message}`,
      };
    }
    const view = { ...base, inferenceId: inferenceIdOf(pending) };
    if (!pending.parsed.ok) return { ...view, status: 'malformed', problem: pending.parsed.problem };
    const item = pending.parsed.item;
    this.#remember(entry.id, { bucket: item.s3_bucket, key: item.s3_key });
    return {
      ...view,
      status: 'ok',
      prediction: {
        label: item.predicted_label,
        confidence: item.confidence,
        threshold: item.threshold ?? null,
        decidedAt: item.decided_at ?? null,
        image: `s3://${item.s3_bucket}/${item.s3_key}`,
        probabilities: item.inferences.map((probability, i) => ({
          label: CLASS_LABELS[i] as string,
          probability,
        })),
      },
      imageUrl: `/api/items/${encodeURIComponent(entry.id)}/image`,
    };
  }

  #remember(id: string, location: { bucket: string; key: string }): void {
    this.#images.delete(id);
    this.#images.set(id, location);
    if (this.#images.size > MAX_REMEMBERED_IMAGES)
      this.#images.delete(this.#images.keys().next().value as string);
  }

  async image(id: string) {
    requireId(id);
    let location = this.#images.get(id);
    if (!location) {
      const pending = await readPendingItem(this.options, id);
      if (!pending) throw new ApiError(404, 'not_found', `no pending review item "${id}"`);
      if (!pending.parsed.ok) throw new ApiError(422, 'malformed_item', pending.parsed.problem);
      location = { bucket: pending.parsed.item.s3_bucket, key: pending.parsed.item.s3_key };
    }
    try {
      return await displayImage(this.options.s3, location.bucket, location.key);
    } catch (error) {
      if (error instanceof ImageUnavailable) {
        const status = error.problem === 'image_missing' ? 404 : 422;
        throw new ApiError(status, error.problem, error.message);
      }
      throw error;
    }
  }

  async decide(id: string, body: Record<string, unknown>) {
    requireId(id);
    const decision = decisionOf(body);
    try {
      const closed = await closeItem(this.options, id, decision, this.options.reviewer, this.options.now?.());
      this.queue.forget(id);
      this.#images.delete(id);
      return closed;
    } catch (error) {
      if (error instanceof AlreadyClosed) {
        this.queue.forget(id);
        throw new ApiError(409, 'already_closed', error.message, { closed: error.closed });
      }
      if (error instanceof ItemNotFound) {
        this.queue.forget(id);
        throw new ApiError(404, 'not_found', error.message);
      }
      if (error instanceof InvalidDecision) throw new ApiError(400, 'invalid_decision', error.message);
      if (error instanceof ReviewError) throw new ApiError(409, 'conflict', error.message);
      throw error;
    }
  }
}

function requireId(id: string): void {
  if (!isItemId(id)) throw new ApiError(400, 'invalid_id', `"${id}" is not a review item id`);
}

function decisionOf(body: Record<string, unknown>): Decision {
  if (typeof body.label === 'string' && (REVIEW_LABELS as readonly string[]).includes(body.label))
    return { label: body.label as ReviewLabel };
  if (typeof body.dismiss === 'string' && body.dismiss.trim() !== '')
    return { dismiss: body.dismiss.slice(0, 500) };
  throw new ApiError(
    400,
    'invalid_decision',
    `send {"label": ${REVIEW_LABELS.map((l) => `"${l}"`).join(' | ')}} or {"dismiss": "<reason>"}`,
  );
}
