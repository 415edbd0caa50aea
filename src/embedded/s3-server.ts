/**
 * Local S3-compatible server for the embedded tier: path-style REST on 127.0.0.1, data in a
 * folder, spoken to by the real `@aws-sdk/client-s3` (`forcePathStyle`). Signatures are not checked.
 *
 * Why not `s3rver` (installed, works with the SDK)? Its per-GET cost: Koa middleware plus a stat,
 * a file read and a metadata read per request. Figures for a 2 KB GET on 2 shared cores (load
 * average ~12, so CPU time is the steady figure and wall-clock rates are lower bounds):
 *
 *   server process CPU per GET        this server 126-145 us   s3rver 854-884 us
 *   (`npm run bench:servers`; a bare node:http server answering a fixed 2 KB body: 116 us)
 *   through @aws-sdk/client-s3         this server p50 0.5-1.3 ms, 364-1628 GET/s at c16
 *   (`npm run bench:s3`)               s3rver      p50 1.7-4.6 ms, 187-375 GET/s at c16
 *
 * So the server costs ~10-30 us above node:http itself; what remains of an S3 read is the SDK
 * client's own work (~0.5-1.2 ms CPU per call: middleware, signing, endpoint rules), the same as
 * against real S3. Reads come from a memory index and body cache; writes reach the folder before
 * the response.
 *
 * Operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation,
 * ListObjects(V2) (prefix, delimiter, paging, start-after, url encoding), PutObject, CopyObject,
 * GetObject (Range, conditional ETag headers, response-* overrides), HeadObject, DeleteObject,
 * DeleteObjects. Anything else answers S3's `NotImplemented`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { S3Error } from './s3-errors.ts';
import { LocalS3Handler } from './s3-handler.ts';
import { parseRequest, sendError } from './s3-http.ts';
import { ObjectStore } from './s3-store.ts';

export interface LocalS3Options {
  /** Folder holding the data; reused across restarts. Default: a fresh temporary folder, removed by stop(). */
  directory?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Buckets created at start when missing. */
  buckets?: string[];
}

export interface LocalS3 {
  /** Base URL for `AWS_ENDPOINT_URL_S3`, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  directory: string;
  stop(): Promise<void>;
}

export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const ownsDirectory = options.directory === undefined;
  const directory = resolve(options.directory ?? (await mkdtemp(join(tmpdir(), 'scones-s3-'))));
  const store = new ObjectStore(directory);
  await store.load();
  for (const bucket of options.buckets ?? []) {
    if (!store.buckets.has(bucket)) await store.createBucket(bucket);
  }
  const handler = new LocalS3Handler(store);
  const server = createServer((raw, response) => {
    const request = parseRequest(raw);
    handler.handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      const s3Error =
        error instanceof S3Error
          ? error
          : new S3Error(
              'InternalError',
              500,
              `We encountered an internal error: ${(error as Error).message}`,
            );
      sendError(response, request, s3Error);
      // A rejected body (too large, bad digest) may still be arriving: drop it rather than read it.
      if (!raw.complete) raw.resume();
    });
  });
  server.keepAliveTimeout = 60_000; // SDK agents keep sockets open; do not make them reconnect
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    directory,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}
