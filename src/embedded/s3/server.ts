/**
 * Local S3-compatible server for the embedded tier: path-style REST on 127.0.0.1 (the service of
 * service.ts alone on a gateway of its own), data in a folder, spoken to by the real `@aws-sdk/client-s3` (`forcePathStyle`), aws-cli, boto3 and
 * `@aws-sdk/lib-storage`. Signatures are not checked (header auth and presigned URLs alike);
 * presigned URLs' expiry is (protocol/presign.ts).
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
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGateway } from '../gateway/index.ts';
import { openS3Service } from './service.ts';
import type { LocalS3, LocalS3Options } from './types.ts';

export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const ownsDirectory = options.directory === undefined;
  const directory = resolve(options.directory ?? (await mkdtemp(join(tmpdir(), 'scones-s3-'))));
  const { port, host, limits, ...serviceOptions } = options;
  const service = await openS3Service({ ...serviceOptions, directory });
  const gateway = await startGateway({
    routes: [service.route],
    ...(port === undefined ? {} : { port }),
    ...(host === undefined ? {} : { host }),
    ...(limits ? { limits } : {}),
    name: 'local S3',
    exposed: 'every bucket, unauthenticated',
  });
  return {
    endpoint: gateway.url,
    directory,
    notifications: service.notifications,
    async stop() {
      await gateway.stop();
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}
