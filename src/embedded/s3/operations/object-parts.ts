/**
 * GET/HEAD `?partNumber=N` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
 * `partNumber`: "Effectively performs a 'ranged' GET request for the part specified"): the bytes of
 * part N of an object completed from a multipart upload, 206 with `Content-Range` and
 * `x-amz-mp-parts-count` ("only returned if you specify partNumber in your request and the object
 * was uploaded as a multipart upload", same page, `x-amz-mp-parts-count`). An object uploaded whole
 * is its one part 1, without a parts count. A part past the last is InvalidPartNumber (416) with
 * PartNumberRequested and ActualPartCount; `Range` with `partNumber` is InvalidRequest (400), checked
 * by the caller before anything is read. Answers as recorded against AWS in LocalStack's
 * `tests/aws/services/s3/test_s3.py::TestS3::test_get_object_part` and `test_get_object_part_checksum`.
 */
import { checksumHeader } from '../protocol/checksums.ts';
import { s3Errors } from '../protocol/errors.ts';
import { checksumHeaders } from '../protocol/http.ts';
import type { ByteRange } from '../protocol/ranges.ts';
import type { StoredObject } from '../store/types.ts';

export interface PartRead {
  /** Undefined for an empty part (the last of an upload, or all of an empty object): nothing to send. */
  range: ByteRange | undefined;
  headers: Record<string, string | number>;
}

/** The part's byte range and the headers that go with it (`x-amz-mp-parts-count`, a checksum when asked). */
export function readPart(object: StoredObject, partNumber: number, checksumMode: boolean): PartRead {
  const kept = keptPartSizes(object);
  const sizes = kept ?? [object.size];
  if (partNumber > sizes.length) throw s3Errors.invalidPartNumber(partNumber, sizes.length);
  const headers: Record<string, string | number> = {};
  if (kept) headers['x-amz-mp-parts-count'] = kept.length;
  if (checksumMode) Object.assign(headers, partChecksumHeaders(object, partNumber, sizes.length));
  const start = sizes.slice(0, partNumber - 1).reduce((sum, size) => sum + size, 0);
  const size = sizes[partNumber - 1] as number;
  return { range: size === 0 ? undefined : { start, end: start + size - 1 }, headers };
}

/**
 * The part sizes kept with a completed multipart object; undefined for an object uploaded whole,
 * and for sizes that do not add up to the object's (a hand-edited index): one part then.
 */
function keptPartSizes(object: StoredObject): number[] | undefined {
  const parts = object.parts;
  if (
    !Array.isArray(parts) ||
    parts.length === 0 ||
    !parts.every((size) => Number.isSafeInteger(size) && size >= 0) ||
    parts.reduce((sum, size) => sum + size, 0) !== object.size
  ) {
    return undefined;
  }
  return parts;
}

/**
 * The checksum of the bytes sent: the object's when the part is all of it (a whole upload, or a
 * one-part upload with a full-object checksum), the part's own for a composite upload, none for a
 * part of a full-object checksum (it covers other bytes too).
 */
function partChecksumHeaders(object: StoredObject, partNumber: number, count: number) {
  const checksum = object.checksum;
  if (!checksum) return {};
  if (checksum.type === 'COMPOSITE') {
    const value = object.partChecksums?.[partNumber - 1];
    return value ? { [checksumHeader(checksum.algorithm)]: value, 'x-amz-checksum-type': 'COMPOSITE' } : {};
  }
  return count === 1 ? checksumHeaders(checksum) : {};
}
