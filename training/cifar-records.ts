/**
 * The official CIFAR-100 binary record: 1 byte coarse label, 1 byte fine label, 3072 pixel bytes
 * (1024 red, 1024 green, 1024 blue; each a 32x32 plane in row-major order). Records arrive in
 * chunks of any size (file reads, gunzip output), so the decoder carries partial records over.
 */
import { RecordFormatError } from './cifar-errors.ts';

export const IMAGE_SIDE = 32;
export const PIXELS_PER_PLANE = IMAGE_SIDE * IMAGE_SIDE;
export const PIXEL_BYTES = 3 * PIXELS_PER_PLANE;
export const RECORD_BYTES = 2 + PIXEL_BYTES;
const COARSE_LABELS = 20;
const FINE_LABELS = 100;

export interface CifarRecord {
  /** Record number in the file or archive entry it was read from, from 0. */
  index: number;
  coarseLabel: number;
  fineLabel: number;
  /** 3072 bytes: R plane, G plane, B plane (CHW), as stored in the file. */
  pixels: Uint8Array;
}

/** Checks a byte length declared up front (file size, tar entry size) before any record is used. */
export function assertWholeRecords(byteLength: number, where: string): void {
  const remainder = byteLength % RECORD_BYTES;
  if (remainder === 0) return;
  const hint =
    byteLength % (RECORD_BYTES - 1) === 0 ? ' (a multiple of 3073: CIFAR-10 records, not CIFAR-100?)' : '';
  throw new RecordFormatError(
    `${where}: ${byteLength} bytes is not a whole number of ${RECORD_BYTES}-byte CIFAR-100 records; ` +
      `record ${Math.floor(byteLength / RECORD_BYTES)} would have ${remainder} bytes${hint}`,
  );
}

export class RecordDecoder {
  readonly where: string;
  #pending: Uint8Array = new Uint8Array(0);
  #count = 0;

  constructor(where: string) {
    this.where = where;
  }

  get recordsDecoded(): number {
    return this.#count;
  }

  /** Decodes every record completed by `chunk`. */
  push(chunk: Uint8Array): CifarRecord[] {
    const bytes = this.#pending.length ? concat(this.#pending, chunk) : chunk;
    const records: CifarRecord[] = [];
    let offset = 0;
    for (; offset + RECORD_BYTES <= bytes.length; offset += RECORD_BYTES) {
      records.push(this.#decode(bytes, offset));
    }
    // Copy the tail so a large chunk is not kept alive by a few hundred bytes.
    this.#pending = bytes.slice(offset);
    return records;
  }

  /** Declares the end of input; a partial record left over is an error. */
  end(): void {
    if (this.#pending.length === 0) return;
    throw new RecordFormatError(
      `${this.where}: record ${this.#count} is cut short: ${this.#pending.length} of ${RECORD_BYTES} bytes seen ` +
        `(input ended after ${this.#count * RECORD_BYTES + this.#pending.length} bytes)`,
    );
  }

  #decode(bytes: Uint8Array, offset: number): CifarRecord {
    const index = this.#count++;
    const coarseLabel = bytes[offset] as number;
    const fineLabel = bytes[offset + 1] as number;
    if (coarseLabel >= COARSE_LABELS || fineLabel >= FINE_LABELS) {
      throw new RecordFormatError(
        `${this.where}: record ${index} (byte ${index * RECORD_BYTES}) has coarse label ${coarseLabel} and fine label ` +
          `${fineLabel}; CIFAR-100 labels are 0-19 and 0-99: not a CIFAR-100 binary file, or misaligned records`,
      );
    }
    return { index, coarseLabel, fineLabel, pixels: bytes.slice(offset + 2, offset + RECORD_BYTES) };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

/** Planes (RGB CHW) to interleaved pixels (HWC), the layout of PNG encoders and of tfjs tensors. */
export function planesToInterleaved(
  pixels: Uint8Array,
  target: Uint8Array = new Uint8Array(PIXEL_BYTES),
  targetOffset = 0,
): Uint8Array {
  for (let i = 0; i < PIXELS_PER_PLANE; i++) {
    const at = targetOffset + i * 3;
    target[at] = pixels[i] as number;
    target[at + 1] = pixels[PIXELS_PER_PLANE + i] as number;
    target[at + 2] = pixels[2 * PIXELS_PER_PLANE + i] as number;
  }
  return target;
}
