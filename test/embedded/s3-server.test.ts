import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';

const BUCKET = 'test-bucket';

function clientFor(server: LocalS3): S3Client {
  return createS3Client(loadConfig({ AWS_ENDPOINT_URL_S3: server.endpoint }), { maxAttempts: 1 });
}

async function errorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(S3ServiceException);
  return error as S3ServiceException;
}

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

describe('local S3 server through @aws-sdk/client-s3', () => {
  let directory: string;
  let server: LocalS3;
  let s3: S3Client;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 's3-server-test-'));
    server = await startLocalS3({ directory, buckets: [BUCKET] });
    s3 = clientFor(server);
  });

  afterAll(async () => {
    s3.destroy();
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 on a free port', () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.endpoint).not.toMatch(/:0$/);
  });

  it('round-trips an object with its Content-Type, ETag, Last-Modified and user metadata', async () => {
    const body = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'images/a b+c/ü.png',
        Body: body,
        ContentType: 'image/png',
        Metadata: { label: 'bicycle' },
        CacheControl: 'max-age=60',
      }),
    );
    expect(put.ETag).toBe(`"${md5(body)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'images/a b+c/ü.png' }));
    expect(
      Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
    ).toEqual(body);
    expect(got.ContentType).toBe('image/png');
    expect(got.ETag).toBe(`"${md5(body)}"`);
    expect(got.ContentLength).toBe(body.length);
    expect(got.Metadata).toEqual({ label: 'bicycle' });
    expect(got.CacheControl).toBe('max-age=60');
    expect(got.LastModified).toBeInstanceOf(Date);
    expect(Math.abs((got.LastModified as Date).getTime() - Date.now())).toBeLessThan(5000);
  });

  it('keeps keys that URL parsing would normalize', async () => {
    for (const key of ['a/../b', '//double', 'dot/./x', 'trailing/', 'q?x=1&y=%2F']) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `odd/${key}`, Body: key }));
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `odd/${key}` }));
      expect(await got.Body?.transformToString()).toBe(key);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'odd/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(
      ['a/../b', '//double', 'dot/./x', 'trailing/', 'q?x=1&y=%2F'].map((key) => `odd/${key}`).sort(),
    );
  });

  it('accepts a streamed body (aws-chunked with a trailing checksum)', async () => {
    const body = Buffer.alloc(200_000, 'z');
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'streamed.bin',
        Body: Readable.from([body]),
        ContentLength: body.length,
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'streamed.bin' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ETag).toBe(`"${md5(body)}"`);
  });

  it('serves byte ranges and answers InvalidRange beyond the end', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Body: '0123456789' }));
    const middle = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=2-4' }),
    );
    expect(await middle.Body?.transformToString()).toBe('234');
    expect(middle.ContentRange).toBe('bytes 2-4/10');
    const suffix = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=-3' }),
    );
    expect(await suffix.Body?.transformToString()).toBe('789');
    const error = await errorOf(
      s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=10-' })),
    );
    expect(error.name).toBe('InvalidRange');
    expect(error.$metadata.httpStatusCode).toBe(416);
  });

  it('stores objects above the memory-cache size on disk and serves them, whole and in ranges', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32BE(i, i);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Body: body }));
    const whole = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
    expect(Buffer.from((await whole.Body?.transformToByteArray()) ?? [])).toEqual(body);
    const tail = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Range: 'bytes=3145724-' }),
    );
    expect(Buffer.from((await tail.Body?.transformToByteArray()) ?? [])).toEqual(body.subarray(3145724));
  });

  it("writes S3's XML error document, ignores presigned-URL parameters, and names what it does not implement", async () => {
    const missing = await fetch(`${server.endpoint}/${BUCKET}/no/such%20key.png`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/xml');
    const xml = await missing.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code>/);
    expect(xml).toContain('<Key>no/such key.png</Key>');
    expect(xml).toMatch(/<RequestId>[0-9A-F]+<\/RequestId>/);

    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'signed.txt', Body: 'signed' }));
    const signedAt = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const presigned = await fetch(
      `${server.endpoint}/${BUCKET}/signed.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=${signedAt}&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc`,
    );
    expect(await presigned.text()).toBe('signed');

    const tagging = await fetch(`${server.endpoint}/${BUCKET}/signed.txt?tagging`);
    expect(tagging.status).toBe(501);
    expect(await tagging.text()).toContain('<Code>NotImplemented</Code>');
  });

  it('answers NoSuchKey, NoSuchBucket and NotFound as S3 does', async () => {
    const noKey = await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing.png' })));
    expect(noKey.name).toBe('NoSuchKey');
    expect(noKey.$metadata.httpStatusCode).toBe(404);
    expect(noKey.message).toBe('The specified key does not exist.');
    const noBucket = await errorOf(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' })));
    expect(noBucket.name).toBe('NoSuchBucket');
    const head = await errorOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing.png' })));
    expect(head.name).toBe('NotFound');
    expect(head.$metadata.httpStatusCode).toBe(404);
    const noBucketList = await errorOf(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })));
    expect(noBucketList.name).toBe('NoSuchBucket');
  });

  it('creates, lists, heads and deletes buckets with S3 error codes', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'second-bucket' }));
    // us-east-1: creating a bucket you already own succeeds again; other regions answer 409.
    const again = await s3.send(new CreateBucketCommand({ Bucket: 'second-bucket' }));
    expect(again.$metadata.httpStatusCode).toBe(200);
    const invalid = await errorOf(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })));
    expect(invalid.name).toBe('InvalidBucketName');
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((bucket) => bucket.Name)).toEqual(['second-bucket', BUCKET]);
    await s3.send(new HeadBucketCommand({ Bucket: 'second-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'second-bucket', Key: 'k', Body: 'v' }));
    const notEmpty = await errorOf(s3.send(new DeleteBucketCommand({ Bucket: 'second-bucket' })));
    expect(notEmpty.name).toBe('BucketNotEmpty');
    await s3.send(new DeleteObjectCommand({ Bucket: 'second-bucket', Key: 'k' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'second-bucket' }));
    const gone = await errorOf(s3.send(new HeadBucketCommand({ Bucket: 'second-bucket' })));
    expect(gone.name).toBe('NotFound');
    const deleteMissing = await errorOf(s3.send(new DeleteBucketCommand({ Bucket: 'second-bucket' })));
    expect(deleteMissing.name).toBe('NoSuchBucket');
  });

  it('lists with prefix, delimiter and continuation, in S3 key order', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'list-bucket' }));
    const keys = ['a/1', 'a/2', 'a/sub/1', 'a/sub/2', 'a/t/1', 'b', 'c/1', 'a/3', 'x\u{1F600}', 'x\uFFFD'];
    for (const key of keys)
      await s3.send(new PutObjectCommand({ Bucket: 'list-bucket', Key: key, Body: key }));

    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'list-bucket', MaxKeys: 3, ContinuationToken: token }),
      );
      expect(page.KeyCount).toBe(page.Contents?.length ?? 0);
      seen.push(...(page.Contents ?? []).map((object) => object.Key as string));
      token = page.NextContinuationToken;
      expect(token === undefined).toBe(!page.IsTruncated);
    } while (token);
    // UTF-8 byte order: U+FFFD sorts before U+1F600 although JS string order says otherwise.
    expect(seen).toEqual([
      'a/1',
      'a/2',
      'a/3',
      'a/sub/1',
      'a/sub/2',
      'a/t/1',
      'b',
      'c/1',
      'x\uFFFD',
      'x\u{1F600}',
    ]);

    const grouped = await s3.send(
      new ListObjectsV2Command({ Bucket: 'list-bucket', Prefix: 'a/', Delimiter: '/' }),
    );
    expect(grouped.Contents?.map((object) => object.Key)).toEqual(['a/1', 'a/2', 'a/3']);
    expect(grouped.CommonPrefixes?.map((prefix) => prefix.Prefix)).toEqual(['a/sub/', 'a/t/']);
    expect(grouped.Contents?.[0]?.ETag).toBe(`"${md5('a/1')}"`);
    expect(grouped.Contents?.[0]?.Size).toBe(3);

    const pagedPrefixes: string[] = [];
    token = undefined;
    do {
      const page: ListObjectsV2CommandOutput = await s3.send(
        new ListObjectsV2Command({
          Bucket: 'list-bucket',
          Delimiter: '/',
          MaxKeys: 1,
          ContinuationToken: token,
        }),
      );
      pagedPrefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string));
      pagedPrefixes.push(...(page.Contents ?? []).map((o) => o.Key as string));
      token = page.NextContinuationToken;
    } while (token);
    expect(pagedPrefixes).toEqual(['a/', 'b', 'c/', 'x\uFFFD', 'x\u{1F600}']);

    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: 'list-bucket', StartAfter: 'a/t/1', Prefix: 'a' }),
    );
    expect(after.Contents).toBeUndefined();
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'list-bucket', Marker: 'b', MaxKeys: 1 }));
    expect(v1.Contents?.map((object) => object.Key)).toEqual(['c/1']);
    expect(v1.IsTruncated).toBe(true);
  });

  it('deletes objects in bulk and copies objects', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'bulk-bucket' }));
    for (const key of ['1', '2', '3 & <4>']) {
      await s3.send(
        new PutObjectCommand({
          Bucket: 'bulk-bucket',
          Key: key,
          Body: key,
          Metadata: { n: key.length.toString() },
        }),
      );
    }
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: 'bulk-bucket',
        Key: 'copy',
        CopySource: 'bulk-bucket/3%20%26%20%3C4%3E',
      }),
    );
    expect(copied.CopyObjectResult?.ETag).toBe(`"${md5('3 & <4>')}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'bulk-bucket', Key: 'copy' }));
    expect(head.Metadata).toEqual({ n: '7' });
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'bulk-bucket',
        Delete: { Objects: [{ Key: '1' }, { Key: '3 & <4>' }, { Key: 'never-existed' }] },
      }),
    );
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual(['1', '3 & <4>', 'never-existed']);
    const rest = await s3.send(new ListObjectsV2Command({ Bucket: 'bulk-bucket' }));
    expect(rest.Contents?.map((object) => object.Key)).toEqual(['2', 'copy']);
  });

  it('honours conditional requests', async () => {
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond', Body: 'v1' }));
    const failed = await errorOf(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond', Body: 'v2', IfNoneMatch: '*' })),
    );
    expect(failed.name).toBe('PreconditionFailed');
    const mismatch = await errorOf(
      s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfMatch: '"00"' })),
    );
    expect(mismatch.$metadata.httpStatusCode).toBe(412);
    const notModified = await errorOf(
      s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfNoneMatch: ETag })),
    );
    expect(notModified.$metadata.httpStatusCode).toBe(304);
  });

  it('keeps metadata and body consistent under concurrent writes of one key', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => Buffer.alloc(1000 + i * 10, i));
    const gets: Promise<{ etag?: string; body: Buffer }>[] = [];
    await Promise.all(
      bodies.map(async (body) => {
        gets.push(
          s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'race.bin' })).then(
            async (got) => ({
              etag: got.ETag,
              body: Buffer.from((await got.Body?.transformToByteArray()) ?? []),
            }),
            () => ({ etag: undefined, body: Buffer.alloc(0) }), // not written yet
          ),
        );
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'race.bin', Body: body }));
      }),
    );
    for (const { etag, body } of await Promise.all(gets)) {
      if (etag) expect(etag).toBe(`"${md5(body)}"`);
    }
    const last = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'race.bin' }));
    const onDisk = await readFile(join(directory, BUCKET, 'race.bin'));
    expect(last.ETag).toBe(`"${md5(onDisk)}"`);
  });

  it('keeps data in the folder across a restart, and serves files dropped into it', async () => {
    const body = Buffer.from('persisted');
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'keep/me.txt', Body: body, ContentType: 'text/plain' }),
    );
    expect(await readFile(join(directory, BUCKET, encodeURIComponent('keep/me.txt')))).toEqual(body);
    await writeFile(join(directory, BUCKET, 'dropped.txt'), 'by hand');
    await server.stop();
    s3.destroy();

    server = await startLocalS3({ directory });
    s3 = clientFor(server);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'keep/me.txt' }));
    expect(await got.Body?.transformToString()).toBe('persisted');
    expect(got.ContentType).toBe('text/plain');
    const dropped = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dropped.txt' }));
    expect(await dropped.Body?.transformToString()).toBe('by hand');
    expect(dropped.ETag).toBe(`"${md5('by hand')}"`);
  });

  it('removes a temporary folder it created itself on stop', async () => {
    const own = await startLocalS3({ buckets: ['tmp-bucket'] });
    const client = clientFor(own);
    await client.send(new PutObjectCommand({ Bucket: 'tmp-bucket', Key: 'k', Body: 'v' }));
    client.destroy();
    await own.stop();
    await expect(readFile(join(own.directory, 'tmp-bucket', 'k'))).rejects.toThrow(/ENOENT/);
  });
});
