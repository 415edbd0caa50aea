/** Test images: real CIFAR-100 records from the shipped data, and crafted hostile inputs. */
import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { planesToInterleaved, RECORD_BYTES } from '../../training/cifar-records.ts';

const CIFAR_TEST_BIN = new URL('../../data/cifar-100-bicycle-motorcycle/test.bin', import.meta.url);

export interface CifarImage {
  fineLabel: number;
  /** 32x32 RGB, interleaved (what sharp's raw output gives). */
  rgb: Buffer;
}

/** Record `index` of the shipped test.bin: planar R, G, B planes turned into interleaved RGB. */
export async function readCifarRecord(index: number): Promise<CifarImage> {
  const file = await readFile(CIFAR_TEST_BIN);
  const record = file.subarray(index * RECORD_BYTES, (index + 1) * RECORD_BYTES);
  return { fineLabel: record[1] ?? -1, rgb: Buffer.from(planesToInterleaved(record.subarray(2))) };
}

export function rgbToPng(rgb: Buffer, width = 32, height = 32): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A valid 1x1 PNG whose IHDR (with a correct CRC) claims width x height: a decompression bomb's header. */
export async function pngClaimingSize(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: 'red' } })
      .png()
      .toBuffer(),
  );
  // Signature (8) + chunk length (4) + "IHDR" (4), then width and height; CRC covers type + 13 data bytes.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** Pixels that barely compress, so a few megapixels make a multi-MB file. */
export function noise(width: number, height: number, seed = 1): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    pixels[i] = state >>> 24;
  }
  return pixels;
}

export async function decodeRgb(
  png: Buffer,
): Promise<{ rgb: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height, channels: info.channels };
}
