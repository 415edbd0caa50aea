/**
 * The review server: the page at `/`, its files, and a small JSON API over the bucket, on
 * 127.0.0.1. Every request is guarded (`guardRequests`): a malformed one gets a JSON error, a
 * failing S3 a 502 naming the call, and the server keeps serving.
 *
 *   GET  /api/session                   reviewer, bucket, labels and their routes
 *   GET  /api/items?offset=&limit=&refresh=1
 *                                       pending items, newest first: { total, offset, limit, items }
 *   GET  /api/items/<id>/image          the item's image, from S3
 *   POST /api/items/<id>/decision       {"label": "bicycle" | "motorcycle" | "neither"} or
 *                                       {"dismiss": "<reason>"}: 200 closing record, 409 already closed
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { applyServerLimits, guardRequests, listenOn } from '../embedded/gateway/index.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ReviewApi, type ReviewApiOptions } from './api.ts';
import { ApiError, checkCaller, loadPageFiles, readJson, send, sendError, sendJson } from './http.ts';

export const PAGE_DIRECTORY = join(import.meta.dirname, 'page');
const PAGE_FILES = [
  'index.html',
  'review.css',
  'review.js',
  'dom.js',
  'state.js',
  'render.js',
  'favicon.svg',
] as const;

export interface ReviewServerOptions extends ReviewApiOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Unexpected errors (500s) are reported here; default stderr. */
  log?: (line: string) => void;
}

export interface ReviewServer {
  /** The page, e.g. `http://127.0.0.1:8089/`. */
  url: string;
  api: ReviewApi;
  stop(): Promise<void>;
}

function integerParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new ApiError(
      400,
      'invalid_parameter',
      `${name} must be an integer from ${min} to ${max}; got "${text}"`,
    );
  return value;
}

/** Node's own network errors (ECONNREFUSED, ...) and the SDK's timeouts: S3 did not answer at all. */
function isUnreachable(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || name === 'TimeoutError';
}

/** The request target as a URL; `//x` is a path here, not a host (as `new URL(target, base)` would read it). */
function parseUrl(target: string | undefined): URL {
  if (!target?.startsWith('/')) throw new ApiError(400, 'invalid_url', 'the request target must be a path');
  try {
    return new URL(`http://review.invalid${target}`);
  } catch {
    throw new ApiError(400, 'invalid_url', 'the request target is not a valid URL path');
  }
}

function itemRoute(pathname: string): { id: string; action: string } | undefined {
  const match = /^\/api\/items\/([^/]+)\/(image|decision)$/.exec(pathname);
  if (!match) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(match[1] as string);
  } catch {
    throw new ApiError(400, 'invalid_id', 'the item id is not valid percent-encoding');
  }
  return { id, action: match[2] as string };
}

export async function startReviewServer(options: ReviewServerOptions): Promise<ReviewServer> {
  const api = new ReviewApi(options);
  const files = await loadPageFiles(PAGE_DIRECTORY, PAGE_FILES);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const allowedHosts = new Set<string>();

  const methodNotAllowed = (allowed: string) =>
    new ApiError(405, 'method_not_allowed', `use ${allowed} here`, { allowed });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    checkCaller(request, allowedHosts);
    const url = parseUrl(request.url);
    const method = request.method ?? 'GET';
    const file = files.get(url.pathname);
    if (file) {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET');
      return send(response, 200, file.body, file.contentType);
    }
    if (url.pathname === '/api/session') {
      if (method !== 'GET') throw methodNotAllowed('GET');
      return sendJson(response, 200, api.session());
    }
    if (url.pathname === '/api/items') {
      if (method !== 'GET') throw methodNotAllowed('GET');
      const offset = integerParam(url, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
      const limit = integerParam(url, 'limit', options.pageSize ?? DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
      const refresh = url.searchParams.get('refresh') === '1';
      return sendJson(response, 200, await api.page(offset, limit, refresh));
    }
    const route = itemRoute(url.pathname);
    if (route?.action === 'image') {
      if (method !== 'GET') throw methodNotAllowed('GET');
      const image = await api.image(route.id);
      // An image is private to its item and does not change: the browser may keep it for the session.
      return send(response, 200, image.body, image.contentType, { 'Cache-Control': 'private, max-age=3600' });
    }
    if (route?.action === 'decision') {
      if (method !== 'POST') throw methodNotAllowed('POST');
      return sendJson(response, 200, await api.decide(route.id, await readJson(request)));
    }
    throw new ApiError(404, 'not_found', `nothing at ${url.pathname}`);
  }

  function asApiError(error: unknown, request: IncomingMessage): ApiError {
    if (error instanceof ApiError) return error;
    if (error instanceof S3ServiceException) {
      const status = error.$metadata?.httpStatusCode;
      const answer = `${error.name}${status ? ` (${status})` : ''}`;
      return new ApiError(502, 's3_error', `S3 answered ${answer}: ${error.message}`);
    }
    if (isUnreachable(error))
      return new ApiError(502, 's3_unreachable', `S3 did not answer: ${(error as Error).message}`);
    const text = (error as Error)?.stack ?? String(error);
    log(`review server: ${request.method} ${request.url} failed: ${text}`);
    return new ApiError(500, 'internal_error', (error as Error)?.message ?? String(error));
  }

  const onError = (error: unknown, request: IncomingMessage, response: ServerResponse) =>
    sendError(response, asApiError(error, request));

  const server = createServer(guardRequests(handle, onError));
  applyServerLimits(server);
  const host = options.host ?? '127.0.0.1';
  await listenOn(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  for (const name of [host, 'localhost', '127.0.0.1', '[::1]']) allowedHosts.add(`${name}:${port}`);
  // List the queue now: the page opened a moment later finds it ready. A failure here is
  // reported to the page's own request, which lists again.
  api.queue.entries().catch(() => undefined);
  return {
    url: `http://${host}:${port}/`,
    api,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
