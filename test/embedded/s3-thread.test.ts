import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { startLocalS3Thread } from '../../src/embedded/functions/index.ts';
import type { LocalS3, ObjectNotification } from '../../src/embedded/s3/index.ts';

const BUCKET = 'thread-bucket';

function clientOf(server: LocalS3): S3Client {
  return createS3Client(loadConfig({ SCONES_TARGET: 'embedded', AWS_ENDPOINT_URL_S3: server.endpoint }));
}

describe('local S3 in a worker thread', () => {
  let directory: string;
  let server: LocalS3;
  let s3: S3Client;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 's3-thread-test-'));
    server = await startLocalS3Thread({ directory, buckets: [BUCKET] });
    s3 = clientOf(server);
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('runs in another thread and serves the SDK as the in-thread server does', async () => {
    expect(server.thread?.threadId).toBeGreaterThan(0);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('hands each notification to main-thread subscribers before the request is answered', async () => {
    const events: ObjectNotification[] = [];
    const unsubscribe = server.notifications.subscribe((event) => {
      events.push(event);
    });
    // A throwing subscriber changes nothing for the request or the others.
    const unsubscribeBroken = server.notifications.subscribe(() => {
      throw new Error('listener bug');
    });
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/b.png', Body: 'bbbb' }));
    expect(events).toHaveLength(1); // no waiting: the response came after the hand-off
    await s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy.png', CopySource: `${BUCKET}/incoming/b.png` }),
    );
    expect(events).toHaveLength(2);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'copy.png' }));
    expect(events).toHaveLength(3);
    unsubscribe();
    unsubscribeBroken();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'after.png', Body: 'x' }));
    expect(events).toHaveLength(3);

    expect(events.map((event) => [event.kind, event.reason, event.key])).toEqual([
      ['ObjectCreated', 'PutObject', 'incoming/b.png'],
      ['ObjectCreated', 'CopyObject', 'copy.png'],
      ['ObjectDeleted', 'DeleteObject', 'copy.png'],
    ]);
    const [first, second] = events as [ObjectNotification, ObjectNotification];
    expect(first).toMatchObject({ bucket: BUCKET, size: 4, sourceIp: '127.0.0.1' });
    expect(first.etag).toBe(put.ETag?.replace(/"/g, ''));
    expect(first.time).toBeInstanceOf(Date);
    expect(second.sequencer > first.sequencer).toBe(true);
  });

  it('calls the main thread for a notification only while a subscriber there listens', async () => {
    const worker = server.thread as NonNullable<LocalS3['thread']>;
    const calls: unknown[] = [];
    const countCalls = (message: { rpc?: string; value?: unknown }) => {
      if (message?.rpc === 'call') calls.push(message.value);
    };
    worker.on('message', countCalls);
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'unwatched.txt', Body: 'x' }));
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'unwatched.txt' }));
      expect(calls).toEqual([]);

      const events: ObjectNotification[] = [];
      const unsubscribe = server.notifications.subscribe((event) => events.push(event));
      const second = server.notifications.subscribe(() => undefined);
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'watched.txt', Body: 'y' }));
      expect(events.map((event) => event.key)).toEqual(['watched.txt']);
      expect(calls).toHaveLength(1);
      unsubscribe();
      unsubscribe(); // a second call changes nothing: the other subscriber still listens
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'watched.txt', Body: 'z' }));
      expect(calls).toHaveLength(2);
      second();
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'watched.txt', Body: 'w' }));
      expect(calls).toHaveLength(2);
      expect(events).toHaveLength(1);
    } finally {
      worker.off('message', countCalls);
    }
  });

  it('streams large bodies and multipart parts to disk through its own file calls', async () => {
    const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');
    const large = Buffer.alloc(3 << 20, 7); // over the 1 MiB kept in memory: a temporary file
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'large.bin', Body: large }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'large.bin' }));
    expect(
      md5(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
    ).toBe(md5(large));

    const parts = [Buffer.alloc(5 << 20, 1), Buffer.from('tail')];
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'parts.bin' }),
    );
    const uploaded = [];
    for (const [index, body] of parts.entries()) {
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'parts.bin',
          UploadId,
          PartNumber: index + 1,
          Body: body,
        }),
      );
      uploaded.push({ ETag: part.ETag, PartNumber: index + 1 });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'parts.bin',
        UploadId,
        MultipartUpload: { Parts: uploaded },
      }),
    );
    const whole = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'parts.bin' }));
    const bytes = await (
      whole.Body as { transformToByteArray(): Promise<Uint8Array> }
    ).transformToByteArray();
    expect(bytes.length).toBe((5 << 20) + 4);
    expect(md5(bytes)).toBe(md5(Buffer.concat(parts)));
  });

  it('keeps its data in the folder across a restart', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept.txt', Body: 'still here' }));
    s3.destroy();
    await server.stop();
    server = await startLocalS3Thread({ directory, buckets: [BUCKET] });
    s3 = clientOf(server);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kept.txt' }));
    expect(await got.Body?.transformToString()).toBe('still here');
  });
});

describe('local S3 thread start and stop', () => {
  it('rejects with the server error when the port is taken, code included', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startLocalS3Thread({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      blocker.close();
    }
  });

  it('stops listening and ends its thread on stop', async () => {
    const server = await startLocalS3Thread({ buckets: [BUCKET] });
    const exited = once(server.thread as NonNullable<LocalS3['thread']>, 'exit');
    await server.stop();
    await exited;
    await expect(fetch(`${server.endpoint}/${BUCKET}`)).rejects.toThrow();
    await server.stop(); // twice is fine
  });
});
