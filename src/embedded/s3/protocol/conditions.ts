/**
 * Conditional requests as S3 evaluates them:
 * - reads (GetObject/HeadObject): If-Match / If-Unmodified-Since answer 412, If-None-Match /
 *   If-Modified-Since answer 304; If-Match that holds overrides a failing If-Unmodified-Since, and
 *   a failing If-None-Match answers 304 whatever If-Modified-Since says
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Request Syntax");
 * - copies (CopyObject/UploadPartCopy): the same four on the source as
 *   `x-amz-copy-source-if-*`, every failure a 412
 *   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html);
 * - writes (PutObject, CompleteMultipartUpload, CopyObject): `If-None-Match: *` (create only,
 *   412 when the key exists) and `If-Match: <etag>` (412 on another ETag, 404 NoSuchKey when
 *   there is no object); If-None-Match with an ETag is not a write condition S3 implements (501)
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { StoredObject } from '../store/types.ts';
import { s3Errors } from './errors.ts';

export function etagMatches(condition: string, etag: string): boolean {
  return condition.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '').replace(/"/g, '') === etag;
  });
}

/** An HTTP date, or undefined when absent or unparsable (S3 ignores an invalid date). */
function dateHeader(headers: IncomingHttpHeaders, name: string): Date | undefined {
  const value = headers[name];
  if (typeof value !== 'string') return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

type Outcome = 'ok' | 'not-modified' | 'precondition-failed';

function evaluate(
  headers: IncomingHttpHeaders,
  prefix: string,
  object: StoredObject,
): { outcome: Outcome; condition?: string } {
  const ifMatch = headers[`${prefix}if-match`];
  const ifNoneMatch = headers[`${prefix}if-none-match`];
  const ifModifiedSince = dateHeader(headers, `${prefix}if-modified-since`);
  const ifUnmodifiedSince = dateHeader(headers, `${prefix}if-unmodified-since`);
  const modified = object.lastModified.getTime();
  if (typeof ifMatch === 'string') {
    if (!etagMatches(ifMatch, object.etag)) return { outcome: 'precondition-failed', condition: 'If-Match' };
  } else if (ifUnmodifiedSince && modified > ifUnmodifiedSince.getTime()) {
    return { outcome: 'precondition-failed', condition: 'If-Unmodified-Since' };
  }
  if (typeof ifNoneMatch === 'string') {
    if (etagMatches(ifNoneMatch, object.etag)) return { outcome: 'not-modified', condition: 'If-None-Match' };
  } else if (ifModifiedSince && modified <= ifModifiedSince.getTime()) {
    return { outcome: 'not-modified', condition: 'If-Modified-Since' };
  }
  return { outcome: 'ok' };
}

/** For GET/HEAD: 'ok', 'not-modified' (answer 304), or throws PreconditionFailed. */
export function checkReadConditions(
  headers: IncomingHttpHeaders,
  object: StoredObject,
): 'ok' | 'not-modified' {
  const { outcome, condition } = evaluate(headers, '', object);
  if (outcome === 'precondition-failed') throw s3Errors.preconditionFailed(condition as string);
  return outcome;
}

/** For the source of a copy: any condition that does not hold is a 412. */
export function checkCopySourceConditions(headers: IncomingHttpHeaders, source: StoredObject): void {
  const { outcome, condition } = evaluate(headers, 'x-amz-copy-source-', source);
  if (outcome !== 'ok') throw s3Errors.preconditionFailed(`x-amz-copy-source-${condition?.toLowerCase()}`);
}

/** For writes, against the object the write would replace (undefined: none). */
export function checkWriteConditions(
  headers: IncomingHttpHeaders,
  key: string,
  existing: StoredObject | undefined,
): void {
  const ifNoneMatch = headers['if-none-match'];
  if (typeof ifNoneMatch === 'string') {
    if (ifNoneMatch.trim() !== '*') throw s3Errors.notImplementedHeader('If-None-Match');
    if (existing) throw s3Errors.preconditionFailed('If-None-Match');
  }
  const ifMatch = headers['if-match'];
  if (typeof ifMatch === 'string') {
    if (!existing) throw s3Errors.noSuchKey(key);
    if (!etagMatches(ifMatch, existing.etag)) throw s3Errors.preconditionFailed('If-Match');
  }
}
