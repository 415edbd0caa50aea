/**
 * The pending items, newest first, with paging. S3 lists keys in key order, not by time, so the
 * whole review prefix is listed (keys and LastModified only: 1,000 per request, 10 requests for
 * 10,000 items) and sorted here; only the items on the page shown are fetched. The sorted list is
 * kept, so that paging and deciding do not list the bucket again each time.
 */
import { paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { itemIdOfKey, type ReviewBucket } from './layout.ts';

export interface PendingEntry {
  id: string;
  key: string;
  /** When the item was written (S3 keeps second precision). */
  lastModified: Date;
}

/** S3's largest ListObjectsV2 page. */
const LIST_PAGE_SIZE = 1000;

/** Every pending item, newest first; ties (same second) by id, descending, so the order is stable. */
export async function listPending(store: ReviewBucket, pageSize = LIST_PAGE_SIZE): Promise<PendingEntry[]> {
  const entries: PendingEntry[] = [];
  // Delimiter '/': `closed/` comes back as one common prefix, however many items were closed.
  const pages = paginateListObjectsV2(
    { client: store.s3, pageSize },
    { Bucket: store.bucket, Prefix: store.reviewPrefix, Delimiter: '/' },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      const id = object.Key ? itemIdOfKey(object.Key, store.reviewPrefix) : undefined;
      if (id && object.Key)
        entries.push({ id, key: object.Key, lastModified: object.LastModified ?? new Date(0) });
    }
  }
  return entries.sort(
    (a, b) => b.lastModified.getTime() - a.lastModified.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}

export interface PendingPage {
  total: number;
  offset: number;
  entries: PendingEntry[];
}

export interface PendingQueueOptions {
  /** Age after which a listing is refreshed (in the background); default 15 s. */
  maxAgeMs?: number;
  now?: () => number;
  /** Keys per ListObjectsV2 request; default 1,000 (S3's most). Tests page with fewer. */
  listPageSize?: number;
}

/**
 * A snapshot of the listing, shared by concurrent requests and updated by decisions. Once there
 * is one, nobody waits for S3 again unless they ask to (`refresh`): an old snapshot is served
 * while a new listing runs in the background (stale-while-revalidate). Items closed while a
 * listing ran are kept out of it, so a closed item never comes back.
 */
export class PendingQueue {
  readonly #store: ReviewBucket;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #listPageSize: number;
  #snapshot: { entries: PendingEntry[]; takenAt: number } | undefined;
  #listing: Promise<PendingEntry[]> | undefined;
  /** Ids closed here, with when: a listing that started before that may still hold them. */
  readonly #forgotten = new Map<string, number>();

  constructor(store: ReviewBucket, options: PendingQueueOptions = {}) {
    this.#store = store;
    this.#maxAgeMs = options.maxAgeMs ?? 15_000;
    this.#now = options.now ?? Date.now;
    this.#listPageSize = options.listPageSize ?? LIST_PAGE_SIZE;
  }

  async entries(refresh = false): Promise<PendingEntry[]> {
    const snapshot = this.#snapshot;
    if (snapshot && !refresh) {
      if (this.#now() - snapshot.takenAt >= this.#maxAgeMs) this.#list().catch(() => undefined);
      return snapshot.entries;
    }
    return this.#list();
  }

  /** The listing in flight, if any (tests, and callers that want the fresh count). */
  async settled(): Promise<void> {
    await this.#listing?.catch(() => undefined);
  }

  #list(): Promise<PendingEntry[]> {
    if (this.#listing) return this.#listing;
    const takenAt = this.#now();
    this.#listing = listPending(this.#store, this.#listPageSize)
      .then((listed) => {
        for (const [id, at] of this.#forgotten) if (at < takenAt) this.#forgotten.delete(id);
        const entries = this.#forgotten.size
          ? listed.filter((entry) => !this.#forgotten.has(entry.id))
          : listed;
        this.#snapshot = { entries, takenAt };
        return entries;
      })
      .finally(() => {
        this.#listing = undefined;
      });
    return this.#listing;
  }

  async page(offset: number, limit: number, refresh = false): Promise<PendingPage> {
    const entries = await this.entries(refresh);
    // Past the end (the last items were just closed): the last page there is.
    const lastPage = Math.max(0, Math.floor((entries.length - 1) / limit) * limit);
    const start = Math.min(Math.max(0, offset), lastPage);
    return { total: entries.length, offset: start, entries: entries.slice(start, start + limit) };
  }

  /** Drops a closed item from the snapshot (and from a listing under way), at once. */
  forget(id: string): void {
    this.#forgotten.set(id, this.#now());
    const snapshot = this.#snapshot;
    if (!snapshot) return;
    const index = snapshot.entries.findIndex((entry) => entry.id === id);
    if (index >= 0)
      snapshot.entries = [...snapshot.entries.slice(0, index), ...snapshot.entries.slice(index + 1)];
  }
}
