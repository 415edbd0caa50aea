/**
 * Recognizes an object that already is the model's input: a well-formed, non-interlaced 8-bit RGB
 * PNG of exactly 32x32 pixels (what `scones stage` and `scones load` upload). Normalizing such a
 * file with sharp only re-encodes the same pixels (no resize, no alpha to flatten, already sRGB),
 * at ~1.5 ms of CPU; checked here it costs a few tens of µs, and serialize passes its bytes on.
 *
 * The check is strict so that what it accepts, sharp would decode without error to the very same
 * pixels: every chunk's CRC, the chunk order, only IHDR, pHYs (a print resolution, no effect on
 * pixels), IDAT and IEND, nothing after IEND, and the image data inflating (Adler-32 checked, no
 * trailing bytes) to exactly one valid filter byte plus 96 bytes per row. Anything else, including
 * colour profiles, gamma, transparency, EXIF orientation and text chunks, takes sharp's path, which
 * also words every error. Node's zlib does the CRC-32 and inflate; fast-png (the endpoint's
 * decoder) would skip unknown chunks and not check the Adler-32, so it cannot tell "sharp would
 * agree" apart.
 * PNG structure: https://www.w3.org/TR/png-3/ (5 Datastream structure, 11.2 Critical chunks).
 */
import { crc32, inflateSync } from 'node:zlib';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SIDE = 32;
const CHANNELS = 3;
/** Filter-type byte plus RGB samples, per row. */
const ROW_BYTES = 1 + SIDE * CHANNELS;
const IMAGE_DATA_BYTES = SIDE * ROW_BYTES;
/** IHDR: width, height, bit depth 8, colour type 2 (truecolour), compression 0, filter 0, interlace 0. */
const IHDR_LENGTH = 13;
const TRUECOLOUR = 2;
const PHYS_LENGTH = 9;
/** Largest filter type (Paeth); filter method 0 defines types 0-4. */
const MAX_FILTER_TYPE = 4;
/** Far above a 32x32 PNG's few KiB: larger files are not worth the check. */
const MAX_FILE_BYTES = 64 * 1024;

export const MODEL_READY_SIZE = { width: SIDE, height: SIDE } as const;

interface Chunk {
  type: string;
  data: Uint8Array;
}

/** The chunks after the signature, each with a correct CRC; undefined when the layout is broken. */
function readChunks(bytes: Uint8Array): Chunk[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  let offset = SIGNATURE.length;
  while (offset < bytes.byteLength) {
    if (offset + 12 > bytes.byteLength) return undefined;
    const length = view.getUint32(offset);
    const end = offset + 8 + length;
    if (end + 4 > bytes.byteLength) return undefined;
    const typeAndData = bytes.subarray(offset + 4, end);
    if (crc32(typeAndData) !== view.getUint32(end)) return undefined;
    const type = String.fromCharCode(...typeAndData.subarray(0, 4));
    chunks.push({ type, data: typeAndData.subarray(4) });
    offset = end + 4;
    if (type === 'IEND') return offset === bytes.byteLength ? chunks : undefined;
  }
  return undefined; // no IEND
}

function isModelInputHeader(data: Uint8Array): boolean {
  if (data.byteLength !== IHDR_LENGTH) return false;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return (
    view.getUint32(0) === SIDE &&
    view.getUint32(4) === SIDE &&
    data[8] === 8 &&
    data[9] === TRUECOLOUR &&
    data[10] === 0 &&
    data[11] === 0 &&
    data[12] === 0
  );
}

/** IHDR, at most one pHYs, one or more consecutive IDAT, IEND: the layout sharp writes. */
function imageDataOf(chunks: Chunk[]): Uint8Array[] | undefined {
  const [header, ...rest] = chunks;
  if (header?.type !== 'IHDR' || !isModelInputHeader(header.data)) return undefined;
  let index = 0;
  const physical = rest[index];
  if (physical?.type === 'pHYs') {
    // Unit specifier 0 (aspect ratio only) or 1 (metre), the only values PNG defines.
    if (physical.data.byteLength !== PHYS_LENGTH || (physical.data[8] ?? 2) > 1) return undefined;
    index++;
  }
  const idat: Uint8Array[] = [];
  while (rest[index]?.type === 'IDAT') idat.push((rest[index++] as Chunk).data);
  if (idat.length === 0 || rest[index]?.type !== 'IEND' || index !== rest.length - 1) return undefined;
  if ((rest[index] as Chunk).data.byteLength !== 0) return undefined;
  return idat;
}

function inflatesToImage(idat: Uint8Array[]): boolean {
  const compressed = idat.length === 1 ? (idat[0] as Uint8Array) : Buffer.concat(idat);
  let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // maxOutputLength: a stream that inflates past the image's size fails at once, cheaply.
    inflated = inflateSync(compressed, { info: true, maxOutputLength: IMAGE_DATA_BYTES + 1 }) as never;
  } catch {
    return false;
  }
  const { buffer, engine } = inflated;
  if (buffer.byteLength !== IMAGE_DATA_BYTES || engine.bytesWritten !== compressed.byteLength) return false;
  for (let row = 0; row < SIDE; row++) {
    if ((buffer[row * ROW_BYTES] as number) > MAX_FILTER_TYPE) return false;
  }
  return true;
}

/** True when `bytes` is a 32x32 8-bit RGB PNG that sharp would decode, unchanged, to the model's input. */
export function isModelReadyPng(bytes: Uint8Array): boolean {
  if (bytes.byteLength > MAX_FILE_BYTES || bytes.byteLength < SIGNATURE.length) return false;
  if (!SIGNATURE.every((byte, i) => bytes[i] === byte)) return false;
  const chunks = readChunks(bytes);
  const idat = chunks && imageDataOf(chunks);
  return idat !== undefined && inflatesToImage(idat);
}
