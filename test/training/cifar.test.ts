import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CIFAR100_FINE_LABELS,
  CorruptArchiveError,
  type LabeledRecord,
  MissingSplitError,
  type ReadOptions,
  RecordFormatError,
  readCifar,
  readSplit,
  SHIPPED_SUBSET,
  UnknownClassError,
} from '../../training/cifar.ts';
import { RECORD_BYTES } from '../../training/cifar-records.ts';
import { buildArchive, serveFile, syntheticRecords } from './cifar-fixtures.ts';

async function collect(source: string, options?: ReadOptions): Promise<LabeledRecord[]> {
  const records: LabeledRecord[] = [];
  for await (const record of readCifar(source, options)) records.push(record);
  return records;
}

function countBy<T>(items: readonly T[], key: (item: T) => string | number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'scones-cifar-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('CIFAR-100 reader on the shipped subset', () => {
  it('reads 1000 train and 200 test records, 500/100 per class, fine labels 8 and 48 only', async () => {
    const records = await collect(SHIPPED_SUBSET, { strictLabels: true });
    expect(countBy(records, (r) => `${r.split}/${r.className}`)).toEqual({
      'train/bicycle': 500,
      'train/motorcycle': 500,
      'test/bicycle': 100,
      'test/motorcycle': 100,
    });
    expect(new Set(records.map((r) => r.fineLabel))).toEqual(new Set([8, 48]));
    expect(new Set(records.map((r) => r.coarseLabel))).toEqual(new Set([18]));
    expect(records.every((r) => r.classIndex === (r.fineLabel === 8 ? 0 : 1))).toBe(true);
    expect(records.every((r) => r.pixels.length === 3072)).toBe(true);
  });

  it('takes original names and official indices from the index TSV', async () => {
    const tsv = (await readFile(join(SHIPPED_SUBSET, 'test.index.tsv'), 'utf8')).trim().split('\n');
    const records = await collect(SHIPPED_SUBSET, { splits: ['test'] });
    expect(records).toHaveLength(tsv.length);
    records.forEach((record, i) => {
      const [row, fine, name] = (tsv[i] as string).split('\t');
      expect([record.sourceIndex, record.fineLabel, record.fileName]).toEqual([
        Number(row),
        Number(fine),
        name,
      ]);
      expect(record.index).toBe(i);
    });
  });

  it('returns pixels exactly as stored: R, G, B planes after the two label bytes', async () => {
    const bytes = await readFile(join(SHIPPED_SUBSET, 'train.bin'));
    const records = await collect(SHIPPED_SUBSET, { splits: ['train'] });
    for (const n of [0, 417, 999]) {
      const at = n * RECORD_BYTES;
      expect(records[n]?.fineLabel).toBe(bytes[at + 1]);
      expect(Buffer.from(records[n]?.pixels ?? []).equals(bytes.subarray(at + 2, at + RECORD_BYTES))).toBe(
        true,
      );
    }
  });

  it('knows the fine label names (8 bicycle, 48 motorcycle)', () => {
    expect(CIFAR100_FINE_LABELS).toHaveLength(100);
    expect(CIFAR100_FINE_LABELS[8]).toBe('bicycle');
    expect(CIFAR100_FINE_LABELS[48]).toBe('motorcycle');
  });

  it('holds out a stratified, seeded validation split disjoint from train', async () => {
    const [train, validation, again] = await Promise.all([
      readSplit(SHIPPED_SUBSET, 'train'),
      readSplit(SHIPPED_SUBSET, 'validation'),
      readSplit(SHIPPED_SUBSET, 'validation'),
    ]);
    expect([train.count, validation.count]).toEqual([900, 100]);
    expect(countBy([...validation.labels], (label) => label)).toEqual({ 0: 50, 1: 50 });
    expect(again.names).toEqual(validation.names);
    expect(train.names.filter((name) => validation.names.includes(name))).toEqual([]);
    const otherSeed = await readSplit(SHIPPED_SUBSET, 'validation', { seed: 7 });
    expect(otherSeed.names).not.toEqual(validation.names);
    expect(validation.pixels).toHaveLength(100 * 32 * 32 * 3);
  });
});

describe('CIFAR-100 reader errors', () => {
  it('names file, record number and bytes seen for a record of the wrong size', async () => {
    const file = join(directory, 'short-train.bin');
    await writeFile(file, Buffer.concat([syntheticRecords([8, 48]), Buffer.alloc(1000)]));
    await expect(collect(file, { splits: ['train'] })).rejects.toThrow(
      new RecordFormatError(
        `${file}: 7148 bytes is not a whole number of 3074-byte CIFAR-100 records; record 2 would have 1000 bytes`,
      ),
    );
  });

  it('names the fine label and record number of an unknown class when labels are strict', async () => {
    const file = join(directory, 'train.bin');
    await writeFile(file, syntheticRecords([8, 48, 8, 13, 48]));
    await expect(collect(file, { splits: ['train'], strictLabels: true })).rejects.toThrow(UnknownClassError);
    await expect(collect(file, { splits: ['train'], strictLabels: true })).rejects.toThrow(
      /train record 3 of .*train\.bin has fine label 13 \(bus\)/,
    );
    const lenient = await collect(file, { splits: ['train'] });
    expect(lenient.map((r) => r.index)).toEqual([0, 1, 2, 4]);
  });

  it('selects other classes by label or name, in the order given', async () => {
    const file = join(directory, 'train.bin');
    await writeFile(file, syntheticRecords([8, 13, 48, 13]));
    const records = await collect(file, { splits: ['train'], classes: ['bus', 8] });
    expect(records.map((r) => [r.index, r.classIndex, r.className])).toEqual([
      [0, 1, 'bicycle'],
      [1, 0, 'bus'],
      [3, 0, 'bus'],
    ]);
  });

  it('rejects labels outside CIFAR-100 (e.g. a CIFAR-10 file) with the record number', async () => {
    const file = join(directory, 'train.bin');
    const bytes = syntheticRecords([8, 48, 8]);
    bytes[RECORD_BYTES + 1] = 140;
    await writeFile(file, bytes);
    await expect(collect(file, { splits: ['train'] })).rejects.toThrow(
      /record 1 \(byte 3074\).*fine label 140/,
    );
  });

  it('reports a missing split', async () => {
    const only = join(directory, 'only-train');
    await buildArchive(directory, { train: syntheticRecords([8]) }, 'no-test.tar.gz');
    await expect(collect(join(directory, 'no-test.tar.gz'))).rejects.toThrow(MissingSplitError);
    await expect(collect(join(directory, 'no-test.tar.gz'))).rejects.toThrow(/has no test\.bin entry/);
    await expect(collect(only)).rejects.toThrow(/does not exist/);
  });
});

describe('CIFAR-100 reader on a cifar-100-binary.tar.gz', () => {
  let archive: string;
  let expected: LabeledRecord[];
  beforeAll(async () => {
    archive = await buildArchive(directory, {
      train: join(SHIPPED_SUBSET, 'train.bin'),
      test: join(SHIPPED_SUBSET, 'test.bin'),
    });
    expected = await collect(SHIPPED_SUBSET);
  });

  const comparable = (records: LabeledRecord[]) =>
    records
      .map((r) => `${r.split}:${r.index}:${r.fineLabel}:${Buffer.from(r.pixels).toString('base64')}`)
      .sort();

  it('streams the same records as the .bin files, from a path', async () => {
    const records = await collect(archive);
    expect(records).toHaveLength(1200);
    expect(comparable(records)).toEqual(comparable(expected));
  });

  it('streams from an http URL', async () => {
    const server = await serveFile(archive, 'cifar-100-binary.tar.gz');
    try {
      const records = await collect(server.url, { splits: ['test'] });
      expect(countBy(records, (r) => r.className)).toEqual({ bicycle: 100, motorcycle: 100 });
      await expect(collect(server.url.replace('cifar-100', 'nothing'))).rejects.toThrow(/answered 404/);
    } finally {
      await server.stop();
    }
  });

  it('names the entry and byte offset when a download breaks off', async () => {
    const bytes = await readFile(archive);
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-length': String(bytes.length) });
      response.write(bytes.subarray(0, 1_500_000), () => response.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const error = await collect(`http://127.0.0.1:${port}/cifar-100-binary.tar.gz`).catch((e: Error) => e);
      expect(error).toBeInstanceOf(CorruptArchiveError);
      expect((error as Error).message).toMatch(
        /failed in entry cifar-100-binary\/train\.bin at byte \d+ of 3074000/,
      );
    } finally {
      server.close();
    }
  });

  it('says when a file is not a gzip/tar archive at all', async () => {
    const file = join(directory, 'not-an-archive.tar.gz');
    await writeFile(file, 'plain text, not an archive\n'.repeat(50));
    await expect(collect(file)).rejects.toThrow(
      /not-an-archive\.tar\.gz is corrupt or truncated before the first entry/,
    );
  });

  it('names the entry and byte offset of a truncated archive', async () => {
    const cut = join(directory, 'truncated.tar.gz');
    await writeFile(cut, await readFile(archive));
    const size = (await readFile(archive)).length;
    await truncate(cut, Math.floor(size * 0.6));
    const error = await collect(cut).catch((e: Error) => e);
    expect(error).toBeInstanceOf(CorruptArchiveError);
    expect((error as Error).message).toMatch(
      /truncated\.tar\.gz is corrupt or truncated in entry cifar-100-binary\/train\.bin at byte \d+ of 3074000/,
    );
  });

  it('names the problem of a corrupt archive: failed gzip checksum', async () => {
    const bytes = await readFile(archive);
    bytes.writeUInt32LE((bytes.readUInt32LE(bytes.length - 8) ^ 0xffff) >>> 0, bytes.length - 8); // the CRC-32 trailer
    const corrupt = join(directory, 'bad-crc.tar.gz');
    await writeFile(corrupt, bytes);
    const error = await collect(corrupt).catch((e: Error) => e);
    expect(error).toBeInstanceOf(CorruptArchiveError);
    expect((error as Error).message).toMatch(
      /bad-crc\.tar\.gz is corrupt or truncated .*compressed bytes read.*check/,
    );
  });

  it('fails on garbled compressed data, naming entry and record', async () => {
    const bytes = await readFile(archive);
    bytes.fill(0x55, 200_000, 200_400);
    const corrupt = join(directory, 'garbled.tar.gz');
    await writeFile(corrupt, bytes);
    const error = await collect(corrupt).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /garbled\.tar\.gz.*(entry cifar-100-binary\/\w+\.bin|compressed bytes read)/,
    );
  });

  it('reports an archive entry of the wrong size with its name', async () => {
    const bad = await buildArchive(
      directory,
      { train: syntheticRecords([8]), test: Buffer.alloc(3073 * 2) },
      'cifar10-like.tar.gz',
    );
    await expect(collect(bad)).rejects.toThrow(
      /entry cifar-100-binary\/test\.bin: 6146 bytes .* record 1 would have 3072 bytes \(a multiple of 3073: CIFAR-10/,
    );
  });
});
