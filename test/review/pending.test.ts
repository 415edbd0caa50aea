/** The pending listing against the local S3: newest first, closed items left out, paging, snapshot. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeItem } from '../../src/review/decisions.ts';
import { listPending, PendingQueue } from '../../src/review/pending.ts';
import {
  type LocalReviewBucket,
  putItem,
  putObject,
  startLocalReviewBucket,
  writeSyntheticReviewItems,
} from './fixtures.ts';

let store: LocalReviewBucket;

beforeAll(async () => {
  store = await startLocalReviewBucket();
});

afterAll(async () => {
  await store?.stop();
});

const nextSecond = () => new Promise((done) => setTimeout(done, 1100 - (Date.now() % 1000)));

describe('listPending', () => {
  it('lists items newest first (S3 keeps seconds), without closed items or other files', async () => {
    const scoped = { ...store, reviewPrefix: 'order/' };
    // Key order is the reverse of the time order here: the sort must be by LastModified.
    await putItem(scoped, 'c-oldest');
    await nextSecond();
    await putItem(scoped, 'b-middle');
    await nextSecond();
    await putItem(scoped, 'a-newest');
    await putObject(scoped, 'order/notes.txt', 'not an item');
    await putObject(scoped, 'order/nested/x.json', '{}');
    await putItem(scoped, 'z-closed');
    await closeItem(scoped, 'z-closed', { label: 'bicycle' }, 'ana');

    const entries = await listPending(scoped);
    expect(entries.map((entry) => entry.id)).toEqual(['a-newest', 'b-middle', 'c-oldest']);
    expect(entries[0]?.key).toBe('order/a-newest.json');
    expect(entries[0]?.lastModified.getTime()).toBeGreaterThan(entries[2]?.lastModified.getTime() ?? 0);
  });

  it('pages through more than one S3 listing page and counts them all', async () => {
    // Pages of 100 keys, as S3 pages of 1,000: 250 items take three listing requests.
    const scoped = { ...store, reviewPrefix: 'many/' };
    const ids = await writeSyntheticReviewItems(scoped, 250, 'images/none.png');
    const queue = new PendingQueue(scoped, { listPageSize: 100 });
    const first = await queue.page(0, 20);
    expect(first.total).toBe(250);
    expect(first.entries).toHaveLength(20);
    const last = await queue.page(240, 20);
    expect(last.entries).toHaveLength(10);
    // Past the end (e.g. the last items were just closed): the last page there is.
    expect((await queue.page(5_000, 20)).offset).toBe(240);
    const all = new Set((await queue.entries()).map((entry) => entry.id));
    expect(all).toEqual(new Set(ids));
  });
});

describe('PendingQueue', () => {
  it('serves its snapshot, refreshes it in the background when old, and forgets closed items at once', async () => {
    const scoped = { ...store, reviewPrefix: 'snapshot/' };
    await putItem(scoped, 'one');
    let clock = 0;
    const queue = new PendingQueue(scoped, { maxAgeMs: 1_000, now: () => clock });
    expect((await queue.page(0, 10)).total).toBe(1);
    await putItem(scoped, 'two');
    clock = 999;
    expect((await queue.page(0, 10)).total).toBe(1);
    await queue.settled();
    expect((await queue.page(0, 10)).total).toBe(1); // young: nothing was listed again
    clock = 1_000;
    expect((await queue.page(0, 10)).total).toBe(1); // old: served, and listed again meanwhile
    await queue.settled();
    expect((await queue.page(0, 10)).total).toBe(2);
    queue.forget('one');
    expect((await queue.page(0, 10)).entries.map((entry) => entry.id)).toEqual(['two']);
    await putItem(scoped, 'three');
    expect((await queue.page(0, 10, true)).total).toBe(2); // 'one' is still in S3, but closed here
    expect((await queue.page(0, 10, true)).entries.map((entry) => entry.id)).toContain('three');
  });

  it('shares one listing between concurrent requests', async () => {
    const scoped = { ...store, reviewPrefix: 'shared/' };
    await putItem(scoped, 'one');
    const queue = new PendingQueue(scoped);
    const [a, b] = await Promise.all([queue.entries(), queue.entries()]);
    expect(a).toBe(b);
  });
});
