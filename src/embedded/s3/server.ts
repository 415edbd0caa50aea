/**
 * Local S3-compatible server for the embedded tier: path-style REST on 127.0.0.1, data in a
 * folder, spoken to by the real `@aws-sdk/client-s3` (`forcePathStyle`), aws-cli, boto3 and
 * `@aws-sdk/lib-storage`. Signatures are not checked (header auth and presigned URLs alike);
 * presigned URLs' expiry is (s3-presign.ts).
 *
 * Why not `s3rver` (installed, works with the SDK)? Its per-request cost: Koa middleware plus a
 * stat, a file read and a metadata read per GET. `npm run bench:servers` measures the server CPU
 * per request of both, and `npm run bench:s3` GET/PUT through the SDK (its `--server s3rver` row);
 * the README's figures table comes from those runs. What remains of an S3 read beyond the server
 * is the SDK client's own work (middleware, signing, endpoint rules), the same as against real S3.
 * Small objects are read from a memory index and body cache; large bodies stream to and from disk
 * in bounded memory; writes reach the folder before the response.
 *
 * Operations:
 * - service: ListBuckets;
 * - buckets: CreateBucket (LocationConstraint), HeadBucket, DeleteBucket, GetBucketLocation,
 *   ListObjects, ListObjectsV2 (prefix, delimiter, paging, start-after, url encoding),
 *   ListObjectVersions (unversioned: VersionId "null"), ListMultipartUploads, DeleteObjects;
 * - objects: PutObject, CopyObject, GetObject, HeadObject (Range, partNumber, conditional
 *   headers, response-* overrides), DeleteObject, OPTIONS (no CORS configuration: 400 without
 *   Origin, 403 with one);
 * - multipart: CreateMultipartUpload, UploadPart, UploadPartCopy, ListParts,
 *   CompleteMultipartUpload, AbortMultipartUpload;
 * - integrity: Content-MD5 and x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256} (header or
 *   aws-chunked trailer) verified; the checksum sent is stored and returned (no default
 *   CRC64NVME is computed for objects uploaded without one).
 * Anything else (tagging, ACLs, versioning, CORS/lifecycle/policy configuration, object lock,
 * GetObjectAttributes, POST uploads, SelectObjectContent, `If-None-Match: <etag>` on writes)
 * answers S3's `NotImplemented` (501); an unknown method, `MethodNotAllowed` (405).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import {
  announceIfReachable,
  applyServerLimits,
  guardRequests,
  type RequestHandler,
  type ServerLimits,
  serverOptionsFor,
} from '../gateway/hardening.ts';
import { handleS3Request, type S3Context } from './handler.ts';
import {
  type NotificationHandOff,
  ObjectNotificationHub,
  type ObjectNotifications,
} from './notifications.ts';
import { S3Error, s3Errors } from './protocol/errors.ts';
import { newRequestId, parseRequest, sendError } from './protocol/http.ts';
import type { StoreFileSystem } from './store/files.ts';
import { ObjectStore } from './store/store.ts';
import { UploadStore } from './store/uploads.ts';

/** S3's largest single PUT and largest part. */
const MAX_OBJECT_BYTES = 5 * 1024 ** 3;
/** A rejected request's unread body up to this size is read and dropped to keep the connection. */
const MAX_DRAINED_BYTES = 1 << 20;

export interface LocalS3Options {
  /** Folder holding the data; reused across restarts. Default: a fresh temporary folder, removed by stop(). */
  directory?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Buckets created at start when missing. */
  buckets?: string[];
  /** Largest PUT body or part; default 5 GiB, as S3. */
  maxObjectBytes?: number;
  /** Header/idle timeouts and header count (http-hardening.ts defaults). */
  limits?: Partial<ServerLimits>;
  /** The file-system calls the store writes through; tests put failing ones here. */
  fileSystem?: StoreFileSystem;
  /**
   * Another AWS API on the same port (the local Step Functions API, told apart by X-Amz-Target):
   * returns the handler of a request it takes, or undefined to leave the request to S3. That
   * handler answers its own errors; what it throws still gets S3's error document.
   */
  alsoServe?: (request: IncomingMessage) => RequestHandler | undefined;
  /** Takes every notification before its request is answered (s3-thread-worker.ts: to the main thread). */
  handOffNotifications?: NotificationHandOff;
}

export interface LocalS3 {
  /** Base URL for `AWS_ENDPOINT_URL_S3`, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  directory: string;
  /** One event per object created or deleted, after the change is visible (the embedded S3 events). */
  notifications: ObjectNotifications;
  /** The worker thread serving it, when it runs in one (s3-thread.ts): CPU figures read it. */
  thread?: Worker;
  stop(): Promise<void>;
}

export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const ownsDirectory = options.directory === undefined;
  const directory = resolve(options.directory ?? (await mkdtemp(join(tmpdir(), 'scones-s3-'))));
  const store = new ObjectStore(directory, options.fileSystem);
  await store.load();
  const uploads = new UploadStore(store);
  await uploads.load();
  for (const bucket of options.buckets ?? []) {
    if (!store.buckets.has(bucket)) await store.createBucket(bucket);
  }
  const notifications = new ObjectNotificationHub(options.handOffNotifications);
  const context: S3Context = {
    store,
    uploads,
    notifications,
    maxObjectBytes: options.maxObjectBytes ?? MAX_OBJECT_BYTES,
  };
  const server = createServer(
    serverOptionsFor(options.limits),
    guardRequests(
      (raw, response) => {
        const other = options.alsoServe?.(raw);
        if (other) return other(raw, response);
        const id = newRequestId();
        response.setHeader('x-amz-request-id', id);
        response.setHeader('x-amz-id-2', id);
        return handleS3Request(context, parseRequest(raw, id), response);
      },
      (error, raw, response) => answerError(error, raw, response),
    ),
  );
  applyServerLimits(server, options.limits);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, done);
  });
  announceIfReachable(server, 'local S3', 'every bucket, unauthenticated');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    directory,
    notifications,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * S3's error document for any failure; anything not an S3Error (a full disk, a failed rename) is
 * InternalError 500. A body the client is still sending is dropped: read to the end when small,
 * else the connection is closed after the answer (EntityTooLarge, a rejected 5 GB part).
 */
function answerError(error: unknown, raw: IncomingMessage, response: ServerResponse) {
  const s3Error =
    error instanceof S3Error ? error : s3Errors.internalError((error as Error)?.message ?? String(error));
  const declared = Number(raw.headers['content-length'] ?? Number.NaN);
  const drain = !raw.complete && !raw.destroyed && declared <= MAX_DRAINED_BYTES;
  const close = !raw.complete && !drain;
  sendError(response, raw, s3Error, close);
  if (drain) raw.resume();
}
