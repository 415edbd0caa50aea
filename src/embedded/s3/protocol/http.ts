/** The local S3's wire: request parsing, S3 headers, and its answers as values (gateway/answers.ts sends them). */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { type Answer, writeAnswer } from '../../gateway/index.ts';
import { DEFAULT_CONTENT_TYPE } from '../store/store.ts';
import type { StoredObject } from '../store/types.ts';
import type { S3Request } from '../types.ts';
import { checksumHeader } from './checksums.ts';
import { type S3Error, s3Errors } from './errors.ts';
import { xmlDocument } from './xml.ts';

const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
];
export const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

let requestCounter = 0;
const requestIdPrefix = randomBytes(4).toString('hex').toUpperCase();

export function newRequestId(): string {
  return `${requestIdPrefix}${(requestCounter++).toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * Splits `/<bucket>/<key>?<query>` (path style). The raw URL, not `new URL()`: URL parsing would
 * normalize `..` and `//` that are legal in keys. Bad percent-encoding is S3's InvalidURI (400).
 */
export function parseRequest(raw: IncomingMessage, id: string): S3Request {
  const url = raw.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url.slice(1) : url.slice(1, queryStart);
  const slash = path.indexOf('/');
  const decode = (text: string) => {
    if (!text.includes('%')) return text;
    try {
      return decodeURIComponent(text);
    } catch {
      throw s3Errors.invalidUri(url);
    }
  };
  return {
    id,
    method: raw.method ?? 'GET',
    bucket: decode(slash < 0 ? path : path.slice(0, slash)),
    key: slash < 0 ? '' : decode(path.slice(slash + 1)),
    // URLSearchParams never throws: a malformed escape in the query stays as written.
    query: new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)),
    headers: raw.headers,
    raw,
  };
}

/** Response headers of an object (lower case, so response-* overrides replace rather than add). */
export function objectHeaders(object: StoredObject): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': object.contentType,
    etag: `"${object.etag}"`,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    ...object.headers,
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** `x-amz-checksum-<algorithm>` and `x-amz-checksum-type` of a stored checksum. */
export function checksumHeaders(checksum: StoredObject['checksum']): Record<string, string> {
  if (!checksum) return {};
  return { [checksumHeader(checksum.algorithm)]: checksum.value, 'x-amz-checksum-type': checksum.type };
}

/** The attributes S3 stores from a PUT / CreateMultipartUpload / CopyObject REPLACE. */
export function attributesFrom(headers: IncomingMessage['headers']) {
  const stored: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') stored[name] = value;
  }
  // aws-chunked is transfer framing, not a property of the object; the rest stays as sent.
  const encoding = stored['content-encoding'];
  if (encoding !== undefined) {
    const kept = encoding
      .split(',')
      .filter((part) => part.trim() !== 'aws-chunked')
      .join(',')
      .trim();
    if (kept) stored['content-encoding'] = kept;
    else delete stored['content-encoding'];
  }
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice(11)] = value;
  }
  return { contentType: headers['content-type'] ?? DEFAULT_CONTENT_TYPE, headers: stored, metadata };
}

/** An answer without a body: `content-length` 0 unless the headers give one (HEAD, 304). */
export function emptyAnswer(status: number, headers: OutgoingHttpHeaders = {}): Answer {
  return { status, headers: { 'content-length': 0, ...headers } };
}

export function xmlAnswer(status: number, xml: string, headers: OutgoingHttpHeaders = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml), ...headers },
    body: xml,
  };
}

/** S3's `<Error>` document (a bare status for HEAD, whose responses carry no body). */
export function errorAnswer(
  request: { method?: string; url?: string },
  error: S3Error,
  requestId: string,
  closeConnection = false,
): Answer {
  const headers: Record<string, string> = { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId };
  if (closeConnection) headers.connection = 'close';
  // SDKs map the bare status (404 -> NotFound).
  if (request.method === 'HEAD') return emptyAnswer(error.status, headers);
  const xml = xmlDocument(
    'Error',
    {
      Code: error.code,
      Message: error.message,
      ...error.details,
      Resource: (request.url ?? '/').split('?')[0] as string,
      RequestId: requestId,
      HostId: requestId,
    },
    false,
  );
  return xmlAnswer(error.status, xml, headers);
}

/** Sends S3's error document for `error`, under the request id the response already carries. */
export function sendError(
  response: ServerResponse,
  request: { method?: string; url?: string },
  error: S3Error,
  closeConnection = false,
): void {
  const id = String(response.getHeader('x-amz-request-id') ?? newRequestId());
  writeAnswer(response, errorAnswer(request, error, id, closeConnection));
}
