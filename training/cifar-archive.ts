/**
 * Streams records out of the official `cifar-100-binary.tar.gz` (path or URL): gunzip and tar
 * parsing on the fly by node-tar's Parser, nothing unpacked to disk. Entries `<dir>/train.bin`
 * and `<dir>/test.bin` are decoded; the others (label names) are skipped. Back-pressure: the
 * source is paused while the consumer has not taken the records already decoded.
 */
import { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { CorruptArchiveError, MissingSplitError } from './cifar-errors.ts';
import { assertWholeRecords, type CifarRecord, RecordDecoder } from './cifar-records.ts';
import { openByteSource } from './cifar-source.ts';

export type CifarSplit = 'train' | 'test';

export interface SplitRecord extends CifarRecord {
  split: CifarSplit;
}

/** Called as the source is read: bytes so far, total when known. */
export type ByteProgress = (bytesRead: number, totalBytes: number | undefined) => void;

const SPLIT_ENTRY = /(?:^|\/)(train|test)\.bin$/;

/** Yields the records of the requested splits in archive order (each split once). */
export async function* readArchiveSplits(
  source: string,
  splits: readonly CifarSplit[],
  onProgress?: ByteProgress,
): AsyncGenerator<SplitRecord> {
  const { stream: input, size } = await openByteSource(source);
  const records = new Readable({ objectMode: true, highWaterMark: 256, read: () => input.resume() });
  const wanted = new Set(splits);
  const seen = new Set<CifarSplit>();
  const entryNames: string[] = [];
  let compressedBytes = 0;
  let current: { path: string; bytes: number; size: number } | undefined;

  const fail = (error: Error) => {
    input.destroy();
    records.destroy(error);
  };
  const where = () =>
    current
      ? `in entry ${current.path} at byte ${current.bytes} of ${current.size}`
      : entryNames.length
        ? `after entry ${entryNames.at(-1)}`
        : 'before the first entry';

  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      entryNames.push(entry.path);
      const split = SPLIT_ENTRY.exec(entry.path)?.[1] as CifarSplit | undefined;
      if (!split || !wanted.has(split) || seen.has(split) || entry.type !== 'File') {
        entry.resume();
        return;
      }
      seen.add(split);
      current = { path: entry.path, bytes: 0, size: entry.size };
      const entryPath = entry.path;
      const decoder = new RecordDecoder(`${source}: entry ${entryPath}`);
      try {
        assertWholeRecords(entry.size, `${source}: entry ${entryPath}`);
      } catch (error) {
        fail(error as Error);
        return;
      }
      entry.on('data', (chunk: Buffer) => {
        if (current) current.bytes += chunk.length;
        try {
          for (const record of decoder.push(chunk)) {
            if (!records.push({ ...record, split })) input.pause();
          }
        } catch (error) {
          fail(error as Error);
        }
      });
      entry.on('end', () => {
        // A truncated body ends early; the parser reports it, and the decoder names the record.
        if (current?.path === entryPath && current.bytes === current.size) current = undefined;
        try {
          decoder.end();
        } catch (error) {
          fail(error as Error);
        }
      });
    },
  });
  parser.on('error', (error: Error) => {
    fail(
      new CorruptArchiveError(
        `archive ${source} is corrupt or truncated ${where()} (${compressedBytes} compressed bytes read): ${error.message}`,
      ),
    );
  });
  parser.on('end', () => {
    if (records.destroyed) return;
    const missing = splits.filter((split) => !seen.has(split));
    if (missing.length) {
      const found = entryNames.length ? entryNames.join(', ') : 'none';
      fail(
        new MissingSplitError(
          `archive ${source} has no ${missing.map((s) => `${s}.bin`).join(' or ')} entry (entries: ${found})`,
        ),
      );
      return;
    }
    records.push(null);
  });
  input.on('data', (chunk: Buffer) => {
    compressedBytes += chunk.length;
    onProgress?.(compressedBytes, size);
    parser.write(chunk);
  });
  input.on('end', () => parser.end());
  input.on('error', (error) =>
    fail(new CorruptArchiveError(`reading ${source} failed ${where()}: ${error.message}`)),
  );

  try {
    for await (const record of records) yield record as SplitRecord;
  } finally {
    input.destroy();
  }
}
