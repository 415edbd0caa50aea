/**
 * JSON Lines objects under an S3 prefix, read as streams: one listing page (<= 1,000 keys) and a
 * few response bodies in flight at a time, each body split into lines as its chunks arrive, so
 * memory does not grow with the data (a 30-day capture is gigabytes of base64 images).
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { forEachConcurrent } from '../../../training/concurrency.ts';

/** A line longer than this is skipped (SageMaker's real-time payload limit is 6 MB, 8 MB as base64). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface LineSource {
  s3: S3Client;
  bucket: string;
  prefix: string;
  /** Which keys to read (default: `.jsonl` files). */
  accept?: (key: string) => boolean;
  /** Bodies read at once (default 4). */
  concurrency?: number;
}

export interface LinesRead {
  objects: number;
  bytes: number;
  /** Lines over MAX_LINE_BYTES, skipped. */
  oversized: number;
}

export class S3ReadError extends Error {
  override name = 'S3ReadError';
}

const isJsonLines = (key: string) => key.endsWith('.jsonl');

/** Calls `onLine` for every non-empty line of every accepted object under the prefix. */
export async function forEachS3Line(
  source: LineSource,
  onLine: (line: string, key: string) => void,
): Promise<LinesRead> {
  const { s3, bucket, prefix } = source;
  const accept = source.accept ?? isJsonLines;
  const read: LinesRead = { objects: 0, bytes: 0, oversized: 0 };
  let token: string | undefined;
  do {
    const page = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
      .catch((error: Error) => {
        throw new S3ReadError(`cannot list s3://${bucket}/${prefix}: ${error.name}: ${error.message}`);
      });
    const keys = (page.Contents ?? []).flatMap((object) =>
      object.Key && accept(object.Key) ? [object.Key] : [],
    );
    await forEachConcurrent(keys, source.concurrency ?? 4, async (key) => {
      const response = await s3
        .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        .catch((error: Error) => {
          throw new S3ReadError(`cannot read s3://${bucket}/${key}: ${error.name}: ${error.message}`);
        });
      read.objects++;
      if (!response.Body) return;
      const splitter = new LineSplitter((line) => onLine(line, key), read);
      for await (const chunk of response.Body as AsyncIterable<Uint8Array>) splitter.push(chunk);
      splitter.end();
    });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return read;
}

/** Splits a byte stream on `\n` (UTF-8; `\r\n` too), holding only the unfinished line. */
export class LineSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #skipping = false;
  readonly #onLine: (line: string) => void;
  readonly #counts: { bytes: number; oversized: number };

  constructor(onLine: (line: string) => void, counts: { bytes: number; oversized: number }) {
    this.#onLine = onLine;
    this.#counts = counts;
  }

  push(chunk: Uint8Array): void {
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#counts.bytes += buffer.length;
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(10, start);
      if (newline < 0) break;
      this.#take(buffer.subarray(start, newline));
      this.#finishLine();
      start = newline + 1;
    }
    if (start < buffer.length) this.#take(buffer.subarray(start));
  }

  end(): void {
    this.#finishLine();
  }

  #take(part: Buffer): void {
    if (this.#skipping) return;
    if (this.#pendingBytes + part.length > MAX_LINE_BYTES) {
      this.#skipping = true;
      this.#pending = [];
      this.#pendingBytes = 0;
      return;
    }
    this.#pending.push(part);
    this.#pendingBytes += part.length;
  }

  #finishLine(): void {
    if (this.#skipping) {
      this.#counts.oversized++;
      this.#skipping = false;
      return;
    }
    const bytes = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    const line = bytes?.toString('utf8').trim();
    if (line) this.#onLine(line);
  }
}
