/** Integrity and atomicity of the local S3 store: checksums, a full disk, concurrent writers, oversized bodies. */
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_FILE_SYSTEM, type StoreFileSystem } from '../../src/embedded/s3/index.ts';
import { bodyBytes, errorOf, md5, patterned, startTestServer, type TestServer } from './s3-helpers.ts';

const BUCKET = 'durable-bucket';

/** The real file system, except that writes fail with ENOSPC while `full` is set. */
function fillableDisk() {
  const state = { full: false };
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const files: StoreFileSystem = {
    ...NODE_FILE_SYSTEM,
    async create(path) {
      const file = await NODE_FILE_SYSTEM.create(path);
      return {
        write: async (data) => {
          if (state.full) throw enospc();
          return file.write(data);
        },
        stat: () => file.stat(),
        close: () => file.close(),
      };
    },
    async writeFile(path, data) {
      if (state.full) throw enospc();
      return NODE_FILE_SYSTEM.writeFile(path, data);
    },
    async appendFile(path, data) {
      if (state.full) throw enospc();
      return NODE_FILE_SYSTEM.appendFile(path, data);
    },
  };
  return { state, files };
}

describe('local S3 store integrity', () => {
  const disk = fillableDisk();
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ buckets: [BUCKET], fileSystem: disk.files, maxObjectBytes: 8 << 20 });
  });
  afterAll(async () => t.close());

  it('verifies Content-MD5 and every x-amz-checksum-* the SDK sends, and returns the checksum', async () => {
    const body = patterned(3000, 1);
    for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
      const put = await t.s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `sum/${algorithm}`,
          Body: body,
          ChecksumAlgorithm: algorithm,
        }),
      );
      const sent = put[`Checksum${algorithm}`];
      expect(sent).toBeTruthy();
      const got = await t.s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: `sum/${algorithm}`, ChecksumMode: 'ENABLED' }),
      );
      expect(got[`Checksum${algorithm}`]).toBe(sent);
      expect((await bodyBytes(got.Body)).equals(body)).toBe(true);
    }
    const put = (headers: Record<string, string>) =>
      fetch(`${t.server.endpoint}/${BUCKET}/sum/raw`, { method: 'PUT', headers, body: 'payload' });
    const badMd5 = await put({ 'Content-MD5': Buffer.alloc(16).toString('base64') });
    expect([badMd5.status, await badMd5.text()]).toEqual([
      400,
      expect.stringContaining('<Code>BadDigest</Code>'),
    ]);
    const badCrc = await put({ 'x-amz-checksum-crc32': 'AAAAAA==' });
    expect(await badCrc.text()).toContain(
      '<Code>BadDigest</Code><Message>The CRC32 you specified did not match the calculated checksum.</Message>',
    );
    const invalid = await put({ 'x-amz-checksum-sha256': 'not-base64' });
    expect(await invalid.text()).toContain(
      '<Message>Value for x-amz-checksum-sha256 header is invalid.</Message>',
    );
    const goodMd5 = await put({ 'Content-MD5': Buffer.from(md5('payload'), 'hex').toString('base64') });
    expect(goodMd5.status).toBe(200);
    await errorOf(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sum/never' })));
  });

  it('answers InternalError on a full disk and corrupts nothing', async () => {
    const small = Buffer.from('precious');
    const large = patterned(3 << 20, 2);
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'full/small', Body: small }));
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'full/large', Body: large }));
    const { UploadId } = await t.s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'full/multi' }),
    );
    const part = await t.s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: 'full/multi',
        UploadId,
        PartNumber: 1,
        Body: patterned(1000, 3),
      }),
    );
    disk.state.full = true;
    try {
      for (const attempt of [
        () => t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'full/small', Body: 'overwrite' })),
        () =>
          t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'full/large', Body: patterned(3 << 20, 9) })),
        () =>
          t.s3.send(
            new UploadPartCommand({ Bucket: BUCKET, Key: 'full/multi', UploadId, PartNumber: 2, Body: 'x' }),
          ),
        () =>
          t.s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: BUCKET,
              Key: 'full/multi',
              UploadId,
              MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
            }),
          ),
      ]) {
        const error = await errorOf(attempt());
        expect([error.name, error.$metadata.httpStatusCode]).toEqual(['InternalError', 500]);
      }
    } finally {
      disk.state.full = false;
    }
    const readBack = async (key: string) =>
      bodyBytes((await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body);
    expect((await readBack('full/small')).equals(small)).toBe(true);
    expect((await readBack('full/large')).equals(large)).toBe(true);
    await errorOf(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'full/multi' })));
    expect(await readdir(join(t.directory, '.tmp'))).toEqual([]);
    expect(
      (await readdir(join(t.directory, BUCKET, '.meta'))).filter((name) => name.endsWith('.tmp')),
    ).toEqual([]);
    // The upload survived the failed Complete and completes once there is room again.
    await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'full/multi',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect((await readBack('full/multi')).equals(patterned(1000, 3))).toBe(true);
    await t.restart();
    expect((await readBack('full/large')).equals(large)).toBe(true);
  });

  it('gives readers one whole version while writers replace a large object', async () => {
    const versions = Array.from({ length: 6 }, (_, i) => patterned((2 << 20) + i * 4096, 10 + i));
    const etags = new Set(versions.map((version) => `"${md5(version)}"`));
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'race/large', Body: versions[0] }));
    const reads = Array.from({ length: 12 }, async () => {
      const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'race/large' }));
      const body = await bodyBytes(got.Body);
      return { etag: got.ETag as string, body };
    });
    const writes = versions
      .slice(1)
      .map((version) =>
        t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'race/large', Body: version })),
      );
    await Promise.all(writes);
    for (const { etag, body } of await Promise.all(reads)) {
      expect(etags.has(etag)).toBe(true);
      expect(`"${md5(body)}"`).toBe(etag);
    }
    const final = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'race/large' }));
    expect(`"${md5(await bodyBytes(final.Body))}"`).toBe(final.ETag);
  });

  it('refuses a body over the limit with EntityTooLarge, then closes the connection', async () => {
    const url = new URL(t.server.endpoint);
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('error', () => undefined);
    socket.write(`PUT /${BUCKET}/too-large HTTP/1.1\r\nHost: x\r\nContent-Length: ${9 << 20}\r\n\r\n`);
    socket.write(Buffer.alloc(1024));
    await closed;
    const answer = Buffer.concat(received).toString();
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toContain('<Code>EntityTooLarge</Code>');
    expect(answer.toLowerCase()).toContain('connection: close');
    await errorOf(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'too-large' })));
  });
});
