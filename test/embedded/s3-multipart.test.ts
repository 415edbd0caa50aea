import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyBytes, errorOf, md5, patterned, startTestServer, type TestServer } from './s3-helpers.ts';

const BUCKET = 'multipart-bucket';
const MiB = 1 << 20;

describe('local S3 multipart uploads', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ buckets: [BUCKET] });
  });
  afterAll(async () => t.close());

  async function upload(key: string, parts: Buffer[]) {
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'text/csv' }),
    );
    const etags: string[] = [];
    for (const [index, body] of parts.entries()) {
      const { ETag } = await t.s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: body }),
      );
      etags.push(ETag as string);
    }
    return { uploadId: UploadId as string, etags };
  }

  it('completes an upload into one object with the md5-of-md5s ETag, served whole and by part', async () => {
    const parts = [patterned(5 * MiB, 1), patterned(5 * MiB, 2), patterned(1234, 3)];
    const { uploadId, etags } = await upload('big/object.csv', parts);
    expect(etags).toEqual(parts.map((part) => `"${md5(part)}"`));
    // Not visible before Complete.
    await errorOf(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/object.csv' })));
    const listed = await t.s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'big/object.csv', UploadId: uploadId, MaxParts: 2 }),
    );
    expect(listed.Parts?.map((part) => [part.PartNumber, part.Size])).toEqual([
      [1, 5 * MiB],
      [2, 5 * MiB],
    ]);
    expect(listed.IsTruncated).toBe(true);
    expect(listed.NextPartNumberMarker).toBe('2');

    const completed = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'big/object.csv',
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
    const expectedEtag = `"${createHash('md5')
      .update(Buffer.concat(parts.map((part) => createHash('md5').update(part).digest())))
      .digest('hex')}-3"`;
    expect(completed.ETag).toBe(expectedEtag);
    const whole = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/object.csv' }));
    expect(whole.ContentType).toBe('text/csv');
    expect((await bodyBytes(whole.Body)).equals(Buffer.concat(parts))).toBe(true);

    const second = await t.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'big/object.csv', PartNumber: 2 }),
    );
    expect(second.$metadata.httpStatusCode).toBe(206);
    expect(second.PartsCount).toBe(3);
    expect(second.ContentRange).toBe(`bytes ${5 * MiB}-${10 * MiB - 1}/${10 * MiB + 1234}`);
    expect((await bodyBytes(second.Body)).equals(parts[1] as Buffer)).toBe(true);
    const head = await t.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/object.csv', PartNumber: 3 }),
    );
    expect(head.ContentLength).toBe(1234);
    expect(head.PartsCount).toBe(3);
    const beyond = await errorOf(
      t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/object.csv', PartNumber: 4 })),
    );
    expect(beyond.name).toBe('InvalidPartNumber');
    expect(beyond.$metadata.httpStatusCode).toBe(416);

    // The upload is gone once completed, and no part file is left behind.
    const gone = await errorOf(
      t.s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'big/object.csv', UploadId: uploadId })),
    );
    expect(gone.name).toBe('NoSuchUpload');
    expect(await readdir(join(t.directory, '.uploads'))).toEqual([]);
    expect(await readdir(join(t.directory, '.tmp'))).toEqual([]);
  });

  it('answers InvalidPart, InvalidPartOrder, EntityTooSmall and NoSuchUpload as S3 does', async () => {
    const { uploadId, etags } = await upload('errors.bin', [patterned(100_000, 4), patterned(100, 5)]);
    const complete = (parts: { ETag: string; PartNumber: number }[]) =>
      errorOf(
        t.s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: 'errors.bin',
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
    const wrongEtag = await complete([{ ETag: '"00000000000000000000000000000000"', PartNumber: 1 }]);
    expect([wrongEtag.name, wrongEtag.$metadata.httpStatusCode]).toEqual(['InvalidPart', 400]);
    const missing = await complete([{ ETag: etags[0] as string, PartNumber: 7 }]);
    expect(missing.name).toBe('InvalidPart');
    const order = await complete([
      { ETag: etags[1] as string, PartNumber: 2 },
      { ETag: etags[0] as string, PartNumber: 1 },
    ]);
    expect(order.name).toBe('InvalidPartOrder');
    const small = await complete([
      { ETag: etags[0] as string, PartNumber: 1 },
      { ETag: etags[1] as string, PartNumber: 2 },
    ]);
    expect([small.name, small.$metadata.httpStatusCode]).toEqual(['EntityTooSmall', 400]);
    // A single part may be small: it is the last one.
    const single = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'errors.bin',
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ ETag: etags[0] as string, PartNumber: 1 }] },
      }),
    );
    expect(single.ETag).toMatch(/-1"$/);

    for (const send of [
      () =>
        t.s3.send(
          new UploadPartCommand({
            Bucket: BUCKET,
            Key: 'errors.bin',
            UploadId: 'no-such-upload-id-at-all',
            PartNumber: 1,
            Body: 'x',
          }),
        ),
      () =>
        t.s3.send(
          new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'errors.bin', UploadId: '../../etc' }),
        ),
      () => t.s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'errors.bin', UploadId: uploadId })),
    ]) {
      const error = await errorOf(send());
      expect([error.name, error.$metadata.httpStatusCode]).toEqual(['NoSuchUpload', 404]);
    }
    const badPart = await errorOf(
      t.s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'errors.bin',
          UploadId: uploadId,
          PartNumber: 10_001,
          Body: 'x',
        }),
      ),
    );
    expect(badPart.name).toBe('InvalidArgument');
  });

  it('copies parts from an object, with x-amz-copy-source-range', async () => {
    const source = patterned(6 * MiB, 9);
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/source', Body: source }));
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'copy/target' }),
    );
    const first = await t.s3.send(
      new UploadPartCopyCommand({
        Bucket: BUCKET,
        Key: 'copy/target',
        UploadId,
        PartNumber: 1,
        CopySource: `${BUCKET}/copy/source`,
      }),
    );
    const second = await t.s3.send(
      new UploadPartCopyCommand({
        Bucket: BUCKET,
        Key: 'copy/target',
        UploadId,
        PartNumber: 2,
        CopySource: `${BUCKET}/copy/source`,
        CopySourceRange: 'bytes=10-19',
      }),
    );
    expect(second.CopyPartResult?.ETag).toBe(`"${md5(source.subarray(10, 20))}"`);
    const outside = await errorOf(
      t.s3.send(
        new UploadPartCopyCommand({
          Bucket: BUCKET,
          Key: 'copy/target',
          UploadId,
          PartNumber: 3,
          CopySource: `${BUCKET}/copy/source`,
          CopySourceRange: `bytes=0-${6 * MiB}`,
        }),
      ),
    );
    expect(outside.name).toBe('InvalidArgument');
    await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'copy/target',
        UploadId,
        MultipartUpload: {
          Parts: [
            { ETag: first.CopyPartResult?.ETag as string, PartNumber: 1 },
            { ETag: second.CopyPartResult?.ETag as string, PartNumber: 2 },
          ],
        },
      }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copy/target' }));
    expect((await bodyBytes(got.Body)).equals(Buffer.concat([source, source.subarray(10, 20)]))).toBe(true);
  });

  it('lists uploads in progress, aborts them, and keeps them across a restart', async () => {
    const a = await upload('listed/a', [Buffer.from('part one')]);
    const b = await upload('listed/b', []);
    const listed = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'listed/' }));
    expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
      ['listed/a', a.uploadId],
      ['listed/b', b.uploadId],
    ]);
    const paged = await t.s3.send(
      new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'listed/', MaxUploads: 1 }),
    );
    expect(paged.IsTruncated).toBe(true);
    expect(paged.NextKeyMarker).toBe('listed/a');
    const next = await t.s3.send(
      new ListMultipartUploadsCommand({
        Bucket: BUCKET,
        Prefix: 'listed/',
        KeyMarker: paged.NextKeyMarker,
        UploadIdMarker: paged.NextUploadIdMarker,
      }),
    );
    expect(next.Uploads?.map((u) => u.Key)).toEqual(['listed/b']);

    await t.restart();
    const parts = await t.s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'listed/a', UploadId: a.uploadId }),
    );
    expect(parts.Parts?.map((part) => part.ETag)).toEqual(a.etags);
    await t.s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'listed/b', UploadId: b.uploadId }),
    );
    const afterAbort = await t.s3.send(
      new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'listed/' }),
    );
    expect(afterAbort.Uploads?.map((u) => u.Key)).toEqual(['listed/a']);
    // Never half-visible as objects.
    const objects = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'listed/' }));
    expect(objects.KeyCount).toBe(0);
  });

  it('keeps the checksum of an upload created with one (composite CRC32, full-object CRC64NVME)', async () => {
    const parts = [patterned(5 * MiB, 11), patterned(10, 12)];
    for (const [algorithm, type] of [
      ['CRC32', 'COMPOSITE'],
      ['CRC64NVME', 'FULL_OBJECT'],
    ] as const) {
      const key = `checksum/${algorithm}`;
      const { UploadId } = await t.s3.send(
        new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: algorithm }),
      );
      const done = [];
      for (const [index, body] of parts.entries()) {
        const part = await t.s3.send(
          new UploadPartCommand({
            Bucket: BUCKET,
            Key: key,
            UploadId,
            PartNumber: index + 1,
            Body: body,
            ChecksumAlgorithm: algorithm,
          }),
        );
        done.push({
          PartNumber: index + 1,
          ETag: part.ETag,
          [`Checksum${algorithm}`]: part[`Checksum${algorithm}`],
        });
      }
      const completed = await t.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: done },
        }),
      );
      expect(completed.ChecksumType).toBe(type);
      const value = completed[`Checksum${algorithm}`] as string;
      expect(value).toMatch(type === 'COMPOSITE' ? /-2$/ : /^[A-Za-z0-9+/]+=*$/);
      const got = await t.s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }),
      );
      expect((await bodyBytes(got.Body)).equals(Buffer.concat(parts))).toBe(true);
      expect(got[`Checksum${algorithm}`]).toBe(value);
    }
  });
});
