/**
 * The two-reviewer race against moto server, an S3 implementation independent of the kit's own
 * (it implements `If-None-Match: *` on PutObject as S3 does): the same closing logic, through the
 * review server, as on the emulator target.
 */
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { AlreadyClosed, type ClosedItem, closeItem, groundTruthLine } from '../../src/review/decisions.ts';
import type { ReviewBucket } from '../../src/review/layout.ts';
import { type ReviewServer, startReviewServer } from '../../src/review/server.ts';
import { type SharedServer, sharedServer } from '../support/shared-emulators/client.ts';
import { BUCKET, getText, listKeys, putItem } from './fixtures.ts';

let moto: SharedServer;
const clients: S3Client[] = [];
let store: ReviewBucket;

const client = () => {
  const s3 = createS3Client(loadConfig({ SCONES_TARGET: 'emulator', ...moto.environment() }));
  clients.push(s3);
  return s3;
};

beforeAll(async () => {
  moto = await sharedServer('moto');
  store = { s3: client(), bucket: BUCKET, reviewPrefix: 'review/' };
  await store.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 600_000);

afterAll(async () => {
  for (const s3 of clients) s3.destroy();
});

describe('review decisions on moto server', () => {
  it('lets exactly one of two reviewers close each item', async () => {
    const ana = { ...store, s3: client() };
    const ben = { ...store, s3: client() };
    for (let i = 0; i < 6; i++) {
      const id = `moto-race-${i}`;
      await putItem(store, id);
      const results = await Promise.allSettled([
        closeItem(ana, id, { label: 'bicycle' }, 'ana'),
        closeItem(ben, id, { label: 'motorcycle' }, 'ben'),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<ClosedItem> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won, id).toHaveLength(1);
      expect(lost[0]?.reason, id).toBeInstanceOf(AlreadyClosed);
      const winner = won[0]?.value as ClosedItem;
      expect(await getText(store, winner.ground_truth_key as string)).toBe(
        groundTruthLine(winner.label ?? 'neither', id),
      );
      expect(await getText(store, `review/${id}.json`)).toBeUndefined();
    }
    expect(await listKeys(store, 'ground_truth/')).toHaveLength(6);
  });

  it('serves the page API over the emulator bucket and answers the losing reviewer 409', async () => {
    await putItem(store, 'moto-page-1');
    const servers: ReviewServer[] = [
      await startReviewServer({ ...store, s3: client(), reviewer: 'ana', log: () => undefined }),
      await startReviewServer({ ...store, s3: client(), reviewer: 'ben', log: () => undefined }),
    ];
    try {
      const listing = (await (await fetch(new URL('/api/items', servers[0]?.url))).json()) as {
        items: { id: string }[];
      };
      expect(listing.items.map((item) => item.id)).toEqual(['moto-page-1']);
      const answers = await Promise.all(
        servers.map((server, i) =>
          fetch(new URL('/api/items/moto-page-1/decision', server.url), {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ label: i ? 'motorcycle' : 'bicycle' }),
          }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    } finally {
      for (const server of servers) await server.stop();
    }
  });
});
