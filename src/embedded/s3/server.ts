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
import { announceIfReachable, applyServerLimits, guardRequests, serverOptionsFor } from '../gateway/index.ts';
import { handleS3Request } from './handler.ts';
import { ObjectNotificationHub } from './notifications.ts';
import { S3Error, s3Errors } from './protocol/errors.ts';
import { newRequestId, parseRequest, sendError } from './protocol/http.ts';
import { ObjectStore } from './store/store.ts';
import { UploadStore } from './store/uploads.ts';
import type { LocalS3, LocalS3Options, S3Context } from './types.ts';

/** S3's largest single PUT and largest part. */
const MAX_OBJECT_BYTES = 5 * 1024 ** 3;
/** A rejected request's unread body up to this size is read and dropped to keep the connection. */
const MAX_DRAINED_BYTES = 1 << 20;

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
