/**
 * Local S3-compatible server for the embedded tier: path-style REST on 127.0.0.1, data in a
 * folder, spoken to by the real `@aws-sdk/client-s3` (`forcePathStyle`). Signatures are not checked.
 *
 * Why not `s3rver` (installed, works with the SDK)? Its per-GET cost: Koa middleware plus a stat,
 * a file read and a metadata read per request. Measured with `npm run bench:s3` (2 KB GETs,
 * client and server in one process, 2 shared cores at load average ~13, so read CPU time per GET
 * as the cost and wall figures as lower bounds):
 *
 *                         bare HTTP client                 @aws-sdk/client-s3
 *   this server   106-130 us CPU, 3775-4848 GET/s     p50 1.3 ms, 529 GET/s at c16
 *   s3rver        719-1005 us CPU, 533-1151 GET/s     p50 1.9 ms, 187 GET/s at c16
 *
 * The server's share is now ~0.1 ms; the SDK client's own work (~0.6-1.2 ms CPU per GET:
 * middleware, signing, endpoint rules) dominates an S3 read, and is the same against real S3.
 * Reads come from a memory index and body cache; writes reach the folder before the response.
 *
 * Operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation,
 * ListObjects(V2) (prefix, delimiter, paging, start-after, url encoding), PutObject, CopyObject,
 * GetObject (Range, conditional ETag headers, response-* overrides), HeadObject, DeleteObject,
 * DeleteObjects. Anything else answers S3's `NotImplemented`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { S3Error, s3Errors } from './s3-errors.ts';
import { listKeys } from './s3-list.ts';
import { BUCKET_NAME_PATTERN, md5Hex, ObjectStore, type StoredObject } from './s3-store.ts';
import { parseDeleteRequest, type XmlNode, xmlDocument } from './s3-xml.ts';

export interface LocalS3Options {
  /** Folder holding the data; reused across restarts. Default: a fresh temporary folder, removed by stop(). */
  directory?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Buckets created at start when missing. */
  buckets?: string[];
}

export interface LocalS3 {
  /** Base URL for `AWS_ENDPOINT_URL_S3`, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  directory: string;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'scones',
};
/** Single-PUT limit of this server; bodies are held in memory while they arrive. */
const MAX_OBJECT_BYTES = 512 << 20;
const MAX_KEY_BYTES = 1024;
const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
];
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};
/** Query parameters that do not select a sub-resource. */
const PLAIN_QUERY = new Set(['x-id', 'versionId', 'partNumber', ...Object.keys(RESPONSE_OVERRIDES)]);
/** Plain parameters, and presigned URLs' `X-Amz-*` authentication parameters (not checked). */
const isPlainQuery = (name: string) => PLAIN_QUERY.has(name) || /^x-amz-/i.test(name);
const LIST_QUERY = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
]);

let requestCounter = 0;
const requestIdPrefix = randomBytes(4).toString('hex').toUpperCase();

function requestId(): string {
  return `${requestIdPrefix}${(requestCounter++).toString(16).toUpperCase().padStart(8, '0')}`;
}

interface Request {
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
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

function isChunked(headers: IncomingMessage['headers']): boolean {
  return (
    !!headers['content-encoding']?.includes('aws-chunked') ||
    !!headers['x-amz-content-sha256']?.toString().startsWith('STREAMING-')
  );
}

function objectHeaders(object: StoredObject): Record<string, string | number> {
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
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
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

function etagMatches(condition: string, md5: string): boolean {
  return condition.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '').replace(/"/g, '') === md5;
  });
}

class LocalS3Handler {
  readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  async handle(request: Request, response: ServerResponse): Promise<void> {
    const { method, bucket, key } = request;
    if (!bucket) {
      if (method === 'GET') return this.listBuckets(response);
      throw s3Errors.methodNotAllowed(method);
    }
    const isListing =
      !key &&
      method === 'GET' &&
      [...request.query.keys()].every((name) => LIST_QUERY.has(name) || isPlainQuery(name));
    const subresource = [...request.query.keys()].find(
      (name) => !isPlainQuery(name) && !LIST_QUERY.has(name),
    );
    if (isListing) return this.listObjects(request, response, request.query.get('list-type') === '2' ? 2 : 1);
    if (!key) return this.bucketOperation(request, response, subresource);
    if (subresource) throw s3Errors.notImplemented(`?${subresource} on objects`);
    switch (method) {
      case 'GET':
      case 'HEAD':
        return this.getObject(request, response);
      case 'PUT':
        return request.headers['x-amz-copy-source']
          ? this.copyObject(request, response)
          : this.putObject(request, response);
      case 'DELETE':
        await this.existingBucket(bucket);
        await this.store.deleteObject(bucket, key);
        return send(response, 204);
      default:
        throw s3Errors.methodNotAllowed(method);
    }
  }

  async bucketOperation(request: Request, response: ServerResponse, subresource: string | undefined) {
    const { method, bucket } = request;
    if (method === 'PUT' && !subresource) return this.createBucket(bucket, response);
    if (method === 'POST' && subresource === 'delete') return this.deleteObjects(request, response);
    if (method === 'GET' && subresource === 'location') {
      await this.existingBucket(bucket);
      // us-east-1 is reported as an empty LocationConstraint, as S3 does.
      return sendXml(response, 200, xmlDocument('LocationConstraint', {}));
    }
    if (subresource) throw s3Errors.notImplemented(`?${subresource} on buckets`);
    if (method === 'HEAD') {
      await this.existingBucket(bucket);
      return send(response, 200, { 'x-amz-bucket-region': REGION });
    }
    if (method === 'DELETE') {
      const existing = await this.existingBucket(bucket);
      if (existing.objects.size > 0) throw s3Errors.bucketNotEmpty(bucket);
      await this.store.deleteBucket(bucket);
      return send(response, 204);
    }
    throw s3Errors.methodNotAllowed(method);
  }

  async existingBucket(name: string) {
    const bucket = this.store.buckets.get(name);
    if (!bucket) throw s3Errors.noSuchBucket(name);
    return bucket;
  }

  listBuckets(response: ServerResponse) {
    const buckets = [...this.store.buckets.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((bucket) => ({ Name: bucket.name, CreationDate: bucket.created.toISOString() }));
    sendXml(
      response,
      200,
      xmlDocument('ListAllMyBucketsResult', { Owner: OWNER, Buckets: { Bucket: buckets } }),
    );
  }

  async createBucket(bucket: string, response: ServerResponse) {
    if (!BUCKET_NAME_PATTERN.test(bucket) || bucket.includes('..')) throw s3Errors.invalidBucketName(bucket);
    if (this.store.buckets.has(bucket)) throw s3Errors.bucketAlreadyOwnedByYou(bucket);
    await this.store.createBucket(bucket);
    send(response, 200, { Location: `/${bucket}` });
  }

  async listObjects(request: Request, response: ServerResponse, version: 1 | 2) {
    const { query, bucket } = request;
    const stored = await this.existingBucket(bucket);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const maxKeysText = query.get('max-keys') ?? '1000';
    const maxKeys = Number(maxKeysText);
    if (!/^\d+$/.test(maxKeysText))
      throw s3Errors.invalidArgument(
        'Provided max-keys not an integer or within integer range',
        'max-keys',
        maxKeysText,
      );
    const token = query.get('continuation-token') ?? undefined;
    const startAfter = query.get('start-after') ?? undefined;
    const marker = query.get('marker') ?? undefined;
    const after = version === 2 ? (token ? decodeToken(token) : (startAfter ?? '')) : (marker ?? '');
    const page = listKeys(this.store.sortedKeys(stored), {
      prefix,
      delimiter,
      maxKeys: Math.min(maxKeys, 1000),
      after,
    });
    const urlEncoded = query.get('encoding-type') === 'url';
    const encode = (text: string) => (urlEncoded ? encodeURIComponent(text).replace(/%2F/g, '/') : text);
    const contents = page.keys.map((key) => {
      const object = stored.objects.get(key) as StoredObject;
      return {
        Key: encode(key),
        LastModified: object.lastModified.toISOString(),
        ETag: `"${object.md5}"`,
        Size: object.size,
        StorageClass: 'STANDARD',
        ...(version === 1 || query.get('fetch-owner') === 'true' ? { Owner: OWNER } : {}),
      };
    });
    const common = {
      Name: bucket,
      Prefix: encode(prefix),
      ...(version === 1 ? { Marker: encode(marker ?? '') } : {}),
      ...(version === 2 ? { KeyCount: page.keys.length + page.commonPrefixes.length } : {}),
      MaxKeys: maxKeys,
      Delimiter: delimiter ? encode(delimiter) : undefined,
      EncodingType: urlEncoded ? 'url' : undefined,
      IsTruncated: page.isTruncated,
    };
    const paging =
      version === 2
        ? {
            ContinuationToken: token,
            NextContinuationToken:
              page.isTruncated && page.last !== undefined ? encodeToken(page.last) : undefined,
            StartAfter: startAfter === undefined ? undefined : encode(startAfter),
          }
        : {
            NextMarker:
              page.isTruncated && delimiter && page.last !== undefined ? encode(page.last) : undefined,
          };
    const body: XmlNode = {
      ...common,
      ...paging,
      Contents: contents,
      CommonPrefixes: page.commonPrefixes.map((commonPrefix) => ({ Prefix: encode(commonPrefix) })),
    };
    sendXml(response, 200, xmlDocument('ListBucketResult', body));
  }

  async putObject(request: Request, response: ServerResponse) {
    const { bucket, key, headers } = request;
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw s3Errors.keyTooLong();
    await this.existingBucket(bucket);
    let body = await readBody(request.raw);
    if (isChunked(headers)) body = decodeAwsChunked(body);
    const contentMd5 = headers['content-md5'];
    if (typeof contentMd5 === 'string' && Buffer.from(contentMd5, 'base64').toString('hex') !== md5Hex(body))
      throw s3Errors.badDigest();
    this.checkWritePreconditions(request);
    const object = await this.store.putObject(bucket, key, body, attributesFrom(headers));
    send(response, 200, { ETag: `"${object.md5}"` });
  }

  async copyObject(request: Request, response: ServerResponse) {
    const { bucket, key, headers } = request;
    await this.existingBucket(bucket);
    const sourcePath = decodeURIComponent(
      (headers['x-amz-copy-source'] as string).split('?')[0] as string,
    ).replace(/^\//, '');
    const slash = sourcePath.indexOf('/');
    const [sourceBucket, sourceKey] = [sourcePath.slice(0, slash), sourcePath.slice(slash + 1)];
    await this.existingBucket(sourceBucket);
    const source = await this.store.readObject(sourceBucket, sourceKey);
    if (!source) throw s3Errors.noSuchKey(sourceKey);
    this.checkWritePreconditions(request);
    const { object: sourceObject, body } = source;
    const replace = headers['x-amz-metadata-directive'] === 'REPLACE';
    const attributes = replace ? attributesFrom(headers) : sourceObject;
    const copy = await this.store.putObject(bucket, key, body, {
      contentType: attributes.contentType,
      headers: attributes.headers,
      metadata: attributes.metadata,
    });
    sendXml(
      response,
      200,
      xmlDocument('CopyObjectResult', {
        LastModified: copy.lastModified.toISOString(),
        ETag: `"${copy.md5}"`,
      }),
    );
  }

  /** `If-None-Match: *` (create only) and `If-Match: <etag>` on writes, as S3 supports them. */
  checkWritePreconditions({ bucket, key, headers }: Request) {
    const existing = this.store.buckets.get(bucket)?.objects.get(key);
    const ifNoneMatch = headers['if-none-match'];
    if (ifNoneMatch === '*' && existing) throw s3Errors.preconditionFailed('If-None-Match');
    const ifMatch = headers['if-match'];
    if (ifMatch && (!existing || !etagMatches(ifMatch, existing.md5)))
      throw s3Errors.preconditionFailed('If-Match');
  }

  async getObject(request: Request, response: ServerResponse) {
    const { bucket, key, headers, method, query } = request;
    const stored = await this.existingBucket(bucket);
    // HEAD needs no body; GET takes metadata and body as one pair, even under a concurrent PUT.
    const read =
      method === 'HEAD'
        ? { object: stored.objects.get(key), body: undefined }
        : await this.store.readObject(bucket, key);
    const object = read?.object;
    if (!object) throw s3Errors.noSuchKey(key);
    const ifMatch = headers['if-match'];
    if (ifMatch && !etagMatches(ifMatch, object.md5)) throw s3Errors.preconditionFailed('If-Match');
    const ifNoneMatch = headers['if-none-match'];
    const responseHeaders = objectHeaders(object);
    if (ifNoneMatch && etagMatches(ifNoneMatch, object.md5)) return send(response, 304, responseHeaders);
    for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
      const value = query.get(parameter);
      if (value !== null) responseHeaders[header] = value;
    }
    const range = parseRange(headers.range, object.size);
    if (range) {
      responseHeaders['Content-Range'] = `bytes ${range.start}-${range.end}/${object.size}`;
    }
    responseHeaders['Content-Length'] = range ? range.end - range.start + 1 : object.size;
    const status = range ? 206 : 200;
    const body = read?.body;
    if (!body) return send(response, status, responseHeaders);
    response.writeHead(status, { ...responseHeaders, ...requestIdHeaders() });
    response.end(range ? body.subarray(range.start, range.end + 1) : body);
  }

  async deleteObjects(request: Request, response: ServerResponse) {
    await this.existingBucket(request.bucket);
    const { keys, quiet } = parseDeleteRequest((await readBody(request.raw)).toString('utf8'));
    if (keys.length === 0 || keys.length > 1000) throw s3Errors.malformedXml();
    for (const key of keys) await this.store.deleteObject(request.bucket, key);
    const deleted = quiet ? [] : keys.map((key) => ({ Key: key }));
    sendXml(response, 200, xmlDocument('DeleteResult', { Deleted: deleted }));
  }
}

function attributesFrom(headers: IncomingMessage['headers']) {
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
  return { contentType: headers['content-type'] ?? 'application/octet-stream', headers: stored, metadata };
}

function encodeToken(last: string): string {
  return Buffer.from(last, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (encodeToken(decoded) !== token) {
    throw s3Errors.invalidArgument(
      'The continuation token provided is incorrect',
      'continuation-token',
      token,
    );
  }
  return decoded;
}

function requestIdHeaders() {
  const id = requestId();
  return { 'x-amz-request-id': id, 'x-amz-id-2': id };
}

function send(response: ServerResponse, status: number, headers: Record<string, string | number> = {}) {
  response.writeHead(status, { 'Content-Length': 0, ...headers, ...requestIdHeaders() });
  response.end();
}

function sendXml(response: ServerResponse, status: number, xml: string) {
  response.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(xml),
    ...requestIdHeaders(),
  });
  response.end(xml);
}

function sendError(response: ServerResponse, request: Request, error: S3Error) {
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

function parseRequest(raw: IncomingMessage): Request {
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

export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const ownsDirectory = options.directory === undefined;
  const directory = resolve(options.directory ?? (await mkdtemp(join(tmpdir(), 'scones-s3-'))));
  const store = new ObjectStore(directory);
  await store.load();
  for (const bucket of options.buckets ?? []) {
    if (!store.buckets.has(bucket)) await store.createBucket(bucket);
  }
  const handler = new LocalS3Handler(store);
  const server = createServer((raw, response) => {
    const request = parseRequest(raw);
    handler.handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      const s3Error =
        error instanceof S3Error
          ? error
          : new S3Error(
              'InternalError',
              500,
              `We encountered an internal error: ${(error as Error).message}`,
            );
      sendError(response, request, s3Error);
      // A rejected body (too large, bad digest) may still be arriving: drop it rather than read it.
      if (!raw.complete) raw.resume();
    });
  });
  server.keepAliveTimeout = 60_000; // SDK agents keep sockets open; do not make them reconnect
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    directory,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}
