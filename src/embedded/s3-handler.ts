/** The S3 operations of the local server, over the folder-backed store. */
import type { ServerResponse } from 'node:http';
import { s3Errors } from './s3-errors.ts';
import {
  attributesFrom,
  decodeAwsChunked,
  etagMatches,
  isChunked,
  objectHeaders,
  parseRange,
  RESPONSE_OVERRIDES,
  readBody,
  requestIdHeaders,
  type S3Request,
  send,
  sendXml,
} from './s3-http.ts';
import { listKeys } from './s3-list.ts';
import { BUCKET_NAME_PATTERN, md5Hex, type ObjectStore, type StoredObject } from './s3-store.ts';
import { parseDeleteRequest, type XmlNode, xmlDocument } from './s3-xml.ts';

const REGION = 'us-east-1';
const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'scones',
};
const MAX_KEY_BYTES = 1024;
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

export class LocalS3Handler {
  readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  async handle(request: S3Request, response: ServerResponse): Promise<void> {
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

  async bucketOperation(request: S3Request, response: ServerResponse, subresource: string | undefined) {
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

  async listObjects(request: S3Request, response: ServerResponse, version: 1 | 2) {
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

  async putObject(request: S3Request, response: ServerResponse) {
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

  async copyObject(request: S3Request, response: ServerResponse) {
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
  checkWritePreconditions({ bucket, key, headers }: S3Request) {
    const existing = this.store.buckets.get(bucket)?.objects.get(key);
    const ifNoneMatch = headers['if-none-match'];
    if (ifNoneMatch === '*' && existing) throw s3Errors.preconditionFailed('If-None-Match');
    const ifMatch = headers['if-match'];
    if (ifMatch && (!existing || !etagMatches(ifMatch, existing.md5)))
      throw s3Errors.preconditionFailed('If-Match');
  }

  async getObject(request: S3Request, response: ServerResponse) {
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

  async deleteObjects(request: S3Request, response: ServerResponse) {
    await this.existingBucket(request.bucket);
    const { keys, quiet } = parseDeleteRequest((await readBody(request.raw)).toString('utf8'));
    if (keys.length === 0 || keys.length > 1000) throw s3Errors.malformedXml();
    for (const key of keys) await this.store.deleteObject(request.bucket, key);
    const deleted = quiet ? [] : keys.map((key) => ({ Key: key }));
    sendXml(response, 200, xmlDocument('DeleteResult', { Deleted: deleted }));
  }
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
