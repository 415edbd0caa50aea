/**
 * S3 behaviours of issue 21 (item 4), through the AWS SDK v3 against the local S3: a repeated
 * CompleteMultipartUpload, GET/HEAD `?partNumber=`, UploadPartCopy's copy range, GetBucketLocation
 * and a malformed CreateBucket body. Where S3 answers are cited: src/embedded/s3/README.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectNotification } from '../../src/embedded/s3/index.ts';
import { bodyBytes, errorOf, md5, patterned, startTestServer, type TestServer } from './s3-helpers.ts';

const BUCKET = 'fidelity-bucket';
const MiB = 1 << 20;

describe('local S3: S3 behaviours of issue 21', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ buckets: [BUCKET] });
  });
  afterAll(async () => t.close());

  /** An upload with these parts, not completed; the parts as CompleteMultipartUpload lists them. */
  async function prepare(key: string, parts: Buffer[], checksum?: 'CRC32') {
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: checksum }),
    );
    const listed = [];
    for (const [index, body] of parts.entries()) {
      const sent = await t.s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          PartNumber: index + 1,
          Body: body,
          ChecksumAlgorithm: checksum,
        }),
      );
      listed.push({ PartNumber: index + 1, ETag: sent.ETag, ChecksumCRC32: sent.ChecksumCRC32 });
    }
    return { uploadId: UploadId as string, parts: listed };
  }

  const complete = (key: string, uploadId: string, parts: { PartNumber: number; ETag?: string }[]) =>
    t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  const answerOf = (output: Awaited<ReturnType<typeof complete>>) => ({
    status: output.$metadata.httpStatusCode,
    Location: output.Location,
    Bucket: output.Bucket,
    Key: output.Key,
    ETag: output.ETag,
    ChecksumCRC32: output.ChecksumCRC32,
    ChecksumType: output.ChecksumType,
  });

  it('a repeated CompleteMultipartUpload answers as the first did, writes nothing and notifies once', async () => {
    const events: ObjectNotification[] = [];
    const unsubscribe = t.server.notifications.subscribe((event) => events.push(event));
    const key = 'retry/object.bin';
    const { uploadId, parts } = await prepare(key, [patterned(5 * MiB, 1), patterned(100, 2)], 'CRC32');
    const first = answerOf(await complete(key, uploadId, parts));
    expect(first).toMatchObject({ status: 200, Bucket: BUCKET, Key: key, ChecksumType: 'COMPOSITE' });
    expect(first.ETag).toMatch(/-2"$/);
    const modified = (await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).LastModified;

    const again = answerOf(await complete(key, uploadId, parts));
    expect(again).toEqual(first);
    // Conditions are not evaluated again: the first request's held.
    const conditional = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        IfNoneMatch: '*',
        MultipartUpload: { Parts: parts },
      }),
    );
    expect(answerOf(conditional)).toEqual(first);
    unsubscribe();
    await t.restart();
    const afterRestart = t.server.notifications.subscribe((event) => events.push(event));
    expect(answerOf(await complete(key, uploadId, parts))).toEqual(first);
    afterRestart();
    expect(events.filter((event) => event.key === key).map((event) => event.reason)).toEqual([
      'CompleteMultipartUpload',
    ]);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect([head.ETag, head.LastModified]).toEqual([first.ETag, modified]);

    // Another list of parts, or the key since overwritten: the upload is gone.
    const other = await errorOf(complete(key, uploadId, parts.slice(0, 1)));
    expect([other.name, other.$metadata.httpStatusCode]).toEqual(['NoSuchUpload', 404]);
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'replaced' }));
    const replaced = await errorOf(complete(key, uploadId, parts));
    expect(replaced.name).toBe('NoSuchUpload');
    // Other operations on a completed upload: NoSuchUpload, as before.
    const part = await errorOf(
      t.s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 3, Body: 'x' }),
      ),
    );
    expect(part.name).toBe('NoSuchUpload');
  });

  it('two Completes at once (a retry while the first still runs) both succeed with one object', async () => {
    const key = 'retry/concurrent.bin';
    const { uploadId, parts } = await prepare(key, [patterned(5 * MiB, 3), patterned(7, 4)]);
    const [a, b] = await Promise.all([complete(key, uploadId, parts), complete(key, uploadId, parts)]);
    expect(answerOf(b)).toEqual(answerOf(a));
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect((await bodyBytes(got.Body)).equals(Buffer.concat([patterned(5 * MiB, 3), patterned(7, 4)]))).toBe(
      true,
    );
  });

  it('an upload id that never existed, or was aborted, is still NoSuchUpload', async () => {
    const key = 'retry/aborted.bin';
    const { uploadId, parts } = await prepare(key, [Buffer.from('one part')]);
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
    for (const id of [uploadId, 'A'.repeat(64), '../../etc']) {
      const error = await errorOf(complete(key, id, parts));
      expect([error.name, error.$metadata.httpStatusCode]).toEqual(['NoSuchUpload', 404]);
    }
    // A completed upload's id under another key names no upload there.
    const done = await prepare('retry/done.bin', [Buffer.from('done')]);
    await complete('retry/done.bin', done.uploadId, done.parts);
    expect((await errorOf(complete('retry/elsewhere.bin', done.uploadId, done.parts))).name).toBe(
      'NoSuchUpload',
    );
  });

  it('GetObject and HeadObject with partNumber: the part, Content-Range, parts count, 206', async () => {
    const contents = [patterned(5 * MiB, 5), patterned(5 * MiB, 6), patterned(1000, 7)];
    const key = 'parts/three.bin';
    const { uploadId, parts } = await prepare(key, contents, 'CRC32');
    await complete(key, uploadId, parts);
    const size = 10 * MiB + 1000;
    for (const [index, content] of contents.entries()) {
      const start = index * 5 * MiB;
      const got = await t.s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: index + 1, ChecksumMode: 'ENABLED' }),
      );
      expect(got.$metadata.httpStatusCode).toBe(206);
      expect(got.ContentRange).toBe(`bytes ${start}-${start + content.length - 1}/${size}`);
      expect([got.PartsCount, got.ContentLength]).toEqual([3, content.length]);
      // A composite upload: the part's own checksum, as UploadPart returned it.
      expect([got.ChecksumCRC32, got.ChecksumType]).toEqual([parts[index]?.ChecksumCRC32, 'COMPOSITE']);
      expect(md5(await bodyBytes(got.Body))).toBe(md5(content));
    }
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 2 }));
    expect([head.$metadata.httpStatusCode, head.ContentLength, head.PartsCount]).toEqual([206, 5 * MiB, 3]);
    expect(head.ContentRange).toBe(`bytes ${5 * MiB}-${10 * MiB - 1}/${size}`);

    const beyond = await errorOf(
      t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 4 })),
    );
    expect([beyond.name, beyond.$metadata.httpStatusCode, beyond.message]).toEqual([
      'InvalidPartNumber',
      416,
      'The requested partnumber is not satisfiable',
    ]);
    expect(beyond).toMatchObject({ PartNumberRequested: '4', ActualPartCount: '3' });
    const headBeyond = await errorOf(
      t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 4 })),
    );
    expect(headBeyond.$metadata.httpStatusCode).toBe(416);
    const both = await errorOf(
      t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 1, Range: 'bytes=0-9' })),
    );
    expect([both.name, both.$metadata.httpStatusCode, both.message]).toEqual([
      'InvalidRequest',
      400,
      'Cannot specify both Range header and partNumber query parameter',
    ]);
  });

  it('partNumber=1 of an object uploaded whole is all of it, without a parts count', async () => {
    const body = Buffer.from('test-123');
    await t.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'parts/whole.txt',
        Body: body,
        ChecksumAlgorithm: 'CRC32',
      }),
    );
    const got = await t.s3.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: 'parts/whole.txt',
        PartNumber: 1,
        ChecksumMode: 'ENABLED',
      }),
    );
    expect([got.$metadata.httpStatusCode, got.ContentRange, got.PartsCount]).toEqual([
      206,
      'bytes 0-7/8',
      undefined,
    ]);
    // The checksum covers the bytes sent: all of them.
    expect(got.ChecksumCRC32).toBe('MAPXAg==');
    expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
    const second = await errorOf(
      t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'parts/whole.txt', PartNumber: 2 })),
    );
    expect([second.name, second.$metadata.httpStatusCode]).toEqual(['InvalidPartNumber', 416]);
    expect(second).toMatchObject({ PartNumberRequested: '2', ActualPartCount: '1' });
  });

  it('objects stored before (no upload id, part sizes that do not add up) stay readable', async () => {
    const contents = [patterned(5 * MiB, 8), Buffer.from('tail')];
    const { uploadId, parts } = await prepare('parts/old.bin', contents);
    await complete('parts/old.bin', uploadId, parts);
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'parts/odd.bin', Body: 'odd sizes' }));
    // The index as an older server wrote it (edited while the server is idle, read at the restart).
    const indexPath = join(t.directory, BUCKET, '.meta', 'index.jsonl');
    const lines = (await readFile(indexPath, 'utf8')).split('\n').filter(Boolean);
    const rewritten = lines.map((line) => {
      const entry = JSON.parse(line);
      if (entry.put?.key === 'parts/old.bin') delete entry.put.uploadId;
      if (entry.put?.key === 'parts/odd.bin') entry.put.parts = [1, 2];
      return JSON.stringify(entry);
    });
    await writeFile(indexPath, `${rewritten.join('\n')}\n`);
    await t.restart();
    const second = await t.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'parts/old.bin', PartNumber: 2 }),
    );
    expect([second.PartsCount, (await bodyBytes(second.Body)).toString()]).toEqual([2, 'tail']);
    // Without the id kept, a repeat cannot be recognised: NoSuchUpload, as before.
    expect((await errorOf(complete('parts/old.bin', uploadId, parts))).name).toBe('NoSuchUpload');
    const odd = await t.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'parts/odd.bin', PartNumber: 1 }),
    );
    expect([odd.PartsCount, (await bodyBytes(odd.Body)).toString()]).toEqual([undefined, 'odd sizes']);
  });

  it('UploadPartCopy: a valid range copies exactly its bytes; a bad one is refused as S3 does', async () => {
    const source = Buffer.from('0123456789');
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/source', Body: source }));
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'copy/target' }),
    );
    const copy = (range: string, partNumber = 1) =>
      t.s3.send(
        new UploadPartCopyCommand({
          Bucket: BUCKET,
          Key: 'copy/target',
          UploadId,
          PartNumber: partNumber,
          CopySource: `${BUCKET}/copy/source`,
          CopySourceRange: range,
        }),
      );
    const first = await copy('bytes=0-0', 1);
    const last = await copy('bytes=3-9', 2);
    expect([first.CopyPartResult?.ETag, last.CopyPartResult?.ETag]).toEqual([
      `"${md5('0')}"`,
      `"${md5('3456789')}"`,
    ]);

    const form =
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy';
    for (const [range, code, message] of [
      ['0-8', 'InvalidArgument', form],
      ['bytes=1-0', 'InvalidArgument', form],
      ['bytes=-2', 'InvalidArgument', form],
      ['bytes=0-1,3-4', 'InvalidArgument', form],
      ['bytes=0-10', 'InvalidArgument', 'Range specified is not valid for source object of size: 10'],
      ['bytes=100-200', 'InvalidRequest', 'The specified copy range is invalid for the source object size'],
    ] as const) {
      const error = await errorOf(copy(range, 3));
      expect({
        range,
        code: error.name,
        status: error.$metadata.httpStatusCode,
        message: error.message,
      }).toEqual({
        range,
        code,
        status: 400,
        message,
      });
    }
    // Part 1 (one byte) may only be the last part: the object is made of part 2 alone.
    await complete('copy/target', UploadId as string, [{ PartNumber: 2, ETag: last.CopyPartResult?.ETag }]);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copy/target' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('3456789');
  });

  it('GetBucketLocation answers the LocationConstraint the bucket was created with, across a restart', async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'plain-location' }));
    for (const [bucket, constraint] of [
      ['west-location', 'eu-west-2'],
      ['eu-location', 'EU'],
    ] as const) {
      await t.s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: constraint },
        }),
      );
    }
    const check = async () => {
      const location = async (bucket: string) =>
        (await t.s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint;
      expect(await location('west-location')).toBe('eu-west-2');
      expect(await location('eu-location')).toBe('EU');
      // us-east-1: an empty element (the SDK gives no value).
      expect(await location('plain-location')).toBeUndefined();
      expect((await t.s3.send(new HeadBucketCommand({ Bucket: 'eu-location' }))).BucketRegion).toBe(
        'eu-west-1',
      );
    };
    await check();
    await t.restart();
    await check();
  });

  it('CreateBucket with a malformed configuration is MalformedXML and creates nothing; the server keeps serving', async () => {
    const bodies = [
      'not xml at all',
      '<CreateBucketConfiguration><LocationConstraint>eu-west-2</CreateBucketConfiguration>',
      '<CreateBucketConfiguration><LocationConstraint><Nested>x</Nested></LocationConstraint></CreateBucketConfiguration>',
      '<Other><LocationConstraint>eu-west-2</LocationConstraint></Other>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><CreateBucketConfiguration/>',
      '\u0000\u00ff<',
    ];
    for (const [index, body] of bodies.entries()) {
      const response = await fetch(`${t.server.endpoint}/malformed-${index}`, { method: 'PUT', body });
      const text = await response.text();
      expect({ body, status: response.status, code: text.match(/<Code>(\w+)<\/Code>/)?.[1] }).toEqual({
        body,
        status: 400,
        code: 'MalformedXML',
      });
    }
    const names =
      (await t.s3.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name ?? '') ?? [];
    expect(names.filter((name) => name.startsWith('malformed-'))).toEqual([]);
    expect(names).toContain(BUCKET);
  });
});
