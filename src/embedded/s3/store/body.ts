/**
 * Receiving a request body: aws-chunked framing removed, MD5 (the ETag) and the requested
 * checksum computed as the bytes pass, then checked against Content-MD5 / `x-amz-checksum-*`
 * (header or trailer). Small bodies, whose size is declared up front, stay in memory (no file
 * system call more than before, and the store caches them); larger ones go to a temporary file in
 * bounded memory, so a multi-GB upload costs a few MiB of RAM. Nothing reaches an object here:
 * the caller commits the result or calls `discard`.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  type ChecksumAlgorithm,
  createHasher,
  declaredChecksums,
  type Hasher,
  validChecksumValue,
} from '../protocol/checksums.ts';
import { AwsChunkedDecoder, isAwsChunked } from '../protocol/chunked.ts';
import { S3Error, s3Errors } from '../protocol/errors.ts';
import { type StoreFileSystem, temporaryPath, type WritableFile } from './files.ts';
import type { BodyLimits, ObjectRead, ReceivedBody } from './types.ts';

/** Writes to a temporary file are batched to this size (fewer system calls on fast uploads). */
const WRITE_BATCH_BYTES = 1 << 20;

export async function receiveBody(request: IncomingMessage, limits: BodyLimits): Promise<ReceivedBody> {
  const { headers } = request;
  const chunked = isAwsChunked(headers);
  const declared = declaredSize(
    chunked ? headers['x-amz-decoded-content-length'] : headers['content-length'],
  );
  if (declared !== undefined && declared > limits.maxBytes)
    throw s3Errors.entityTooLarge(declared, limits.maxBytes);
  const checks = declaredChecksums(headers);
  if (limits.algorithm) {
    if (checks.algorithm && checks.algorithm !== limits.algorithm) {
      throw s3Errors.invalidRequest(
        `Checksum Type mismatch occurred, expected checksum Type: ${limits.algorithm.toLowerCase()}, actual checksum Type: ${checks.algorithm.toLowerCase()}`,
      );
    }
    checks.algorithm = limits.algorithm;
  }
  const md5 = createHash('md5');
  const checksum: Hasher | undefined = checks.algorithm ? createHasher(checks.algorithm) : undefined;
  const decoder = chunked ? new AwsChunkedDecoder() : undefined;
  const inMemory = limits.memoryOnly || (declared !== undefined && declared <= limits.memoryBytes);
  const sink = inMemory ? new MemorySink() : new FileSink(limits);
  let size = 0;
  try {
    for await (const chunk of request) {
      const pieces = decoder ? decoder.push(chunk as Buffer) : [chunk as Buffer];
      for (const piece of pieces) {
        size += piece.length;
        if (size > limits.maxBytes) throw s3Errors.entityTooLarge(size, limits.maxBytes);
        md5.update(piece);
        checksum?.update(piece);
        await sink.write(piece);
      }
    }
    decoder?.end();
    if (declared !== undefined && size !== declared) throw s3Errors.incompleteBody();
    const received: ReceivedBody = { size, md5: md5.digest('hex') };
    if (checks.md5 !== undefined && checks.md5 !== received.md5) throw s3Errors.badDigest();
    if (checks.algorithm && checksum) {
      const value = (await checksum.digest()).toString('base64');
      const expected = checks.trailer
        ? trailerValue(decoder, checks.trailer, checks.algorithm)
        : checks.expected;
      if (expected !== undefined && expected !== value) throw s3Errors.checksumMismatch(checks.algorithm);
      received.checksum = { algorithm: checks.algorithm, value };
    }
    return Object.assign(received, await sink.finish());
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/**
 * The body of a copy (CopyObject, UploadPartCopy): bytes `start..end` of an object read, whole in
 * memory when small, else streamed to a temporary file. Closes the read's file handle.
 */
export async function copyBody(
  read: ObjectRead,
  range: { start: number; end: number },
  limits: BodyLimits,
): Promise<ReceivedBody> {
  const size = range.end - range.start + 1;
  const checksum = limits.algorithm ? createHasher(limits.algorithm) : undefined;
  const finish = async (received: ReceivedBody) => {
    if (checksum && limits.algorithm) {
      received.checksum = {
        algorithm: limits.algorithm,
        value: (await checksum.digest()).toString('base64'),
      };
    }
    return received;
  };
  if ('body' in read) {
    const buffer = read.body.subarray(range.start, range.end + 1);
    checksum?.update(buffer);
    return finish({ size, md5: md5Of(buffer), buffer });
  }
  const sink = new FileSink(limits);
  const md5 = createHash('md5');
  try {
    if (size > 0) {
      for await (const chunk of read.handle.createReadStream({
        start: range.start,
        end: range.end,
        highWaterMark: 1 << 20,
      })) {
        md5.update(chunk as Buffer);
        checksum?.update(chunk as Buffer);
        await sink.write(chunk as Buffer);
      }
    }
    return finish({ size, md5: md5.digest('hex'), ...(await sink.finish()) });
  } catch (error) {
    await sink.abort();
    throw error;
  } finally {
    await read.handle.close().catch(() => undefined);
  }
}

const md5Of = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

/** Removes the temporary file of a body that will not be committed. */
export async function discard(body: ReceivedBody, files: StoreFileSystem): Promise<void> {
  if (body.file) await files.rm(body.file.path, { force: true }).catch(() => undefined);
}

/** A small request body (an XML document), whole, or MaxMessageLengthExceeded past `maxBytes`. */
export async function readSmallBody(request: IncomingMessage, maxBytes: number, files: StoreFileSystem) {
  try {
    const body = await receiveBody(request, {
      root: '',
      files,
      maxBytes,
      memoryBytes: maxBytes,
      memoryOnly: true,
    });
    return body.buffer as Buffer;
  } catch (error) {
    if (error instanceof S3Error && error.code === 'EntityTooLarge')
      throw s3Errors.maxMessageLengthExceeded();
    throw error;
  }
}

function declaredSize(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (!/^\d{1,16}$/.test(value))
    throw s3Errors.invalidArgument('Invalid content length', 'Content-Length', value);
  return Number(value);
}

function trailerValue(decoder: AwsChunkedDecoder | undefined, trailer: string, algorithm: ChecksumAlgorithm) {
  const value = decoder?.trailers[trailer];
  if (value === undefined)
    throw s3Errors.invalidRequest(`The ${trailer} trailer was not sent with the body.`);
  return validChecksumValue(algorithm, value);
}

interface Sink {
  write(piece: Buffer): Promise<void> | void;
  finish(): Promise<Pick<ReceivedBody, 'buffer' | 'file'>>;
  abort(): Promise<void>;
}

class MemorySink implements Sink {
  readonly #pieces: Buffer[] = [];

  write(piece: Buffer) {
    this.#pieces.push(piece);
  }

  async finish() {
    const pieces = this.#pieces;
    return { buffer: pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces) };
  }

  async abort() {}
}

/** Streams to a temporary file, batching small pieces; the file is removed on abort. */
class FileSink implements Sink {
  readonly #path: string;
  readonly #files: StoreFileSystem;
  #file: Promise<WritableFile> | undefined;
  #batch: Buffer[] = [];
  #batchBytes = 0;

  constructor(limits: BodyLimits) {
    this.#path = temporaryPath(limits.root);
    this.#files = limits.files;
  }

  async write(piece: Buffer) {
    this.#batch.push(piece);
    this.#batchBytes += piece.length;
    if (this.#batchBytes >= WRITE_BATCH_BYTES) await this.#flush();
  }

  async #flush() {
    this.#file ??= this.#files.create(this.#path);
    const file = await this.#file;
    const data = this.#batch.length === 1 ? (this.#batch[0] as Buffer) : Buffer.concat(this.#batch);
    this.#batch = [];
    this.#batchBytes = 0;
    if (data.length > 0) await file.write(data);
  }

  async finish() {
    await this.#flush();
    this.#file ??= this.#files.create(this.#path); // an empty body still gets its file
    const file = await this.#file;
    const { ino, mtimeMs } = await file.stat();
    await file.close();
    return { file: { path: this.#path, ino, mtimeMs } };
  }

  async abort() {
    const file = await this.#file?.catch(() => undefined);
    await file?.close().catch(() => undefined);
    await this.#files.rm(this.#path, { force: true }).catch(() => undefined);
  }
}
