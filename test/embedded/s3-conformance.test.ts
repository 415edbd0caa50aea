/** The behaviours issue 9 measured against S3, one test each, through the SDK or raw HTTP. */
import { request as httpRequest } from 'node:http';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyBytes, errorOf, md5, startTestServer, type TestServer } from './s3-helpers.ts';

const BUCKET = 'conformance-bucket';

/** A raw request, so headers arrive exactly as written (fetch and the SDK normalize some). */
function raw(
  endpoint: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    rawHeaders: string[];
    body: string;
  }>((done, fail) => {
    const url = new URL(endpoint);
    const request = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        done({
          status: response.statusCode ?? 0,
          headers: response.headers,
          rawHeaders: response.rawHeaders,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', fail);
    request.end(body);
  });
}

const amzDate = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');

describe('local S3 server: behaviours measured against S3', () => {
  let t: TestServer;
  let etag: string;
  let lastModified: Date;

  beforeAll(async () => {
    t = await startTestServer({ buckets: [BUCKET] });
    etag = (await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'doc.txt', Body: 'document' })))
      .ETag as string;
    lastModified = (await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' })))
      .LastModified as Date;
  });
  afterAll(async () => t.close());

  it('GET If-Modified-Since answers 304, If-Unmodified-Since 412', async () => {
    const later = new Date(lastModified.getTime() + 60_000);
    const earlier = new Date(lastModified.getTime() - 60_000);
    const notModified = await raw(t.server.endpoint, 'GET', `/${BUCKET}/doc.txt`, {
      'If-Modified-Since': later.toUTCString(),
    });
    expect(notModified.status).toBe(304);
    const modified = await raw(t.server.endpoint, 'GET', `/${BUCKET}/doc.txt`, {
      'If-Modified-Since': earlier.toUTCString(),
    });
    expect([modified.status, modified.body]).toEqual([200, 'document']);
    const failed = await raw(t.server.endpoint, 'GET', `/${BUCKET}/doc.txt`, {
      'If-Unmodified-Since': earlier.toUTCString(),
    });
    expect(failed.status).toBe(412);
    expect(failed.body).toContain('<Code>PreconditionFailed</Code>');
    // If-Match that holds wins over a failing If-Unmodified-Since, as S3 documents.
    const both = await raw(t.server.endpoint, 'GET', `/${BUCKET}/doc.txt`, {
      'If-Match': etag,
      'If-Unmodified-Since': earlier.toUTCString(),
    });
    expect(both.status).toBe(200);
  });

  it('CopyObject honours x-amz-copy-source-if-* (412 when a condition fails)', async () => {
    const copy = (extra: Record<string, string>) =>
      raw(t.server.endpoint, 'PUT', `/${BUCKET}/copied.txt`, {
        'x-amz-copy-source': `${BUCKET}/doc.txt`,
        ...extra,
      });
    const later = new Date(lastModified.getTime() + 60_000).toUTCString();
    const earlier = new Date(lastModified.getTime() - 60_000).toUTCString();
    expect((await copy({ 'x-amz-copy-source-if-match': '"nope"' })).status).toBe(412);
    expect((await copy({ 'x-amz-copy-source-if-none-match': etag })).status).toBe(412);
    expect((await copy({ 'x-amz-copy-source-if-modified-since': later })).status).toBe(412);
    expect((await copy({ 'x-amz-copy-source-if-unmodified-since': earlier })).status).toBe(412);
    expect(
      (await copy({ 'x-amz-copy-source-if-match': etag, 'x-amz-copy-source-if-modified-since': earlier }))
        .status,
    ).toBe(200);
  });

  it('PUT If-None-Match with an ETag is NotImplemented; If-Match on a missing key is NoSuchKey', async () => {
    const etagCondition = await raw(
      t.server.endpoint,
      'PUT',
      `/${BUCKET}/doc.txt`,
      { 'If-None-Match': etag },
      'v2',
    );
    expect(etagCondition.status).toBe(501);
    expect(etagCondition.body).toContain('<Header>If-None-Match</Header>');
    const missing = await errorOf(
      t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'never-there', Body: 'x', IfMatch: etag })),
    );
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['NoSuchKey', 404]);
    const mismatch = await errorOf(
      t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'doc.txt', Body: 'x', IfMatch: '"0"' })),
    );
    expect(mismatch.$metadata.httpStatusCode).toBe(412);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' }));
    expect(await got.Body?.transformToString()).toBe('document');
  });

  it('CreateBucket: 200 again in us-east-1, 409 in another region; the region is reported', async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'east-bucket' }));
    expect(
      (await t.s3.send(new CreateBucketCommand({ Bucket: 'east-bucket' }))).$metadata.httpStatusCode,
    ).toBe(200);
    await t.s3.send(
      new CreateBucketCommand({
        Bucket: 'west-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' },
      }),
    );
    const again = await errorOf(
      t.s3.send(
        new CreateBucketCommand({
          Bucket: 'west-bucket',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' },
        }),
      ),
    );
    expect([again.name, again.$metadata.httpStatusCode]).toEqual(['BucketAlreadyOwnedByYou', 409]);
    expect(
      (await t.s3.send(new GetBucketLocationCommand({ Bucket: 'west-bucket' }))).LocationConstraint,
    ).toBe('eu-west-2');
    expect(
      (await t.s3.send(new GetBucketLocationCommand({ Bucket: 'east-bucket' }))).LocationConstraint,
    ).toBeUndefined();
    expect((await t.s3.send(new HeadBucketCommand({ Bucket: 'west-bucket' }))).BucketRegion).toBe(
      'eu-west-2',
    );
    const invalid = await raw(
      t.server.endpoint,
      'PUT',
      '/bad-region-bucket',
      {},
      '<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>',
    );
    expect(invalid.body).toContain('<Code>InvalidLocationConstraint</Code>');
    await t.restart();
    expect((await t.s3.send(new HeadBucketCommand({ Bucket: 'west-bucket' }))).BucketRegion).toBe(
      'eu-west-2',
    );
  });

  it('max-keys=0 is an untruncated empty page', async () => {
    const page = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 0 }));
    expect(page.IsTruncated).toBe(false);
    expect(page.KeyCount).toBe(0);
  });

  it('response-content-type replaces Content-Type (one header)', async () => {
    const got = await raw(t.server.endpoint, 'GET', `/${BUCKET}/doc.txt?response-content-type=text%2Fhtml`);
    const contentTypes = got.rawHeaders.filter(
      (_, i) => i % 2 === 0 && got.rawHeaders[i]?.toLowerCase() === 'content-type',
    );
    expect(contentTypes).toHaveLength(1);
    expect(got.headers['content-type']).toBe('text/html');
  });

  it('CopyObject onto itself needs x-amz-metadata-directive: REPLACE', async () => {
    const error = await errorOf(
      t.s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'doc.txt', CopySource: `${BUCKET}/doc.txt` })),
    );
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['InvalidRequest', 400]);
    await t.s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'doc.txt',
        CopySource: `${BUCKET}/doc.txt`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/plain',
        Metadata: { kind: 'doc' },
      }),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' }));
    expect([got.ContentType, got.Metadata?.kind, await got.Body?.transformToString()]).toEqual([
      'text/plain',
      'doc',
      'document',
    ]);
  });

  it('keeps Content-Encoding exactly as sent, minus aws-chunked', async () => {
    await raw(t.server.endpoint, 'PUT', `/${BUCKET}/encoded`, { 'Content-Encoding': 'deflate, gzip' }, 'x');
    expect((await raw(t.server.endpoint, 'HEAD', `/${BUCKET}/encoded`)).headers['content-encoding']).toBe(
      'deflate, gzip',
    );
    const chunked = '1\r\ny\r\n0\r\n\r\n';
    await raw(
      t.server.endpoint,
      'PUT',
      `/${BUCKET}/encoded2`,
      { 'Content-Encoding': 'aws-chunked, gzip', 'x-amz-decoded-content-length': '1' },
      chunked,
    );
    const head = await raw(t.server.endpoint, 'GET', `/${BUCKET}/encoded2`);
    expect([head.headers['content-encoding'], head.body]).toEqual(['gzip', 'y']);
  });

  it('OPTIONS on an object: 400 without Origin, 403 with one (no CORS configuration)', async () => {
    const bare = await raw(t.server.endpoint, 'OPTIONS', `/${BUCKET}/doc.txt`);
    expect(bare.status).toBe(400);
    const cors = await raw(t.server.endpoint, 'OPTIONS', `/${BUCKET}/doc.txt`, {
      Origin: 'http://example.com',
      'Access-Control-Request-Method': 'GET',
    });
    expect(cors.status).toBe(403);
  });

  it('answers %zz with 400 InvalidURI and keeps serving', async () => {
    const bad = await raw(t.server.endpoint, 'GET', `/${BUCKET}/%zz`);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('<Code>InvalidURI</Code>');
    expect((await raw(t.server.endpoint, 'GET', `/${BUCKET}/doc.txt`)).status).toBe(200);
  });

  it('enforces presigned expiry: SigV4 and SigV2', async () => {
    const v4 = (date: Date, expires: string) =>
      raw(
        t.server.endpoint,
        'GET',
        `/${BUCKET}/doc.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=${amzDate(date)}&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=00`,
      );
    expect((await v4(new Date(), '60')).status).toBe(200);
    const expired = await v4(new Date(Date.now() - 120_000), '60');
    expect(expired.status).toBe(403);
    expect(expired.body).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
    for (const expires of ['0', '604801', '-1', 'soon']) {
      const out = await v4(new Date(), expires);
      expect(out.status).toBe(403);
      expect(out.body).toContain('<Code>AuthorizationQueryParametersError</Code>');
    }
    const v2 = (expires: number) =>
      raw(
        t.server.endpoint,
        'GET',
        `/${BUCKET}/doc.txt?AWSAccessKeyId=AK&Signature=abc%3D&Expires=${expires}`,
      );
    expect((await v2(Math.floor(Date.now() / 1000) + 60)).status).toBe(200);
    const v2Expired = await v2(Math.floor(Date.now() / 1000) - 60);
    expect(v2Expired.status).toBe(403);
    expect(v2Expired.body).toContain('Request has expired');
  });

  it('lists object versions of the unversioned bucket, with paging', async () => {
    await t.s3.send(new CreateBucketCommand({ Bucket: 'versions-bucket' }));
    for (const key of ['a/1', 'a/2', 'b', 'c'])
      await t.s3.send(new PutObjectCommand({ Bucket: 'versions-bucket', Key: key, Body: key }));
    const all = await t.s3.send(new ListObjectVersionsCommand({ Bucket: 'versions-bucket' }));
    expect(all.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.ETag])).toEqual(
      ['a/1', 'a/2', 'b', 'c'].map((key) => [key, 'null', true, `"${md5(key)}"`]),
    );
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await t.s3.send(
        new ListObjectVersionsCommand({
          Bucket: 'versions-bucket',
          MaxKeys: 1,
          Delimiter: '/',
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      seen.push(
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string),
        ...(page.Versions ?? []).map((v) => v.Key as string),
      );
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
    expect(seen).toEqual(['a/', 'b', 'c']);
    const got = await t.s3.send(
      new GetObjectCommand({ Bucket: 'versions-bucket', Key: 'b', VersionId: 'null' }),
    );
    expect((await bodyBytes(got.Body)).toString()).toBe('b');
  });
});
