/** Shared pieces of the local S3 server's tests: a server in a temporary folder and an SDK client. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { type LocalS3, type LocalS3Options, startLocalS3 } from '../../src/embedded/s3/index.ts';

export function clientFor(server: LocalS3): S3Client {
  return createS3Client(loadConfig({ AWS_ENDPOINT_URL_S3: server.endpoint }), { maxAttempts: 1 });
}

export async function errorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(S3ServiceException);
  return error as S3ServiceException;
}

export const md5 = (data: Uint8Array | string) => createHash('md5').update(data).digest('hex');

/** Deterministic bytes (a counter pattern), so a misplaced chunk shows up as a mismatch. */
export function patterned(size: number, seed = 0): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) body.writeUInt32BE((i + seed * 7919) >>> 0, i);
  return body;
}

export interface TestServer {
  server: LocalS3;
  s3: S3Client;
  directory: string;
  /** Stops and starts the server on the same folder (a restart). */
  restart(options?: LocalS3Options): Promise<void>;
  close(): Promise<void>;
}

export async function startTestServer(options: LocalS3Options = {}): Promise<TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 's3-test-'));
  const handle: TestServer = {
    directory,
    server: await startLocalS3({ directory, ...options }),
    s3: undefined as unknown as S3Client,
    async restart(more = {}) {
      handle.s3.destroy();
      await handle.server.stop();
      handle.server = await startLocalS3({ directory, ...options, ...more });
      handle.s3 = clientFor(handle.server);
    },
    async close() {
      handle.s3.destroy();
      await handle.server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
  handle.s3 = clientFor(handle.server);
  return handle;
}

export async function bodyBytes(body: unknown): Promise<Buffer> {
  return Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}
