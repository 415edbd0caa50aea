/** HTTP plumbing of the local S3 server: request parsing, body framing, S3 headers and responses. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type S3Error, s3Errors } from './s3-errors.ts';
import { DEFAULT_CONTENT_TYPE, type StoredObject } from './s3-store.ts';
import { xmlDocument } from './s3-xml.ts';

/** Single-PUT limit of this server; bodies are held in memory while they arrive. */
const MAX_OBJECT_BYTES = 512 << 20;
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

function requestId(): string {
  return `${requestIdPrefix}${(requestCounter++).toString(16).toUpperCase().padStart(8, '0')}`;
}

export interface S3Request {
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_OBJECT_BYTES) throw s3Errors.entityTooLarge(declared, MAX_OBJECT_BYTES);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_OBJECT_BYTES) throw s3Errors.entityTooLarge(size, MAX_OBJECT_BYTES);
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/**
 * Strips `aws-chunked` framing (`<hex size>[;chunk-signature=..]\r\n<data>\r\n ... 0\r\n<trailers>`),
 * which the SDK uses for streamed bodies with a trailing checksum.
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(
      body.subarray(offset, lineEnd).toString('latin1').split(';')[0] as string,
      16,
    );
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function isChunked(headers: IncomingMessage['headers']): boolean {
  return (
    !!headers['content-encoding']?.includes('aws-chunked') ||
    !!headers['x-amz-content-sha256']?.toString().startsWith('STREAMING-')
  );
}

export function objectHeaders(object: StoredObject): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'Content-Type': object.contentType,
    ETag: `"${object.md5}"`,
    'Last-Modified': object.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
    ...object.headers,
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** Parses a single `bytes=a-b` / `bytes=a-` / `bytes=-n` range; S3 ignores other forms. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [first, last] = [match[1] as string, match[2] as string];
  const start = first === '' ? Math.max(0, size - Number(last)) : Number(first);
  const end = first === '' || last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end || (first === '' && Number(last) === 0)) {
    throw s3Errors.invalidRange(size, header as string);
  }
  return { start, end };
}

export function etagMatches(condition: string, md5: string): boolean {
  return condition.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '').replace(/"/g, '') === md5;
  });
}

export function attributesFrom(headers: IncomingMessage['headers']) {
  const stored: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') stored[name] = value;
  }
  // aws-chunked is transfer framing, not a property of the object.
  const encoding = stored['content-encoding']
    ?.split(',')
    .map((part) => part.trim())
    .filter((part) => part && part !== 'aws-chunked')
    .join(',');
  if (encoding) stored['content-encoding'] = encoding;
  else delete stored['content-encoding'];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice(11)] = value;
  }
  return { contentType: headers['content-type'] ?? DEFAULT_CONTENT_TYPE, headers: stored, metadata };
}

export function requestIdHeaders() {
  const id = requestId();
  return { 'x-amz-request-id': id, 'x-amz-id-2': id };
}

export function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string | number> = {},
) {
  response.writeHead(status, { 'Content-Length': 0, ...headers, ...requestIdHeaders() });
  response.end();
}

export function sendXml(response: ServerResponse, status: number, xml: string) {
  response.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(xml),
    ...requestIdHeaders(),
  });
  response.end(xml);
}

export function sendError(response: ServerResponse, request: S3Request, error: S3Error) {
  const ids = requestIdHeaders();
  if (request.method === 'HEAD') {
    // HEAD responses carry no body; SDKs map the bare status (404 -> NotFound).
    response.writeHead(error.status, { 'Content-Length': 0, ...ids });
    response.end();
    return;
  }
  const resource = `/${request.bucket}${request.key ? `/${request.key}` : ''}`;
  const xml = xmlDocument(
    'Error',
    {
      Code: error.code,
      Message: error.message,
      ...error.details,
      Resource: resource,
      RequestId: ids['x-amz-request-id'],
      HostId: ids['x-amz-id-2'],
    },
    false,
  );
  response.writeHead(error.status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(xml),
    ...ids,
  });
  response.end(xml);
}

export function parseRequest(raw: IncomingMessage): S3Request {
  // The raw URL, not `new URL()`: URL parsing would normalize `..` and `//` that are legal in keys.
  const url = raw.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url.slice(1) : url.slice(1, queryStart);
  const slash = path.indexOf('/');
  const decode = (text: string) => (text.includes('%') ? decodeURIComponent(text) : text);
  return {
    method: raw.method ?? 'GET',
    bucket: decode(slash < 0 ? path : path.slice(0, slash)),
    key: slash < 0 ? '' : decode(path.slice(slash + 1)),
    query: new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)),
    headers: raw.headers,
    raw,
  };
}
