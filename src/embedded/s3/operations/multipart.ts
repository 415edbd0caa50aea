/**
 * Multipart upload operations as the S3 API reference gives them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html): Create, UploadPart,
 * UploadPartCopy (`x-amz-copy-source-range`), ListParts, ListMultipartUploads, Complete (ETag
 * `"<md5 of the parts' binary md5s>-N"`; InvalidPart, InvalidPartOrder, EntityTooSmall for a
 * part under 5 MiB that is not the last; a repeat of one that succeeded answers again), Abort; an
 * unknown upload id is NoSuchUpload (404).
 */
import type { Answer } from '../../gateway/index.ts';
import { type ChecksumType, checksumElement, checksumHeader, parseAlgorithm } from '../protocol/checksums.ts';
import { checkWriteConditions } from '../protocol/conditions.ts';
import { s3Errors } from '../protocol/errors.ts';
import { attributesFrom, checksumHeaders, emptyAnswer, xmlAnswer } from '../protocol/http.ts';
import { type ByteRange, parseCopySourceRange } from '../protocol/ranges.ts';
import { parseCompleteRequest, xmlDocument } from '../protocol/xml.ts';
import { copyBody, readSmallBody, receiveBody } from '../store/body.ts';
import type { StoredObject, UploadPart } from '../store/types.ts';
import { multipartEtag } from '../store/uploads.ts';
import type { S3Context, S3Request } from '../types.ts';
import { OWNER } from './buckets.ts';
import { maxCount } from './listing.ts';
import { checkKey, emitChange, existingBucket, openCopySource, parsePartNumber } from './objects.ts';

const MIN_PART_BYTES = 5 << 20;
/** 10,000 parts listed with their ETags and checksums. */
const MAX_COMPLETE_REQUEST_BYTES = 2 << 20;

export async function createUpload(context: S3Context, request: S3Request): Promise<Answer> {
  const { bucket, key, headers } = request;
  checkKey(key);
  existingBucket(context, bucket);
  const algorithm = parseAlgorithm(headers['x-amz-checksum-algorithm'] as string | undefined);
  const typeHeader = headers['x-amz-checksum-type'];
  if (typeHeader !== undefined && typeHeader !== 'FULL_OBJECT' && typeHeader !== 'COMPOSITE') {
    throw s3Errors.invalidRequest('Value for x-amz-checksum-type header is invalid.');
  }
  // CRC64NVME is full-object only; SHA checksums are composite only; CRC32(C) default to composite.
  const type: ChecksumType =
    (typeHeader as ChecksumType | undefined) ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  if (
    algorithm &&
    ((algorithm === 'CRC64NVME' && type === 'COMPOSITE') ||
      (algorithm.startsWith('SHA') && type === 'FULL_OBJECT'))
  ) {
    throw s3Errors.invalidRequest(
      `The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    );
  }
  if (typeHeader !== undefined && !algorithm) {
    throw s3Errors.invalidRequest(
      'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
    );
  }
  const upload = await context.uploads.create(
    bucket,
    key,
    attributesFrom(headers),
    algorithm ? { algorithm, type } : {},
  );
  const checksum: Record<string, string> = algorithm
    ? { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type }
    : {};
  return xmlAnswer(
    200,
    xmlDocument('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: upload.uploadId }),
    checksum,
  );
}

/** The `partNumber` a part operation needs (a missing one is as invalid as a bad one). */
function partNumberOf(request: S3Request): number {
  return parsePartNumber(request.query.get('partNumber') ?? '') as number;
}

function uploadOf(context: S3Context, request: S3Request) {
  existingBucket(context, request.bucket);
  return context.uploads.get(request.bucket, request.key, request.query.get('uploadId') ?? '');
}

export async function uploadPart(context: S3Context, request: S3Request): Promise<Answer> {
  const partNumber = partNumberOf(request);
  const upload = uploadOf(context, request);
  const algorithm = upload.checksumAlgorithm;
  const body = await receiveBody(request.raw, {
    ...context.store.bodyLimits(context.maxObjectBytes),
    ...(algorithm ? { algorithm } : {}),
  });
  const part = await context.uploads.putPart(upload, partNumber, body);
  return emptyAnswer(200, { etag: `"${part.etag}"`, ...partChecksumHeaders(part) });
}

/** UploadPartCopy: the part is the source object, or the `bytes=first-last` of it that the request names. */
export async function uploadPartCopy(context: S3Context, request: S3Request): Promise<Answer> {
  const partNumber = partNumberOf(request);
  const upload = uploadOf(context, request);
  const { read } = await openCopySource(context, request);
  let range: ByteRange;
  try {
    const header = request.headers['x-amz-copy-source-range'];
    range = parseCopySourceRange(typeof header === 'string' ? header : undefined, read.object.size);
  } catch (error) {
    if ('handle' in read) await read.handle.close();
    throw error;
  }
  const algorithm = upload.checksumAlgorithm;
  const body = await copyBody(read, range, {
    ...context.store.bodyLimits(context.maxObjectBytes),
    ...(algorithm ? { algorithm } : {}),
  });
  const part = await context.uploads.putPart(upload, partNumber, body);
  return xmlAnswer(
    200,
    xmlDocument('CopyPartResult', {
      ETag: `"${part.etag}"`,
      LastModified: part.lastModified.toISOString(),
      ...partChecksumElements(part),
    }),
  );
}

function partChecksumHeaders(part: UploadPart): Record<string, string> {
  return part.checksum ? { [checksumHeader(part.checksum.algorithm)]: part.checksum.value } : {};
}

function partChecksumElements(part: UploadPart): Record<string, string> {
  return part.checksum ? { [checksumElement(part.checksum.algorithm)]: part.checksum.value } : {};
}

export function listParts(context: S3Context, request: S3Request): Answer {
  const upload = uploadOf(context, request);
  const markerText = request.query.get('part-number-marker') ?? '0';
  if (!/^\d{1,5}$/.test(markerText)) {
    throw s3Errors.invalidArgument(
      'Provided part-number-marker not an integer or within integer range',
      'part-number-marker',
      markerText,
    );
  }
  const marker = Number(markerText);
  const maxParts = maxCount(request.query, 'max-parts');
  const all = [...upload.parts.values()]
    .filter((part) => part.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, maxParts.effective);
  const isTruncated = all.length > page.length;
  return xmlAnswer(
    200,
    xmlDocument('ListPartsResult', {
      Bucket: upload.bucket,
      Key: upload.key,
      UploadId: upload.uploadId,
      PartNumberMarker: marker,
      ...(isTruncated ? { NextPartNumberMarker: page.at(-1)?.partNumber } : {}),
      MaxParts: maxParts.requested,
      IsTruncated: isTruncated,
      ...(upload.checksumAlgorithm
        ? { ChecksumAlgorithm: upload.checksumAlgorithm, ChecksumType: upload.checksumType }
        : {}),
      Initiator: { ID: OWNER.ID, DisplayName: OWNER.DisplayName },
      Owner: OWNER,
      StorageClass: 'STANDARD',
      Part: page.map((part) => ({
        PartNumber: part.partNumber,
        LastModified: part.lastModified.toISOString(),
        ETag: `"${part.etag}"`,
        Size: part.size,
        ...partChecksumElements(part),
      })),
    }),
  );
}

/**
 * CompleteMultipartUpload. A repeat of a Complete that succeeded (a client that lost the answer
 * retries, as https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 * tells it to: "applications should be prepared to retry any failed requests") answers 200 again
 * with the first answer (Location, Bucket, Key, ETag, checksum), without writing or notifying
 * anything, while the object it made is still the key's and the request names the same parts. That
 * page lists NoSuchUpload for an upload "aborted or completed"; S3 itself answers the repeat with
 * success (observed against AWS: github.com/minio/minio/issues/13318,
 * github.com/adobe/S3Mock/issues/2586, moto's getmoto/moto#8380), so does this server. An id that
 * never existed, an aborted upload, or a completed one whose object was since replaced or deleted:
 * NoSuchUpload (404).
 */
export async function completeUpload(context: S3Context, request: S3Request): Promise<Answer> {
  existingBucket(context, request.bucket);
  const uploadId = request.query.get('uploadId') ?? '';
  const upload = context.uploads.find(request.bucket, request.key, uploadId);
  const completed = upload
    ? undefined
    : context.uploads.completedObject(request.bucket, request.key, uploadId);
  if (!upload && !completed) throw s3Errors.noSuchUpload(uploadId);
  const requested = parseCompleteRequest(
    await readSmallBody(request.raw, MAX_COMPLETE_REQUEST_BYTES, context.store.files),
  );
  if (!upload) {
    if (completed?.etag !== multipartEtag(requested.map((part) => part.etag)))
      throw s3Errors.noSuchUpload(uploadId);
    return completionAnswer(request, completed);
  }
  const chosen: UploadPart[] = [];
  for (const [index, wanted] of requested.entries()) {
    if (index > 0 && wanted.partNumber <= (requested[index - 1]?.partNumber ?? 0))
      throw s3Errors.invalidPartOrder();
    const part = upload.parts.get(wanted.partNumber);
    if (!part || part.etag !== wanted.etag) throw s3Errors.invalidPart(wanted.partNumber, wanted.etag);
    for (const [element, value] of Object.entries(wanted.checksums)) {
      if (element === 'ChecksumType') continue;
      if (
        !part.checksum ||
        checksumElement(part.checksum.algorithm) !== element ||
        part.checksum.value !== value.trim()
      ) {
        throw s3Errors.invalidPart(wanted.partNumber, wanted.etag);
      }
    }
    chosen.push(part);
  }
  for (const [index, part] of chosen.entries()) {
    if (index < chosen.length - 1 && part.size < MIN_PART_BYTES)
      throw s3Errors.entityTooSmall(part.size, part.partNumber, part.etag);
  }
  // Checked before the parts are joined (a refused Complete costs no copy), and again atomically
  // with the write, so of two conditional writers exactly one wins.
  checkWriteConditions(
    request.headers,
    request.key,
    context.store.buckets.get(request.bucket)?.objects.get(request.key),
  );
  const { object, replayed } = await context.uploads.complete(upload, chosen, (existing) =>
    checkWriteConditions(request.headers, request.key, existing),
  );
  if (!replayed) await emitChange(context, request, 'CompleteMultipartUpload', request.key, object);
  return completionAnswer(request, object);
}

function completionAnswer(request: S3Request, object: StoredObject): Answer {
  const checksum = object.checksum;
  return xmlAnswer(
    200,
    xmlDocument('CompleteMultipartUploadResult', {
      Location: `/${request.bucket}/${encodeURIComponent(request.key).replace(/%2F/g, '/')}`,
      Bucket: request.bucket,
      Key: request.key,
      ETag: `"${object.etag}"`,
      ...(checksum
        ? { [checksumElement(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }
        : {}),
    }),
    checksumHeaders(checksum),
  );
}

export async function abortUpload(context: S3Context, request: S3Request): Promise<Answer> {
  await context.uploads.abort(uploadOf(context, request));
  return emptyAnswer(204);
}
