/** Object operations of the local S3 server: Put, Get/Head, Copy, Delete, DeleteObjects, OPTIONS. */
import type { Answer } from '../../gateway/index.ts';
import { checksumElement } from '../protocol/checksums.ts';
import {
  checkCopySourceConditions,
  checkReadConditions,
  checkWriteConditions,
} from '../protocol/conditions.ts';
import { S3Error, s3Errors } from '../protocol/errors.ts';
import {
  attributesFrom,
  checksumHeaders,
  emptyAnswer,
  objectHeaders,
  RESPONSE_OVERRIDES,
  xmlAnswer,
} from '../protocol/http.ts';
import { parseRange } from '../protocol/ranges.ts';
import { parseDeleteRequest, xmlDocument } from '../protocol/xml.ts';
import { copyBody, discard, readSmallBody, receiveBody } from '../store/body.ts';
import type { ObjectRead, StoredBucket, StoredObject } from '../store/types.ts';
import type { ObjectEventReason, S3Context, S3Request } from '../types.ts';
import { readPart } from './object-parts.ts';

const MAX_KEY_BYTES = 1024;
/** DeleteObjects: 1000 keys of up to 1024 bytes, escaped. */
const MAX_DELETE_REQUEST_BYTES = 4 << 20;
const MAX_PART_NUMBER = 10_000;

export function existingBucket(context: S3Context, name: string): StoredBucket {
  const bucket = context.store.buckets.get(name);
  if (!bucket) throw s3Errors.noSuchBucket(name);
  return bucket;
}

export function checkKey(key: string): void {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw s3Errors.keyTooLong();
}

/** Unversioned buckets hold one version per key, whose id is "null". */
export function checkVersionId(versionId: string | null): void {
  if (versionId !== null && versionId !== 'null') {
    throw s3Errors.invalidArgument('Invalid version id specified', 'versionId', versionId);
  }
}

/** Announces a change; await it before answering (a hand-off to another thread may be pending). */
export function emitChange(
  context: S3Context,
  request: S3Request,
  reason: ObjectEventReason,
  key: string,
  object?: StoredObject,
): Promise<void> | undefined {
  return context.notifications.emit({
    kind: object ? 'ObjectCreated' : 'ObjectDeleted',
    reason,
    bucket: request.bucket,
    key,
    ...(object ? { size: object.size, etag: object.etag } : {}),
    requestId: request.id,
    sourceIp: request.raw.socket.remoteAddress ?? '',
  });
}

export async function putObject(context: S3Context, request: S3Request): Promise<Answer> {
  const { bucket, key, headers } = request;
  checkKey(key);
  existingBucket(context, bucket);
  const body = await receiveBody(request.raw, context.store.bodyLimits(context.maxObjectBytes));
  try {
    checkWriteConditions(headers, key, context.store.buckets.get(bucket)?.objects.get(key));
  } catch (error) {
    await discard(body, context.store.files);
    throw error;
  }
  const object = await context.store.commit(
    bucket,
    key,
    body,
    body.md5,
    {
      ...attributesFrom(headers),
      ...(body.checksum ? { checksum: { ...body.checksum, type: 'FULL_OBJECT' as const } } : {}),
    },
    (existing) => checkWriteConditions(headers, key, existing), // again, atomically with the write
  );
  await emitChange(context, request, 'PutObject', key, object);
  return emptyAnswer(200, { etag: `"${object.etag}"`, ...checksumHeaders(object.checksum) });
}

export async function getObject(context: S3Context, request: S3Request): Promise<Answer> {
  const { bucket, key, headers, method, query } = request;
  const stored = existingBucket(context, bucket);
  checkVersionId(query.get('versionId'));
  const partNumber = parsePartNumber(query.get('partNumber'));
  if (partNumber !== undefined && headers.range) {
    throw s3Errors.invalidRequest('Cannot specify both Range header and partNumber query parameter');
  }
  // HEAD needs no body; GET takes metadata and body as one pair, even under a concurrent PUT.
  const read: ObjectRead | undefined =
    method === 'HEAD' ? undefined : await context.store.openObject(bucket, key);
  const object = method === 'HEAD' ? stored.objects.get(key) : read?.object;
  if (!object) throw s3Errors.noSuchKey(key);
  let handedOver = false;
  try {
    const responseHeaders = objectHeaders(object);
    if (checkReadConditions(headers, object) === 'not-modified') {
      return emptyAnswer(304, {
        etag: responseHeaders.etag as string,
        'last-modified': responseHeaders['last-modified'] as string,
      });
    }
    for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
      const value = query.get(parameter);
      if (value !== null) responseHeaders[header] = value;
    }
    const checksumMode = headers['x-amz-checksum-mode'] === 'ENABLED';
    const part = partNumber === undefined ? undefined : readPart(object, partNumber, checksumMode);
    if (part) Object.assign(responseHeaders, part.headers);
    const range = part ? part.range : parseRange(headers.range, object.size);
    if (range) responseHeaders['content-range'] = `bytes ${range.start}-${range.end}/${object.size}`;
    // Whole-object checksums only: S3 sends none for a range (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html);
    // a part read says which checksum covers its bytes (object-parts.ts).
    if (checksumMode && !range && !part) Object.assign(responseHeaders, checksumHeaders(object.checksum));
    // An empty part (the last of an upload, or all of an empty object) has no byte range: 200, no body.
    const empty = object.size === 0 || (part !== undefined && !range);
    responseHeaders['content-length'] = range ? range.end - range.start + 1 : empty ? 0 : object.size;
    const status = range ? 206 : 200;
    if (!read || empty) return emptyAnswer(status, responseHeaders);
    if ('body' in read) {
      const body = range ? read.body.subarray(range.start, range.end + 1) : read.body;
      return { status, headers: responseHeaders, body };
    }
    // Large bodies stream from the version's file; the stream closes the handle when it ends.
    handedOver = true;
    const stream = read.handle.createReadStream({
      start: range?.start ?? 0,
      end: range?.end ?? object.size - 1,
      highWaterMark: 1 << 20,
    });
    return { status, headers: responseHeaders, body: stream };
  } finally {
    if (read && 'handle' in read && !handedOver) await read.handle.close();
  }
}

/** `partNumber`: absent, or an integer from 1 to 10000 (InvalidArgument otherwise). */
export function parsePartNumber(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > MAX_PART_NUMBER) {
    throw s3Errors.invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      value,
    );
  }
  return Number(value);
}

/** `x-amz-copy-source`: `<bucket>/<key>[?versionId=..]`, URL-encoded, optionally with a leading slash. */
export function parseCopySource(context: S3Context, value: string) {
  const invalid = () =>
    s3Errors.invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      value,
    );
  const [path, queryText] = value.split('?', 2) as [string, string | undefined];
  let decoded: string;
  try {
    decoded = decodeURIComponent(path).replace(/^\//, '');
  } catch {
    throw invalid();
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalid();
  const bucket = decoded.slice(0, slash);
  const key = decoded.slice(slash + 1);
  checkVersionId(new URLSearchParams(queryText ?? '').get('versionId'));
  existingBucket(context, bucket);
  return { bucket, key };
}

/** Opens the copy source after checking the `x-amz-copy-source-if-*` conditions. */
export async function openCopySource(context: S3Context, request: S3Request) {
  const source = parseCopySource(context, String(request.headers['x-amz-copy-source']));
  const read = await context.store.openObject(source.bucket, source.key);
  if (!read) throw s3Errors.noSuchKey(source.key);
  try {
    checkCopySourceConditions(request.headers, read.object);
  } catch (error) {
    if ('handle' in read) await read.handle.close();
    throw error;
  }
  return { source, read };
}

export async function copyObject(context: S3Context, request: S3Request): Promise<Answer> {
  const { bucket, key, headers } = request;
  checkKey(key);
  existingBucket(context, bucket);
  const { source, read } = await openCopySource(context, request);
  const replace = headers['x-amz-metadata-directive'] === 'REPLACE';
  const changesSomething =
    replace ||
    headers['x-amz-storage-class'] ||
    headers['x-amz-server-side-encryption'] ||
    headers['x-amz-website-redirect-location'];
  try {
    if (source.bucket === bucket && source.key === key && !changesSomething) {
      throw s3Errors.invalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    checkWriteConditions(headers, key, context.store.buckets.get(bucket)?.objects.get(key));
  } catch (error) {
    if ('handle' in read) await read.handle.close();
    throw error;
  }
  const sourceObject = read.object;
  const algorithm =
    sourceObject.checksum?.type === 'FULL_OBJECT' ? sourceObject.checksum.algorithm : undefined;
  const body = await copyBody(
    read,
    { start: 0, end: sourceObject.size - 1 },
    { ...context.store.bodyLimits(context.maxObjectBytes), ...(algorithm ? { algorithm } : {}) },
  );
  const attributes = replace ? attributesFrom(headers) : sourceObject;
  const copy = await context.store.commit(
    bucket,
    key,
    body,
    body.md5,
    {
      contentType: attributes.contentType,
      headers: attributes.headers,
      metadata: attributes.metadata,
      ...(body.checksum ? { checksum: { ...body.checksum, type: 'FULL_OBJECT' as const } } : {}),
    },
    (existing) => checkWriteConditions(headers, key, existing), // again, atomically with the write
  );
  await emitChange(context, request, 'CopyObject', key, copy);
  return xmlAnswer(
    200,
    xmlDocument('CopyObjectResult', {
      LastModified: copy.lastModified.toISOString(),
      ETag: `"${copy.etag}"`,
      ...(copy.checksum
        ? {
            [checksumElement(copy.checksum.algorithm)]: copy.checksum.value,
            ChecksumType: copy.checksum.type,
          }
        : {}),
    }),
  );
}

export async function deleteObject(context: S3Context, request: S3Request): Promise<Answer> {
  existingBucket(context, request.bucket);
  checkVersionId(request.query.get('versionId'));
  const removed = await context.store.deleteObject(request.bucket, request.key);
  if (removed) await emitChange(context, request, 'DeleteObject', request.key);
  return emptyAnswer(204);
}

export async function deleteObjects(context: S3Context, request: S3Request): Promise<Answer> {
  existingBucket(context, request.bucket);
  const { objects, quiet } = parseDeleteRequest(
    await readSmallBody(request.raw, MAX_DELETE_REQUEST_BYTES, context.store.files),
  );
  const deleted: { Key: string; VersionId?: string }[] = [];
  const errors: { Key: string; VersionId?: string; Code: string; Message: string }[] = [];
  for (const { key, versionId } of objects) {
    try {
      checkVersionId(versionId ?? null);
      const removed = await context.store.deleteObject(request.bucket, key);
      if (removed) await emitChange(context, request, 'DeleteObjects', key);
      deleted.push(versionId === undefined ? { Key: key } : { Key: key, VersionId: versionId });
    } catch (error) {
      const s3Error = error instanceof S3Error ? error : s3Errors.internalError((error as Error).message);
      errors.push({
        Key: key,
        ...(versionId === undefined ? {} : { VersionId: versionId }),
        Code: s3Error.code,
        Message: s3Error.message,
      });
    }
  }
  return xmlAnswer(200, xmlDocument('DeleteResult', { Deleted: quiet ? [] : deleted, Error: errors }));
}

/**
 * A CORS preflight: without an Origin S3 answers 400; with one, no bucket here has a CORS
 * configuration, so 403 (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html).
 */
export function preflight(request: S3Request): never {
  if (!request.headers.origin) {
    throw new S3Error('BadRequest', 400, 'Insufficient information. Origin request header needed.');
  }
  throw new S3Error('AccessForbidden', 403, 'CORSResponse: CORS is not enabled for this bucket.', {
    Method: String(request.headers['access-control-request-method'] ?? ''),
    ResourceType: request.key ? 'OBJECT' : 'BUCKET',
  });
}
