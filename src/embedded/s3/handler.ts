/** Routes each request of the local S3 server to its operation (method, bucket/key, sub-resource). */
import type { Answer } from '../gateway/index.ts';
import { bucketLocation, createBucket, deleteBucket, headBucket, listBuckets } from './operations/buckets.ts';
import { listObjects, listObjectVersions, listUploads } from './operations/listing.ts';
import {
  abortUpload,
  completeUpload,
  createUpload,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './operations/multipart.ts';
import {
  copyObject,
  deleteObject,
  deleteObjects,
  getObject,
  preflight,
  putObject,
} from './operations/objects.ts';
import { s3Errors } from './protocol/errors.ts';
import { RESPONSE_OVERRIDES } from './protocol/http.ts';
import { checkPresignedQuery, isPresignParameter } from './protocol/presign.ts';
import type { S3Context, S3Request } from './types.ts';

/** Query parameters that are arguments of an operation, not sub-resources selecting one. */
const PARAMETERS = new Set([
  'x-id',
  'versionId',
  'partNumber',
  'uploadId',
  ...Object.keys(RESPONSE_OVERRIDES),
  'list-type',
  'prefix',
  'delimiter',
  'marker',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'key-marker',
  'version-id-marker',
  'upload-id-marker',
  'max-uploads',
  'max-parts',
  'part-number-marker',
]);

/** The operation's answer (a promise for those that read or write the store). */
export function handleS3Request(context: S3Context, request: S3Request): Answer | Promise<Answer> {
  const { method, bucket, key, query } = request;
  checkPresignedQuery(query);
  if (method === 'OPTIONS') return preflight(request);
  if (!bucket) {
    if (method === 'GET') return listBuckets(context);
    throw s3Errors.methodNotAllowed(method);
  }
  let subresource: string | undefined;
  for (const name of query.keys()) {
    if (!PARAMETERS.has(name) && !isPresignParameter(name)) {
      subresource = name;
      break;
    }
  }
  return key
    ? objectOperation(context, request, subresource)
    : bucketOperation(context, request, subresource);
}

function bucketOperation(
  context: S3Context,
  request: S3Request,
  subresource: string | undefined,
): Answer | Promise<Answer> {
  const { method } = request;
  if (subresource === undefined) {
    if (method === 'GET') return listObjects(context, request);
    if (method === 'PUT') return createBucket(context, request);
    if (method === 'HEAD') return headBucket(context, request);
    if (method === 'DELETE') return deleteBucket(context, request);
  } else if (method === 'GET' && subresource === 'versions') {
    return listObjectVersions(context, request);
  } else if (method === 'GET' && subresource === 'uploads') {
    return listUploads(context, request);
  } else if (method === 'GET' && subresource === 'location') {
    return bucketLocation(context, request);
  } else if (method === 'POST' && subresource === 'delete') {
    return deleteObjects(context, request);
  }
  if (!['GET', 'PUT', 'HEAD', 'DELETE', 'POST'].includes(method)) throw s3Errors.methodNotAllowed(method);
  throw s3Errors.notImplemented(
    subresource === undefined ? `${method} on buckets` : `?${subresource} on buckets`,
  );
}

function objectOperation(
  context: S3Context,
  request: S3Request,
  subresource: string | undefined,
): Answer | Promise<Answer> {
  const { method, query, headers } = request;
  const uploadId = query.has('uploadId');
  if (subresource === undefined) {
    switch (method) {
      case 'GET':
        return uploadId ? listParts(context, request) : getObject(context, request);
      case 'HEAD':
        return getObject(context, request);
      case 'PUT':
        if (uploadId) {
          return headers['x-amz-copy-source'] !== undefined
            ? uploadPartCopy(context, request)
            : uploadPart(context, request);
        }
        return headers['x-amz-copy-source'] !== undefined
          ? copyObject(context, request)
          : putObject(context, request);
      case 'DELETE':
        return uploadId ? abortUpload(context, request) : deleteObject(context, request);
      case 'POST':
        if (uploadId) return completeUpload(context, request);
        break;
      default:
        throw s3Errors.methodNotAllowed(method);
    }
  } else if (method === 'POST' && subresource === 'uploads') {
    return createUpload(context, request);
  }
  if (!['GET', 'PUT', 'HEAD', 'DELETE', 'POST'].includes(method)) throw s3Errors.methodNotAllowed(method);
  throw s3Errors.notImplemented(
    subresource === undefined ? `${method} on objects` : `?${subresource} on objects`,
  );
}
