/**
 * Presigned URLs (query-string authentication), SigV4 and SigV2, accepted with their expiry
 * enforced; signatures are not checked (no request to this server is).
 * - SigV4 (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html):
 *   `X-Amz-Date` (ISO 8601 basic) plus `X-Amz-Expires` seconds, 1 to 604800. Outside that range
 *   S3 answers AuthorizationQueryParametersError (403, as Ceph's s3-tests expect of AWS); past the
 *   expiry, 403 AccessDenied "Request has expired".
 * - SigV2 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html#RESTAuthenticationQueryStringAuth),
 *   what aws-cli v1's `aws s3 presign` makes: `AWSAccessKeyId`, `Signature`, `Expires` (epoch
 *   seconds), all three required.
 */
import { s3Errors } from './errors.ts';

/** Query parameters of presigned URLs: authentication, never a sub-resource. */
export const isPresignParameter = (name: string) =>
  /^x-amz-/i.test(name) || name === 'AWSAccessKeyId' || name === 'Signature' || name === 'Expires';

const MAX_EXPIRES_SECONDS = 604_800;
/** A URL signed this far in the future is not valid yet (clock skew S3 tolerates: 15 minutes). */
const MAX_SKEW_MS = 15 * 60_000;

function invalidV4(message: string) {
  return s3Errors.authorizationQueryParametersError(message);
}

function expired(expiresAt: Date, now: number, details: Record<string, string>) {
  return s3Errors.accessDenied('Request has expired', {
    ...details,
    Expires: expiresAt.toISOString(),
    ServerTime: new Date(now).toISOString(),
  });
}

/** Throws S3's error when the query carries presigned authentication that is malformed or expired. */
export function checkPresignedQuery(query: URLSearchParams, now = Date.now()): void {
  if (query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature') || query.has('X-Amz-Credential')) {
    checkV4(query, now);
  } else if (query.has('AWSAccessKeyId') || query.has('Signature')) {
    checkV2(query, now);
  }
}

function checkV4(query: URLSearchParams, now: number): void {
  const algorithm = query.get('X-Amz-Algorithm');
  const date = query.get('X-Amz-Date');
  const expires = query.get('X-Amz-Expires');
  if (algorithm === null || date === null || expires === null || !query.has('X-Amz-Credential')) {
    throw invalidV4(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (algorithm !== 'AWS4-HMAC-SHA256') throw invalidV4('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const digits = date
    .match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/)
    ?.slice(1)
    .map(Number);
  const [year = 0, month = 1, day = 0, hour = 0, minute = 0, second = 0] = digits ?? [];
  const signedAt = digits ? Date.UTC(year, month - 1, day, hour, minute, second) : Number.NaN;
  if (Number.isNaN(signedAt)) {
    throw invalidV4(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
  if (!/^-?\d+$/.test(expires)) throw invalidV4('X-Amz-Expires should be a number');
  const seconds = Number(expires);
  if (seconds < 0) throw invalidV4('X-Amz-Expires must be non-negative');
  if (seconds > MAX_EXPIRES_SECONDS) {
    throw invalidV4(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  // 0 is outside the documented range (1 to 604800): refused as such, like the values above.
  if (seconds === 0) throw invalidV4('X-Amz-Expires must be between 1 and 604800 seconds');
  if (signedAt > now + MAX_SKEW_MS) throw s3Errors.accessDenied('Request is not valid yet');
  if (signedAt + seconds * 1000 < now) {
    throw expired(new Date(signedAt + seconds * 1000), now, { 'X-Amz-Expires': expires });
  }
}

function checkV2(query: URLSearchParams, now: number): void {
  const expires = query.get('Expires');
  if (!query.get('AWSAccessKeyId') || !query.get('Signature') || expires === null) {
    throw s3Errors.accessDenied(
      'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
    );
  }
  if (!/^\d{1,12}$/.test(expires)) {
    throw s3Errors.accessDenied(`Invalid date (should be seconds since epoch): ${expires}`);
  }
  const expiresAt = Number(expires) * 1000;
  if (expiresAt < now) throw expired(new Date(expiresAt), now, {});
}
