/**
 * 32x32 RGB PNG encoding and decoding (sharp). Encoding is deterministic for a given sharp/libvips
 * build, which is what lets staging compare an MD5 with the stored ETag instead of re-uploading.
 */
import sharp from 'sharp';
import { IMAGE_SIDE, PIXEL_BYTES, planesToInterleaved } from './cifar-records.ts';

// For 32x32 images zlib level 1 is within 10 % of level 9 in size and the cheapest to encode.
const PNG_OPTIONS = { compressionLevel: 1, adaptiveFiltering: false, palette: false } as const;
const RAW = { width: IMAGE_SIDE, height: IMAGE_SIDE, channels: 3 } as const;

/** PNG of a CIFAR record's pixels (R, G, B planes). */
export function encodePlanesAsPng(planes: Uint8Array): Promise<Buffer> {
  return sharp(planesToInterleaved(planes), { raw: RAW }).png(PNG_OPTIONS).toBuffer();
}

/** Decodes a PNG (or any image sharp reads) into 32x32 interleaved RGB bytes; `name` goes into errors. */
export async function decodeToRgb(image: Uint8Array, name: string): Promise<Buffer> {
  const { data, info } = await sharp(image)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((error: Error) => {
      throw new Error(`${name} is not a decodable image: ${error.message}`);
    });
  if (info.width !== IMAGE_SIDE || info.height !== IMAGE_SIDE || data.length !== PIXEL_BYTES) {
    throw new Error(`${name} is ${info.width}x${info.height}x${info.channels}; expected 32x32 RGB`);
  }
  return data;
}
