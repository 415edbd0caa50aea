/**
 * Decisions against the local S3: the closing record, the ground truth line in Model Monitor's
 * merge format, the two-reviewer race settled by S3's conditional create, and broken items.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyClosed,
  type ClosedItem,
  closeItem,
  groundTruthLine,
  InvalidDecision,
  ItemNotFound,
  MAX_ITEM_BYTES,
} from '../../src/review/decisions.ts';
import { closedKey, groundTruthKey, itemIdOfKey, pendingKey } from '../../src/review/layout.ts';
import { createIfAbsent } from '../../src/review/s3-objects.ts';
import {
  getText,
  type LocalReviewBucket,
  listKeys,
  putItem,
  reviewItem,
  startLocalReviewBucket,
} from './fixtures.ts';

let store: LocalReviewBucket;
const NOW = new Date('2026-05-06T07:08:09.000Z');

beforeAll(async () => {
  store = await startLocalReviewBucket();
});

afterAll(async () => {
  await store?.stop();
});

const closedRecord = async (id: string) => {
  const text = await getText(store, closedKey(store.reviewPrefix, id));
  return text === undefined ? undefined : (JSON.parse(text) as ClosedItem);
};

describe('review layout', () => {
  it('puts ground truth under ground_truth/yyyy/mm/dd/hh/ of the UTC hour the label was collected', () => {
    expect(groundTruthKey(new Date('2026-01-02T03:59:59.999Z'), 'exec-1')).toBe(
      'ground_truth/2026/01/02/03/exec-1.jsonl',
    );
  });

  it('takes item ids from direct children ending in .json only', () => {
    expect(itemIdOfKey('review/abc-1.json', 'review/')).toBe('abc-1');
    expect(itemIdOfKey('review/closed/abc-1.json', 'review/')).toBeUndefined();
    expect(itemIdOfKey('review/abc-1.txt', 'review/')).toBeUndefined();
    expect(itemIdOfKey('other/abc-1.json', 'review/')).toBeUndefined();
  });

  it('writes the ground truth line exactly in the merge format', () => {
    expect(groundTruthLine('motorcycle', 'exec-9')).toBe(
      '{"groundTruthData":{"data":"motorcycle","encoding":"CSV"},"eventMetadata":{"eventId":"exec-9"},"eventVersion":"0"}\n',
    );
  });
});

describe('closeItem', () => {
  it('closes a labelled item: closing record with the item, one ground truth line, pending item gone', async () => {
    const item = reviewItem({ s3_key: 'images/a.png' });
    await putItem(store, 'exec-label', item);
    const closed = await closeItem(store, 'exec-label', { label: 'bicycle' }, 'ana', NOW);

    const gtKey = 'ground_truth/2026/05/06/07/exec-label.jsonl';
    expect(closed).toMatchObject({
      id: 'exec-label',
      inference_id: 'exec-label',
      outcome: 'labelled',
      label: 'bicycle',
      route: 'short-range',
      reviewer: 'ana',
      closed_at: NOW.toISOString(),
      ground_truth_key: gtKey,
      item_key: 'review/exec-label.json',
      item,
    });
    expect(await closedRecord('exec-label')).toEqual(closed);
    expect(await getText(store, gtKey)).toBe(groundTruthLine('bicycle', 'exec-label'));
    expect(await getText(store, pendingKey(store.reviewPrefix, 'exec-label'))).toBeUndefined();
  });

  it('joins on the item inference_id when the state machine records one', async () => {
    await putItem(store, 'exec-with-id', reviewItem({ inference_id: 'inf-42' }));
    const closed = await closeItem(store, 'exec-with-id', { label: 'neither' }, 'ana', NOW);
    expect(closed).toMatchObject({ inference_id: 'inf-42', label: 'neither', route: 'not-routed' });
    expect(await getText(store, 'ground_truth/2026/05/06/07/inf-42.jsonl')).toBe(
      groundTruthLine('neither', 'inf-42'),
    );
  });

  it('lets exactly one of two reviewers close an item; the other is told who won', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `exec-race-${i}`);
    for (const id of ids) await putItem(store, id);
    // Two clients, as two reviewers' servers would have, deciding every item at the same moment.
    const ana = { ...store, s3: store.newClient() };
    const ben = { ...store, s3: store.newClient() };
    for (const id of ids) {
      const results = await Promise.allSettled([
        closeItem(ana, id, { label: 'bicycle' }, 'ana', NOW),
        closeItem(ben, id, { label: 'motorcycle' }, 'ben', NOW),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const winner = (won[0] as PromiseFulfilledResult<ClosedItem>).value;
      const loser = (lost[0] as PromiseRejectedResult).reason as AlreadyClosed;
      expect(loser).toBeInstanceOf(AlreadyClosed);
      expect(loser.closed).toEqual(winner);
      expect(loser.message).toContain(`by ${winner.reviewer}`);
      expect(await closedRecord(id)).toEqual(winner);
      const truth = await listKeys(store, `ground_truth/2026/05/06/07/${id}.jsonl`);
      expect(truth).toHaveLength(1);
      expect(await getText(store, truth[0] as string)).toBe(groundTruthLine(winner.label ?? 'neither', id));
    }
  });

  it('answers a retry of the same decision with the record, and a different one with AlreadyClosed', async () => {
    await putItem(store, 'exec-retry');
    const first = await closeItem(store, 'exec-retry', { label: 'motorcycle' }, 'ana', NOW);
    // The pending item is gone now; a repeated request finds the closing record.
    await expect(closeItem(store, 'exec-retry', { label: 'bicycle' }, 'ben', NOW)).rejects.toBeInstanceOf(
      AlreadyClosed,
    );
    await putItem(store, 'exec-retry'); // as if the delete had not happened
    expect(await closeItem(store, 'exec-retry', { label: 'motorcycle' }, 'ana', NOW)).toEqual(first);
    expect(await getText(store, pendingKey(store.reviewPrefix, 'exec-retry'))).toBeUndefined();
  });

  it('finishes a closing interrupted after its record was written (ground truth, pending delete)', async () => {
    await putItem(store, 'exec-crash');
    const record: ClosedItem = {
      id: 'exec-crash',
      inference_id: 'exec-crash',
      outcome: 'labelled',
      label: 'motorcycle',
      route: 'long-range',
      reviewer: 'ana',
      closed_at: NOW.toISOString(),
      ground_truth_key: 'ground_truth/2026/05/06/07/exec-crash.jsonl',
      item_key: 'review/exec-crash.json',
      item: reviewItem(),
    };
    await createIfAbsent(
      store.s3,
      store.bucket,
      closedKey('review/', 'exec-crash'),
      JSON.stringify(record),
      'application/json',
    );
    const error = await closeItem(store, 'exec-crash', { label: 'bicycle' }, 'ben', NOW).catch((e) => e);
    expect(error).toBeInstanceOf(AlreadyClosed);
    expect(await getText(store, record.ground_truth_key as string)).toBe(
      groundTruthLine('motorcycle', 'exec-crash'),
    );
    expect(await getText(store, 'review/exec-crash.json')).toBeUndefined();
  });

  it('refuses to label a malformed item and keeps its text when it is dismissed', async () => {
    await putItem(store, 'exec-broken', '{"s3_bucket": "b", "inferences": "not a list"');
    const error = await closeItem(store, 'exec-broken', { label: 'bicycle' }, 'ana', NOW).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidDecision);
    expect(error.message).toMatch(/malformed \(not JSON/);
    expect(await getText(store, 'review/exec-broken.json')).toBeDefined();

    const closed = await closeItem(store, 'exec-broken', { dismiss: 'malformed item' }, 'ana', NOW);
    expect(closed).toMatchObject({
      outcome: 'dismissed',
      label: null,
      route: null,
      reason: 'malformed item',
      ground_truth_key: null,
      item: null,
      item_text: '{"s3_bucket": "b", "inferences": "not a list"',
    });
    expect(await getText(store, 'review/exec-broken.json')).toBeUndefined();
    expect(await listKeys(store, 'ground_truth/2026/05/06/07/exec-broken')).toEqual([]);
  });

  it('keeps the JSON of an item that is JSON but not a review item', async () => {
    const wrong = { s3_bucket: 'b', s3_key: 'k', inferences: [0.2, 0.3], predicted_label: 'car' };
    await putItem(store, 'exec-wrong', wrong);
    const error = await closeItem(store, 'exec-wrong', { label: 'bicycle' }, 'ana', NOW).catch((e) => e);
    expect(error.message).toMatch(/predicted_label/);
    const closed = await closeItem(store, 'exec-wrong', { dismiss: 'wrong shape' }, 'ana', NOW);
    expect(closed.item).toEqual(wrong);
  });

  it('copies an oversized item beside its closing record instead of losing it', async () => {
    const big = `{"padding": "${'x'.repeat(MAX_ITEM_BYTES)}"}`;
    await putItem(store, 'exec-big', big);
    const closed = await closeItem(store, 'exec-big', { dismiss: 'too large' }, 'ana', NOW);
    expect(closed.item_original_key).toBe('review/closed/exec-big.original');
    expect(await getText(store, 'review/closed/exec-big.original')).toBe(big);
    expect(await getText(store, 'review/exec-big.json')).toBeUndefined();
  });

  it('says so when an item is closed by a record that cannot be read, and keeps the item', async () => {
    await putItem(store, 'exec-corrupt');
    await createIfAbsent(
      store.s3,
      store.bucket,
      closedKey('review/', 'exec-corrupt'),
      '{"trunc',
      'application/json',
    );
    await expect(closeItem(store, 'exec-corrupt', { label: 'bicycle' }, 'ana', NOW)).rejects.toThrow(
      /exec-corrupt is closed, but its closing record review\/closed\/exec-corrupt.json is unreadable/,
    );
    expect(await getText(store, 'review/exec-corrupt.json')).toBeDefined();
  });

  it('names a missing item, a bad label and an id that is not one', async () => {
    await expect(closeItem(store, 'exec-none', { label: 'bicycle' }, 'ana')).rejects.toBeInstanceOf(
      ItemNotFound,
    );
    await putItem(store, 'exec-label-check');
    await expect(closeItem(store, 'exec-label-check', { label: 'car' as 'bicycle' }, 'ana')).rejects.toThrow(
      /label must be one of bicycle, motorcycle, neither/,
    );
    await expect(closeItem(store, '../escape', { label: 'bicycle' }, 'ana')).rejects.toBeInstanceOf(
      InvalidDecision,
    );
    await expect(closeItem(store, 'exec-label-check', { dismiss: ' ' }, 'ana')).rejects.toThrow(
      /needs a reason/,
    );
  });
});
