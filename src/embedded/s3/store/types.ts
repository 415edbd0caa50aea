/** Shapes of the object store: objects and buckets as held in memory, bodies being received, uploads. */
import type { FileHandle } from 'node:fs/promises';
import type { ChecksumAlgorithm, ChecksumType, StoredChecksum } from '../protocol/checksums.ts';
import type { StoreFileSystem } from './files.ts';
import type { ObjectIndexJournal } from './object-index.ts';

export interface StoredObject {
  key: string;
  size: number;
  /** The ETag without quotes: the body's MD5 hex, or `<md5 of part md5s>-N` after a multipart upload. */
  etag: string;
  lastModified: Date;
  contentType: string;
  /** Standard headers S3 stores and returns as given (cache-control, content-encoding, ...). */
  headers: Record<string, string>;
  /** User metadata, keys without the `x-amz-meta-` prefix, lower case. */
  metadata: Record<string, string>;
  checksum?: StoredChecksum;
  /** Part sizes of an object completed from a multipart upload (GET `?partNumber=N`). */
  parts?: number[];
  /** Each part's own checksum (base64) when the upload's checksum is COMPOSITE: GET `?partNumber=N` sends it. */
  partChecksums?: string[];
  /**
   * The multipart upload this version was completed from: a repeated CompleteMultipartUpload of
   * that upload answers again while this version is the key's (operations/multipart.ts).
   */
  uploadId?: string;
  /** The data file this version lives in (see the opening comment). */
  file: FileIdentity;
}

export type ObjectAttributes = Pick<StoredObject, 'contentType' | 'headers' | 'metadata'> &
  Partial<Pick<StoredObject, 'checksum' | 'parts' | 'partChecksums' | 'uploadId' | 'lastModified'>>;

export interface StoredBucket {
  name: string;
  created: Date;
  region: string;
  /** The LocationConstraint it was created with when that is not the region's name (`EU`: eu-west-1). */
  locationConstraint?: string;
  objects: Map<string, StoredObject>;
  /** Keys in S3's (UTF-8 binary) order, rebuilt lazily after a key is added or removed. */
  sortedKeys: string[] | undefined;
  index: ObjectIndexJournal;
}

/** A consistent read: a small body whole, or an open handle on the version's file (caller closes it). */
export type ObjectRead =
  | { object: StoredObject; body: Buffer }
  | { object: StoredObject; handle: FileHandle };

export interface FileIdentity {
  ino: number;
  mtimeMs: number;
}

export interface ReceivedBody {
  size: number;
  /** Hex MD5 of the payload. */
  md5: string;
  /** The checksum the request asked for (verified when it gave a value), base64. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /** The payload, when it was small enough to keep in memory. */
  buffer?: Buffer;
  /** Otherwise the temporary file holding it. */
  file?: { path: string } & FileIdentity;
}

export interface BodyLimits {
  root: string;
  files: StoreFileSystem;
  /** Largest payload accepted (S3: 5 GiB for a PUT or a part). */
  maxBytes: number;
  /** Payloads declared at most this size are kept in memory. */
  memoryBytes: number;
  /** Keep the body in memory whatever its declared size (bodies bounded by a small `maxBytes`). */
  memoryOnly?: boolean;
  /** Compute this checksum even when the request names none (the parts of an upload that has one). */
  algorithm?: ChecksumAlgorithm;
}

export interface UploadPart {
  partNumber: number;
  size: number;
  /** MD5 hex of the part, without quotes. */
  etag: string;
  lastModified: Date;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  file: FileIdentity;
}

export interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: Date;
  attributes: Pick<ObjectAttributes, 'contentType' | 'headers' | 'metadata'>;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
  parts: Map<number, UploadPart>;
}

export interface ListQuery {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  /** Exclusive lower bound: a key, or a common prefix returned on the previous page. */
  after: string;
}

export interface ListPage {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Last key or common prefix of this page: where the next page starts (exclusive). */
  last: string | undefined;
}
