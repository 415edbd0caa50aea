/**
 * HTTP plumbing of the review server: JSON answers, bounded JSON bodies, the page's static files,
 * and the checks that keep other web pages out. The server listens on loopback, but any site the
 * reviewer visits can make their browser send requests to it, so:
 * - the Host header must name this server (a DNS-rebinding page sends its own host name);
 * - writes must be `application/json` (a cross-site form or `no-cors` fetch cannot send that
 *   without a CORS preflight, which this server never grants) and, if an Origin is sent, ours.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Headers on every answer: nothing from elsewhere runs in or frames the page. */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
} as const;

export function send(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

export function sendError(response: ServerResponse, error: ApiError): void {
  sendJson(response, error.status, { error: error.code, message: error.message, ...error.details });
}

const MAX_BODY_BYTES = 16 * 1024;

/** The request's JSON body (at most 16 KiB), or an ApiError saying what is wrong with it. */
export async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new ApiError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      request.resume(); // drain without keeping what follows
      throw new ApiError(413, 'body_too_large', `the body is over ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'invalid_json', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Refuses requests for another host name, and writes from another origin. */
export function checkCaller(request: IncomingMessage, allowedHosts: ReadonlySet<string>): void {
  const host = (request.headers.host ?? '').toLowerCase();
  if (!allowedHosts.has(host))
    throw new ApiError(403, 'forbidden_host', `this server does not answer for "${host}"`);
  const origin = request.headers.origin;
  if (request.method !== 'GET' && request.method !== 'HEAD' && origin !== undefined) {
    const originHost = origin.replace(/^https?:\/\//i, '').toLowerCase();
    if (!allowedHosts.has(originHost))
      throw new ApiError(403, 'forbidden_origin', `writes from ${origin} are not accepted`);
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/** The page's files, read once at start: URL path (`/`, `/review.js`, ...) -> file. */
export async function loadPageFiles(
  directory: string,
  names: readonly string[],
): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const name of names) {
    const body = await readFile(join(directory, name));
    const file = { body, contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream' };
    files.set(name === 'index.html' ? '/' : `/${name}`, file);
  }
  return files;
}
