import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectNotification } from '../../src/embedded/s3/index.ts';
import { md5, startTestServer, type TestServer } from './s3-helpers.ts';

const BUCKET = 'events-bucket';

describe('local S3 object notifications', () => {
  let t: TestServer;
  const events: ObjectNotification[] = [];
  const found: (string | undefined)[] = [];
  let unsubscribe: () => void;

  beforeAll(async () => {
    t = await startTestServer({ buckets: [BUCKET] });
    unsubscribe = t.server.notifications.subscribe((event) => {
      events.push(event);
      // The change is visible by the time the listener runs.
      if (event.kind === 'ObjectCreated') {
        found.push(undefined);
        const index = found.length - 1;
        t.s3
          .send(new GetObjectCommand({ Bucket: event.bucket, Key: event.key }))
          .then((got) => got.Body?.transformToString())
          .then(
            (text) => {
              found[index] = text;
            },
            (error: Error) => {
              found[index] = `missing: ${error.name}`;
            },
          );
      }
    });
    // A throwing listener changes nothing for the request or the other listeners.
    t.server.notifications.subscribe(() => {
      throw new Error('listener bug');
    });
  });
  afterAll(async () => {
    unsubscribe();
    await t.close();
  });

  it('emits one event per object created or deleted, with S3-like fields', async () => {
    const put = await t.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/a.png', Body: 'aaaa' }),
    );
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/a.png', Body: 'bbbb' }));
    await t.s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy.png', CopySource: `${BUCKET}/incoming/a.png` }),
    );
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi.bin' }),
    );
    const part = await t.s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: 'multi.bin', UploadId, PartNumber: 1, Body: 'mmm' }),
    );
    const completed = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'multi.bin',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await t.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'copy.png' }));
    await t.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'never-existed' }));
    await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'incoming/a.png' }, { Key: 'missing' }, { Key: 'multi.bin' }] },
      }),
    );
    await new Promise((done) => setTimeout(done, 100));

    expect(events.map((event) => [event.kind, event.reason, event.key])).toEqual([
      ['ObjectCreated', 'PutObject', 'incoming/a.png'],
      ['ObjectCreated', 'PutObject', 'incoming/a.png'],
      ['ObjectCreated', 'CopyObject', 'copy.png'],
      ['ObjectCreated', 'CompleteMultipartUpload', 'multi.bin'],
      ['ObjectDeleted', 'DeleteObject', 'copy.png'],
      ['ObjectDeleted', 'DeleteObjects', 'incoming/a.png'],
      ['ObjectDeleted', 'DeleteObjects', 'multi.bin'],
    ]);
    const [first, second] = events as [ObjectNotification, ObjectNotification];
    expect(first).toMatchObject({ bucket: BUCKET, size: 4, etag: md5('aaaa'), sourceIp: '127.0.0.1' });
    expect(first.etag).toBe(put.ETag?.replace(/"/g, ''));
    expect(first.requestId).toMatch(/^[0-9A-F]{16}$/);
    expect(first.time).toBeInstanceOf(Date);
    expect(events[3]?.etag).toBe(completed.ETag?.replace(/"/g, ''));
    expect(events[3]?.etag).toMatch(/-1$/);
    expect(events[4]?.size).toBeUndefined();
    // Sequencers of one key increase, as S3's do.
    expect(second.sequencer > first.sequencer).toBe(true);
    expect((events[5] as ObjectNotification).sequencer > second.sequencer).toBe(true);
    expect(new Set(events.map((event) => event.requestId)).size).toBe(6);
    expect(found).toHaveLength(4);
    for (const text of found) expect(text).toMatch(/^(aaaa|bbbb|mmm)$/);
  });
});
