/**
 * The listing operations: ListObjects (V1), ListObjectsV2, ListObjectVersions and
 * ListMultipartUploads. Buckets here
 * are never versioned, so ListObjectVersions lists each object once, as S3 does for an
 * unversioned bucket: `VersionId` "null", `IsLatest` true
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html).
 */
import type { Answer } from '../../gateway/index.ts';
import { s3Errors } from '../protocol/errors.ts';
import { xmlAnswer } from '../protocol/http.ts';
import { type XmlNode, xmlDocument } from '../protocol/xml.ts';
import { listKeys } from '../store/list.ts';
import type { StoredObject } from '../store/types.ts';
import type { S3Context, S3Request } from '../types.ts';
import { OWNER } from './buckets.ts';
import { existingBucket } from './objects.ts';

/** `max-keys` (or `max-uploads`, `max-parts`): a non-negative integer, at most 1000 take effect. */
export function maxCount(query: URLSearchParams, name: string): { requested: number; effective: number } {
  const text = query.get(name) ?? '1000';
  if (!/^\d{1,10}$/.test(text)) {
    throw s3Errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, text);
  }
  return { requested: Number(text), effective: Math.min(Number(text), 1000) };
}

function encoder(query: URLSearchParams) {
  const urlEncoded = query.get('encoding-type') === 'url';
  return {
    urlEncoded,
    encode: (text: string) => (urlEncoded ? encodeURIComponent(text).replace(/%2F/g, '/') : text),
  };
}

export function listObjects(context: S3Context, request: S3Request): Answer {
  const { query, bucket } = request;
  const version = query.get('list-type') === '2' ? 2 : 1;
  const stored = existingBucket(context, bucket);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = maxCount(query, 'max-keys');
  const token = query.get('continuation-token') ?? undefined;
  const startAfter = query.get('start-after') ?? undefined;
  const marker = query.get('marker') ?? undefined;
  const after = version === 2 ? (token ? decodeToken(token) : (startAfter ?? '')) : (marker ?? '');
  const page = listKeys(context.store.sortedKeys(stored), {
    prefix,
    delimiter,
    maxKeys: maxKeys.effective,
    after,
  });
  const { urlEncoded, encode } = encoder(query);
  const contents = page.keys.map((key) => {
    const object = stored.objects.get(key) as StoredObject;
    return {
      Key: encode(key),
      LastModified: object.lastModified.toISOString(),
      ETag: `"${object.etag}"`,
      ...(object.checksum
        ? { ChecksumAlgorithm: object.checksum.algorithm, ChecksumType: object.checksum.type }
        : {}),
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
    MaxKeys: maxKeys.requested,
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
  return xmlAnswer(200, xmlDocument('ListBucketResult', body));
}

export function listObjectVersions(context: S3Context, request: S3Request): Answer {
  const { query, bucket } = request;
  const stored = existingBucket(context, bucket);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = maxCount(query, 'max-keys');
  const keyMarker = query.get('key-marker') ?? '';
  const versionIdMarker = query.get('version-id-marker');
  if (versionIdMarker !== null && versionIdMarker !== '' && !keyMarker) {
    throw s3Errors.invalidArgument(
      'A version-id marker cannot be specified without a key marker.',
      'version-id-marker',
      versionIdMarker,
    );
  }
  // Each key has one version ("null"), so "after this key's version" is "after this key".
  const page = listKeys(context.store.sortedKeys(stored), {
    prefix,
    delimiter,
    maxKeys: maxKeys.effective,
    after: keyMarker,
  });
  const { urlEncoded, encode } = encoder(query);
  const lastIsKey = page.last !== undefined && page.keys.at(-1) === page.last;
  const body: XmlNode = {
    Name: bucket,
    Prefix: encode(prefix),
    KeyMarker: encode(keyMarker),
    VersionIdMarker: versionIdMarker ?? '',
    ...(page.isTruncated && page.last !== undefined
      ? { NextKeyMarker: encode(page.last), ...(lastIsKey ? { NextVersionIdMarker: 'null' } : {}) }
      : {}),
    MaxKeys: maxKeys.requested,
    Delimiter: delimiter ? encode(delimiter) : undefined,
    EncodingType: urlEncoded ? 'url' : undefined,
    IsTruncated: page.isTruncated,
    Version: page.keys.map((key) => {
      const object = stored.objects.get(key) as StoredObject;
      return {
        Key: encode(key),
        VersionId: 'null',
        IsLatest: true,
        LastModified: object.lastModified.toISOString(),
        ETag: `"${object.etag}"`,
        Size: object.size,
        StorageClass: 'STANDARD',
        Owner: OWNER,
      };
    }),
    CommonPrefixes: page.commonPrefixes.map((commonPrefix) => ({ Prefix: encode(commonPrefix) })),
  };
  return xmlAnswer(200, xmlDocument('ListVersionsResult', body));
}

export function listUploads(context: S3Context, request: S3Request): Answer {
  const { query, bucket } = request;
  existingBucket(context, bucket);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const uploadIdMarker = query.get('upload-id-marker') ?? '';
  const maxUploads = maxCount(query, 'max-uploads');
  const uploads: {
    Key: string;
    UploadId: string;
    Initiator: typeof OWNER;
    Owner: typeof OWNER;
    StorageClass: string;
    Initiated: string;
  }[] = [];
  const prefixes: string[] = [];
  let isTruncated = false;
  let passedMarker = uploadIdMarker === '';
  let last: { key: string; uploadId?: string } | undefined;
  for (const upload of context.uploads.list(bucket)) {
    if (!upload.key.startsWith(prefix)) continue;
    if (
      keyMarker &&
      (upload.key < keyMarker || (upload.key === keyMarker && (uploadIdMarker === '' || !passedMarker)))
    ) {
      if (upload.key === keyMarker && upload.uploadId === uploadIdMarker) passedMarker = true;
      continue;
    }
    const cut = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
    const commonPrefix = cut >= 0 ? upload.key.slice(0, cut + delimiter.length) : undefined;
    if (commonPrefix !== undefined && prefixes.includes(commonPrefix)) continue;
    if (uploads.length + prefixes.length >= maxUploads.effective) {
      isTruncated = true;
      break;
    }
    if (commonPrefix !== undefined) {
      prefixes.push(commonPrefix);
      last = { key: commonPrefix };
      continue;
    }
    uploads.push({
      Key: upload.key,
      UploadId: upload.uploadId,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: 'STANDARD',
      Initiated: upload.initiated.toISOString(),
    });
    last = { key: upload.key, uploadId: upload.uploadId };
  }
  return xmlAnswer(
    200,
    xmlDocument('ListMultipartUploadsResult', {
      Bucket: bucket,
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      ...(isTruncated && last ? { NextKeyMarker: last.key, NextUploadIdMarker: last.uploadId ?? '' } : {}),
      Prefix: prefix,
      Delimiter: delimiter || undefined,
      MaxUploads: maxUploads.requested,
      IsTruncated: isTruncated,
      Upload: uploads,
      CommonPrefixes: prefixes.map((commonPrefix) => ({ Prefix: commonPrefix })),
    }),
  );
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
