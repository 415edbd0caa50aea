/**
 * Opens a CIFAR source as a byte stream: a local file or an http(s) URL (fetch, streamed; the
 * body is never buffered whole).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CifarSourceError } from './cifar-errors.ts';

export interface ByteSource {
  stream: Readable;
  /** Total bytes when known (file size, Content-Length). */
  size: number | undefined;
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

export function isArchive(source: string): boolean {
  return isUrl(source) || /\.(tar\.gz|tgz)$/i.test(source);
}

export async function openByteSource(source: string): Promise<ByteSource> {
  if (isUrl(source)) return openUrl(source);
  const info = await stat(source).catch((error: NodeJS.ErrnoException) => {
    throw new CifarSourceError(`cannot read ${source}: ${error.message}`);
  });
  if (!info.isFile()) throw new CifarSourceError(`${source} is not a file`);
  return { stream: createReadStream(source, { highWaterMark: 256 * 1024 }), size: info.size };
}

async function openUrl(url: string): Promise<ByteSource> {
  const response = await fetch(url).catch((error: Error) => {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new CifarSourceError(`GET ${url} failed: ${error.message}${cause}`);
  });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new CifarSourceError(`GET ${url} answered ${response.status} ${response.statusText}`.trim());
  }
  const length = Number(response.headers.get('content-length'));
  return {
    stream: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
    size: Number.isFinite(length) && length > 0 ? length : undefined,
  };
}
