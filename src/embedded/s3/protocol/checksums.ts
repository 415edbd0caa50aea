/**
 * The additional checksums of S3 (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and Content-MD5: which a
 * request asks for, computing them while a body streams, and the errors S3 gives
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
 * CRC32 is Node's native `zlib.crc32`; CRC32C and CRC64NVME are the AWS SDK's own implementations
 * (`@aws-sdk/checksums`), the ones the SDK uses to compute what it sends.
 */
import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import { Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import { s3Errors } from './errors.ts';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** Base64, as in the `x-amz-checksum-*` header; `-N` suffixed for a composite multipart checksum. */
  value: string;
  type: ChecksumType;
}

export const checksumHeader = (algorithm: ChecksumAlgorithm) => `x-amz-checksum-${algorithm.toLowerCase()}`;

/** The element name in XML documents: `ChecksumCRC32`, ... */
export const checksumElement = (algorithm: ChecksumAlgorithm) => `Checksum${algorithm}`;

export function parseAlgorithm(name: string | undefined): ChecksumAlgorithm | undefined {
  if (name === undefined) return undefined;
  const upper = name.toUpperCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(upper)) {
    throw s3Errors.invalidRequest(
      'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
    );
  }
  return upper;
}

export interface Hasher {
  update(data: Uint8Array): void;
  digest(): Promise<Buffer>;
}

export function createHasher(algorithm: ChecksumAlgorithm): Hasher {
  if (algorithm === 'CRC32') {
    let value = 0;
    return {
      update: (data) => {
        value = crc32(data, value);
      },
      digest: async () => {
        const out = Buffer.alloc(4);
        out.writeUInt32BE(value >>> 0);
        return out;
      },
    };
  }
  if (algorithm === 'SHA1' || algorithm === 'SHA256') {
    const hash: Hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
    return { update: (data) => hash.update(data), digest: async () => hash.digest() };
  }
  const checksum = algorithm === 'CRC32C' ? new Crc32c() : new Crc64Nvme();
  return {
    update: (data) => checksum.update(data),
    digest: async () => Buffer.from(await checksum.digest()),
  };
}

/** A value that is not the base64 of a digest of the algorithm's length: S3's InvalidRequest. */
export function validChecksumValue(algorithm: ChecksumAlgorithm, value: string): string {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== DIGEST_BYTES[algorithm] || bytes.toString('base64') !== value) {
    throw s3Errors.invalidRequest(`Value for ${checksumHeader(algorithm)} header is invalid.`);
  }
  return value;
}

/** What a request declares about its body's integrity, before the body is read. */
export interface DeclaredChecksums {
  /** Content-MD5 as hex, when given. */
  md5?: string;
  /** The algorithm to compute (from a value header, a trailer, or `x-amz-sdk-checksum-algorithm`). */
  algorithm?: ChecksumAlgorithm;
  /** The expected value when it came in a header; a trailer brings it after the body. */
  expected?: string;
  /** The trailer that will carry the value (`x-amz-trailer`). */
  trailer?: string;
}

export function declaredChecksums(headers: IncomingHttpHeaders): DeclaredChecksums {
  const declared: DeclaredChecksums = {};
  const contentMd5 = headers['content-md5'];
  if (typeof contentMd5 === 'string') {
    const bytes = Buffer.from(contentMd5, 'base64');
    if (bytes.length !== 16 || bytes.toString('base64') !== contentMd5) {
      throw s3Errors.invalidDigest();
    }
    declared.md5 = bytes.toString('hex');
  }
  const given = CHECKSUM_ALGORITHMS.filter(
    (algorithm) => typeof headers[checksumHeader(algorithm)] === 'string',
  );
  if (given.length > 1) {
    throw s3Errors.invalidRequest(
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  const trailer = headers['x-amz-trailer'];
  if (typeof trailer === 'string' && trailer.trim()) {
    const name = trailer.trim().toLowerCase();
    const algorithm = CHECKSUM_ALGORITHMS.find((candidate) => checksumHeader(candidate) === name);
    if (!algorithm)
      throw s3Errors.invalidRequest(`The value specified in the x-amz-trailer header is not supported`);
    declared.algorithm = algorithm;
    declared.trailer = name;
  }
  const [algorithm] = given;
  if (algorithm) {
    declared.algorithm = algorithm;
    declared.expected = validChecksumValue(algorithm, headers[checksumHeader(algorithm)] as string);
  }
  const sdkAlgorithm = headers['x-amz-sdk-checksum-algorithm'];
  if (!declared.algorithm && typeof sdkAlgorithm === 'string')
    declared.algorithm = parseAlgorithm(sdkAlgorithm);
  return declared;
}
