/**
 * CIFAR-100 reader: the official binary record format, from the shipped subset, a `.bin` file or
 * the full official `cifar-100-binary.tar.gz` (path or http(s) URL, streamed).
 *
 * API (stage.ts and the trainer use these):
 * - `readCifar(source?, options?)`: AsyncGenerator<LabeledRecord>. Records of the selected classes
 *   in file order, with `split`, `classIndex`, `className`, `sourceIndex` (row in the official
 *   file) and `fileName` (original PNG name, when an index TSV is next to the .bin).
 *   `source`: a directory holding `<split>.bin` (+ optional `<split>.index.tsv`; default
 *   `data/cifar-100-bicycle-motorcycle`), a `.bin` file, a `.tar.gz`/`.tgz` path or an http(s) URL.
 *   `options`: `{ splits = ['train', 'test'], classes = [8, 48], strictLabels = false, onProgress }`.
 * - `readSplit(source?, 'train' | 'validation' | 'test', options?)`: Promise<LabeledImages> in memory
 *   (NHWC uint8 + labels). `train`/`validation` are the same hold-out that `stageDataset` stages
 *   (same `validationFraction` and `seed`), so in-memory training matches the staged data.
 * - `holdOutValidation`, `resolveClasses`, `CIFAR100_FINE_LABELS`, error classes: re-exported.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ByteProgress, type CifarSplit, readArchiveSplits, type SplitRecord } from './cifar-archive.ts';
import { classLookup, resolveClasses } from './cifar-classes.ts';
import { CifarSourceError, MissingSplitError, RecordFormatError } from './cifar-errors.ts';
import { assertWholeRecords, type CifarRecord, RecordDecoder } from './cifar-records.ts';
import { isArchive } from './cifar-source.ts';
import { DEFAULT_SEED, DEFAULT_VALIDATION_FRACTION, holdOutValidation } from './holdout.ts';
import { type LabeledImages, labeledImagesFromPlanes } from './labeled-images.ts';

export type { CifarSplit } from './cifar-archive.ts';
export {
  CIFAR100_FINE_LABELS,
  type ClassDefinition,
  DEFAULT_CLASSES,
  resolveClasses,
} from './cifar-classes.ts';
export * from './cifar-errors.ts';
export type { CifarRecord } from './cifar-records.ts';
export { holdOutValidation } from './holdout.ts';
export type { LabeledImages } from './labeled-images.ts';

/** The subset committed with the project: every bicycle and motorcycle record of CIFAR-100. */
export const SHIPPED_SUBSET = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../data/cifar-100-bicycle-motorcycle',
);

export interface ReadOptions {
  splits?: readonly CifarSplit[];
  /** Fine labels or names, in class-index order. Default: 8 bicycle, 48 motorcycle. */
  classes?: ReadonlyArray<number | string>;
  /** Fail on a record of another class instead of skipping it (for files that should hold only those). */
  strictLabels?: boolean;
  /** Bytes read from an archive source, for a progress bar. */
  onProgress?: ByteProgress;
}

export interface LabeledRecord extends CifarRecord {
  split: CifarSplit;
  classIndex: number;
  className: string;
  /** Row of the record in the official CIFAR-100 file (from the index TSV when there is one). */
  sourceIndex: number;
  /** Original image name from the index TSV, e.g. `bike_s_000658.png`. */
  fileName: string | undefined;
}

export async function* readCifar(
  source: string = SHIPPED_SUBSET,
  options: ReadOptions = {},
): AsyncGenerator<LabeledRecord> {
  const splits = options.splits ?? ['train', 'test'];
  const classOf = classLookup(resolveClasses(options.classes), options.strictLabels);
  const raw: AsyncGenerator<LocalRecord> = isArchive(source)
    ? readArchiveSplits(source, splits, options.onProgress)
    : readLocalSplits(source, splits);
  for await (const record of raw) {
    const label = classOf(record.fineLabel, `${record.split} record ${record.index} of ${source}`);
    if (!label) continue;
    yield {
      ...record,
      classIndex: label.classIndex,
      className: label.name,
      sourceIndex: record.sourceIndex ?? record.index,
      fileName: record.fileName ?? undefined,
    } satisfies LabeledRecord;
  }
}

export interface ReadSplitOptions extends Omit<ReadOptions, 'splits'> {
  validationFraction?: number;
  seed?: string | number;
}

/** One split in memory; `validation` is held out of `train` exactly as staging does. */
export async function readSplit(
  source: string = SHIPPED_SUBSET,
  split: CifarSplit | 'validation',
  options: ReadSplitOptions = {},
): Promise<LabeledImages> {
  const records: LabeledRecord[] = [];
  for await (const record of readCifar(source, {
    ...options,
    splits: [split === 'test' ? 'test' : 'train'],
  })) {
    records.push(record);
  }
  const chosen =
    split === 'test'
      ? records
      : holdOutValidation(
          records,
          options.validationFraction ?? DEFAULT_VALIDATION_FRACTION,
          options.seed ?? DEFAULT_SEED,
        )[split];
  const classNames = resolveClasses(options.classes).map((c) => c.name);
  return labeledImagesFromPlanes(
    chosen.map((r) => ({ pixels: r.pixels, classIndex: r.classIndex, name: imageName(r) })),
    classNames,
  );
}

/** Readable relative image path: `<class>/<original name>` or `<class>/<official index>.png`. */
export function imageName(record: Pick<LabeledRecord, 'className' | 'fileName' | 'sourceIndex'>): string {
  return `${record.className}/${record.fileName ?? `${record.sourceIndex}.png`}`;
}

type LocalRecord = SplitRecord & { sourceIndex?: number; fileName?: string };

/** A directory of `<split>.bin` files, or one `.bin` file (its split from its name, else the one requested). */
async function* readLocalSplits(source: string, splits: readonly CifarSplit[]): AsyncGenerator<LocalRecord> {
  const info = await stat(source).catch(() => {
    throw new CifarSourceError(
      `CIFAR source ${source} does not exist (expected a directory, .bin, .tar.gz or URL)`,
    );
  });
  for (const split of splits) {
    const file = info.isDirectory() ? join(source, `${split}.bin`) : binFileFor(source, split, splits);
    yield* readBinFile(file, split);
  }
}

function binFileFor(file: string, split: CifarSplit, splits: readonly CifarSplit[]): string {
  const named = /(train|test)\.bin$/.exec(basename(file))?.[1];
  if (named === split || (!named && splits.length === 1)) return file;
  throw new MissingSplitError(
    `${file} holds ${named ? `the ${named} split` : 'one split'}; it has no ${split} split`,
  );
}

async function* readBinFile(file: string, split: CifarSplit): AsyncGenerator<LocalRecord> {
  const info = await stat(file).catch(() => {
    throw new MissingSplitError(`no ${split} split: ${file} does not exist`);
  });
  assertWholeRecords(info.size, file);
  const index = await readIndexTsv(file.replace(/\.bin$/, '.index.tsv'));
  const decoder = new RecordDecoder(file);
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    for (const record of decoder.push(chunk as Buffer)) {
      const row = index?.[record.index];
      if (index && (!row || row.fineLabel !== record.fineLabel)) {
        throw new RecordFormatError(
          `${file}: record ${record.index} has fine label ${record.fineLabel} but its index TSV line ${record.index + 1} ` +
            `says ${row ? row.fineLabel : 'nothing (too few lines)'}`,
        );
      }
      yield { ...record, split, sourceIndex: row?.sourceIndex, fileName: row?.fileName };
    }
  }
  decoder.end();
  if (index && index.length !== decoder.recordsDecoded) {
    throw new RecordFormatError(
      `${file}: ${decoder.recordsDecoded} records but its index TSV has ${index.length} lines`,
    );
  }
}

interface IndexRow {
  sourceIndex: number;
  fineLabel: number;
  fileName: string;
}

/** `<official row>\t<fine label>\t<file name>` per record, same order; absent file means no names. */
async function readIndexTsv(path: string): Promise<IndexRow[] | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const [row, fine, fileName] = line.split('\t');
      if (!/^\d+$/.test(row ?? '') || !/^\d+$/.test(fine ?? '') || !fileName || /[/\\]/.test(fileName)) {
        throw new RecordFormatError(
          `${path} line ${i + 1} is not "<index>\\t<fine label>\\t<file name>": ${line}`,
        );
      }
      return { sourceIndex: Number(row), fineLabel: Number(fine), fileName: fileName.trim() };
    });
}
