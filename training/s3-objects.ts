/** The few S3 calls staging needs: list ETags under a prefix, put when changed, create a missing bucket. */
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  NoSuchBucket,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { CifarError } from './cifar-errors.ts';

export class StagingError extends CifarError {
  override name = 'StagingError';
}

export function md5Hex(body: Uint8Array): string {
  return createHash('md5').update(body).digest('hex');
}

function isNoSuchBucket(error: unknown): boolean {
  return (
    error instanceof NoSuchBucket || (error instanceof S3ServiceException && error.name === 'NoSuchBucket')
  );
}

/** Key -> MD5 hex ETag (quotes stripped) of every object under `prefix`. */
export async function listEtags(
  s3: S3Client,
  bucket: string,
  prefix: string,
  createBucket: boolean,
): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) {
        if (object.Key && object.ETag) etags.set(object.Key, object.ETag.replaceAll('"', ''));
      }
    }
  } catch (error) {
    if (!isNoSuchBucket(error)) throw error;
    if (!createBucket)
      throw new StagingError(`bucket ${bucket} does not exist; create it or stage with createBucket`);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  return etags;
}

/** Puts the object unless `existing` already holds the same bytes (MD5 ETag); true when uploaded. */
export async function putIfChanged(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array,
  contentType: string,
  existing: ReadonlyMap<string, string>,
): Promise<boolean> {
  if (existing.get(key) === md5Hex(body)) return false;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  return true;
}

/** Deletes the keys (1000 per request, the S3 limit); returns how many were deleted. */
export async function deleteObjects(s3: S3Client, bucket: string, keys: readonly string[]): Promise<number> {
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000).map((Key) => ({ Key }));
    const result = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }),
    );
    const failed = result.Errors ?? [];
    if (failed.length) {
      throw new StagingError(
        `could not delete ${failed.length} stale objects, e.g. ${failed[0]?.Key}: ${failed[0]?.Message}`,
      );
    }
  }
  return keys.length;
}
