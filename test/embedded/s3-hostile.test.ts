/**
 * The local S3 server is never brought down and never loses data: thousands of malformed requests
 * (the generic corpus of test/support/hostile-requests.ts plus S3-specific ones: hostile XML for
 * DeleteObjects / CompleteMultipartUpload / CreateBucket, bogus upload ids and part numbers, bad
 * copy sources and ranges, bad presigned parameters, traversal keys), then every object written
 * before reads back byte-identical, the upload in progress is intact, and nothing was written
 * outside the data folder.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import { forEachConcurrent } from '../../training/concurrency.ts';
import {
  encodeRequest,
  type HttpTarget,
  hostileRequest,
  type RawOutcome,
  sendRaw,
} from '../support/hostile-requests.ts';
import { bodyBytes, clientFor, patterned } from './s3-helpers.ts';

const BUCKET = 'hostile-bucket';
const UPLOAD_KEY = 'precious/upload';
/** Requests per property run and runs: 2 x (600 generic + 500 S3-specific) = 2200 requests. */
const GENERIC_BATCH = 600;
const S3_BATCH = 500;
const RUNS = 2;
const CONCURRENCY = 24;
const SEND_TIMEOUT_MS = 400;

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Delete><Object><Key>&lol3;</Key></Object></Delete>';
const EXTERNAL_ENTITY =
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&xxe;</Key></Object></Delete>';

const hostileXml = fc.oneof(
  fc.constantFrom(
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    '<Delete><Object><Key>unclosed',
    '<Delete></Delete>',
    '<CompleteMultipartUpload><Part><PartNumber>abc</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>',
    '<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>"e"</ETag></Part><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>',
    '<CompleteMultipartUpload><Part><PartNumber>99999999999</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>',
    '<CompleteMultipartUpload></CompleteMultipartUpload>',
    '<CreateBucketConfiguration><LocationConstraint>../../etc</LocationConstraint></CreateBucketConfiguration>',
    '<a>&bogus;</a>',
    '<Delete><Object><Key><Key>nested</Key></Key></Object></Delete>',
    `${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`,
    '\uFEFF<Delete><Object><Key>bom</Key></Object></Delete>',
    '',
  ),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

const oddText = fc.oneof(
  fc.constantFrom('', '0', '-1', '10001', '1.5', '1e3', 'null', '../../x', '%00', '%zz', 'x'.repeat(300)),
  fc.string({ maxLength: 40 }),
);

function s3Hostile(target: HttpTarget, uploadId: string): fc.Arbitrary<Buffer> {
  const host = `${target.host}:${target.port}`;
  const bucket = target.basePath;
  const build = (method: string, path: string, headers: [string, string][] = [], body = '') => {
    const bytes = Buffer.from(body, 'latin1');
    return encodeRequest({
      method,
      target: path,
      headers: [
        ['Host', host],
        ['Connection', 'close'],
        ...headers,
        ['Content-Length', String(bytes.length)],
      ],
      body: bytes,
    });
  };
  const encoded = (text: string) => encodeURIComponent(text);
  return fc.oneof(
    // Hostile XML where the server parses XML.
    fc
      .tuple(
        fc.constantFrom(
          `${bucket}?delete`,
          `${bucket}/${UPLOAD_KEY}?uploadId=${uploadId}`,
          '/new-hostile-bucket',
        ),
        hostileXml,
      )
      .map(([path, xml]) =>
        build(path.startsWith('/new') ? 'PUT' : 'POST', path, [['Content-Type', 'application/xml']], xml),
      ),
    // Bogus upload ids and part numbers on every multipart operation.
    fc
      .record({
        method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE'),
        id: fc.oneof(oddText, fc.constant(uploadId)),
        part: oddText,
        key: fc.constantFrom('k', 'other', ''),
      })
      .filter(
        ({ id, method, key }) =>
          !(id === uploadId && key === '') && !(id === uploadId && method === 'DELETE'),
      )
      .map(({ method, id, part, key }) =>
        build(
          method,
          `${bucket}/${key}?uploadId=${encoded(id)}&partNumber=${encoded(part)}`,
          [],
          method === 'PUT' ? 'data' : '',
        ),
      ),
    // Reads by part number, with and without a Range (object uploaded whole and the upload in progress).
    fc
      .record({
        method: fc.constantFrom('GET', 'HEAD'),
        key: fc.constantFrom('precious/0', UPLOAD_KEY, 'missing'),
        part: oddText,
        range: fc.option(fc.oneof(oddText, fc.constant('bytes=0-3')), { nil: undefined }),
      })
      .map(({ method, key, part, range }) =>
        build(
          method,
          `${bucket}/${key}?partNumber=${encoded(part)}`,
          range === undefined ? [] : [['Range', range]],
        ),
      ),
    // Bad copy sources, ranges and copy conditions.
    fc
      .record({
        source: fc.oneof(
          oddText,
          fc.constantFrom(
            `${BUCKET.slice(1)}`,
            `/${BUCKET}`,
            `${BUCKET}/`,
            `${BUCKET}/%zz`,
            `${BUCKET}/precious/0?versionId=bogus`,
            `no-such-bucket/x`,
            `${BUCKET}/precious/0`,
          ),
        ),
        range: fc.option(oddText, { nil: undefined }),
        condition: fc.option(
          fc.tuple(
            fc.constantFrom('x-amz-copy-source-if-match', 'x-amz-copy-source-if-modified-since'),
            oddText,
          ),
          { nil: undefined },
        ),
        part: fc.boolean(),
      })
      .map(({ source, range, condition, part }) => {
        const headers: [string, string][] = [['x-amz-copy-source', source]];
        if (range !== undefined) headers.push(['x-amz-copy-source-range', range]);
        if (condition) headers.push(condition);
        const path = part
          ? `${bucket}/${UPLOAD_KEY}?uploadId=${uploadId}&partNumber=7`
          : `${bucket}/copy-target`;
        return build('PUT', path, headers);
      }),
    // Bad presigned parameters.
    fc
      .record({
        v4: fc.boolean(),
        date: fc.oneof(
          oddText,
          fc.constantFrom('20200101T000000Z', '99991231T235959Z', '2020-01-01T00:00:00Z'),
        ),
        expires: oddText,
      })
      .map(({ v4, date, expires }) =>
        build(
          'GET',
          v4
            ? `${bucket}/precious/0?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-Date=${encoded(date)}&X-Amz-Expires=${encoded(expires)}&X-Amz-Signature=0`
            : `${bucket}/precious/0?AWSAccessKeyId=a&Signature=b&Expires=${encoded(expires)}`,
        ),
      ),
    // Keys that would escape a naive folder mapping, written and read.
    fc
      .tuple(
        fc.constantFrom(
          '..',
          '../..',
          '../../../etc/passwd',
          '%2e%2e%2f%2e%2e',
          '..%2F..%2Fescape',
          '%00',
          'a%00b',
          '.meta/x.json',
          '.bucket.json',
          '%2E',
          '.tmp/x',
          '.uploads/x',
        ),
        fc.constantFrom('PUT', 'GET', 'DELETE', 'HEAD'),
      )
      .map(([key, method]) => build(method, `${bucket}/${key}`, [], method === 'PUT' ? 'escaped?' : '')),
  );
}

describe('local S3 server under hostile requests', () => {
  let parent: string;
  let server: LocalS3;
  let s3: S3Client;
  let target: HttpTarget;
  let uploadId: string;
  let partEtag: string | undefined;
  const precious = Array.from({ length: 6 }, (_, i) =>
    patterned(i === 5 ? (2 << 20) + 3 : 100 + i * 1000, i),
  );

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 's3-hostile-'));
    server = await startLocalS3({
      directory: join(parent, 'data'),
      buckets: [BUCKET],
      maxObjectBytes: 4 << 20,
    });
    s3 = clientFor(server);
    for (const [i, body] of precious.entries())
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `precious/${i}`, Body: body }));
    uploadId = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: UPLOAD_KEY })))
      .UploadId as string;
    partEtag = (
      await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: UPLOAD_KEY,
          UploadId: uploadId,
          PartNumber: 1,
          Body: 'part',
        }),
      )
    ).ETag;
    const url = new URL(server.endpoint);
    target = { host: url.hostname, port: Number(url.port), basePath: `/${BUCKET}` };
  });

  afterAll(async () => {
    s3.destroy();
    await server.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('answers thousands of malformed requests without a crash or a 500, then serves every object intact', async () => {
    const outcomes: RawOutcome[] = [];
    const generic = hostileRequest(target, {
      routes: [
        '',
        '/key',
        '/key?uploads',
        `/key?uploadId=${'x'.repeat(20)}&partNumber=1`,
        '?delete',
        '?versions',
        '?uploads',
        '/precious',
        '?list-type=2&max-keys=1',
      ],
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(generic, { minLength: GENERIC_BATCH, maxLength: GENERIC_BATCH }),
        fc.array(s3Hostile(target, uploadId), { minLength: S3_BATCH, maxLength: S3_BATCH }),
        async (genericRequests, s3Requests) => {
          const batch = [...genericRequests.map((request) => request.bytes), ...s3Requests];
          const results: Awaited<ReturnType<typeof sendRaw>>[] = [];
          await forEachConcurrent(batch, CONCURRENCY, async (bytes, index) => {
            results[index] = await sendRaw(target, bytes, { timeoutMs: SEND_TIMEOUT_MS, halfClose: true });
          });
          outcomes.push(...results);
          for (const [index, outcome] of results.entries()) {
            if (outcome.status === 500)
              throw new Error(
                `500 for ${batch[index]?.subarray(0, 300).toString('latin1')}\n${outcome.received.toString('latin1')}`,
              );
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(outcomes.length).toBe(RUNS * (GENERIC_BATCH + S3_BATCH));
    // Most requests get an answer (the rest: dropped by Node's parser, or bodies cut short).
    expect(outcomes.filter((outcome) => outcome.status !== undefined).length).toBeGreaterThan(
      outcomes.length / 2,
    );

    for (const [i, body] of precious.entries()) {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `precious/${i}` }));
      expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
    }
    const parts = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: UPLOAD_KEY, UploadId: uploadId }),
    );
    expect(parts.Parts?.find((part) => part.PartNumber === 1)?.ETag).toBe(partEtag);
    // Nothing escaped the data folder.
    expect(await readdir(parent)).toEqual(['data']);
    expect((await readdir(join(parent, 'data'))).sort()).toEqual(
      [
        '.tmp',
        '.uploads',
        BUCKET,
        ...(await readdir(join(parent, 'data'))).filter((name) => name === 'new-hostile-bucket'),
      ].sort(),
    );
  }, 60_000);
});
