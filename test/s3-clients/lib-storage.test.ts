/** `@aws-sdk/lib-storage` `Upload` (multipart, parallel parts) against the local S3 server. */
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyBytes, md5, patterned, startTestServer, type TestServer } from '../embedded/s3-helpers.ts';

const BUCKET = 'storage-bucket';
const MiB = 1 << 20;

describe('@aws-sdk/lib-storage Upload against the local S3 server', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ buckets: [BUCKET] });
  });
  afterAll(async () => t.close());

  it('uploads a stream in 5 MiB parts, four at a time, byte-identical', async () => {
    const body = patterned(17 * MiB + 5, 3);
    const chunks = Array.from({ length: Math.ceil(body.length / (256 << 10)) }, (_, i) =>
      body.subarray(i * (256 << 10), (i + 1) * (256 << 10)),
    );
    const progress: number[] = [];
    const upload = new Upload({
      client: t.s3,
      params: {
        Bucket: BUCKET,
        Key: 'stream/object.bin',
        Body: Readable.from(chunks),
        ContentType: 'application/x-test',
      },
      partSize: 5 * MiB,
      queueSize: 4,
    });
    upload.on('httpUploadProgress', (event) => progress.push(event.loaded ?? 0));
    const result = await upload.done();
    expect(result.ETag).toMatch(/^"[0-9a-f]{32}-4"$/);
    expect(progress.at(-1)).toBe(body.length);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'stream/object.bin' }));
    expect([head.ContentLength, head.ContentType]).toEqual([body.length, 'application/x-test']);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'stream/object.bin' }));
    expect(md5(await bodyBytes(got.Body))).toBe(md5(body));
  }, 60_000);

  it('uploads a small body in one PutObject', async () => {
    const result = await new Upload({
      client: t.s3,
      params: { Bucket: BUCKET, Key: 'small', Body: 'tiny' },
      partSize: 5 * MiB,
    }).done();
    expect(result.ETag).toBe(`"${md5('tiny')}"`);
  });
});
