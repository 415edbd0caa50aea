/**
 * Turns untrusted object bytes into the model's input. The format is detected from the bytes by
 * sharp (libvips), never from the key or Content-Type; whatever is accepted leaves as a 32x32 RGB PNG
 * of a few KiB, so the state payload stays far below Step Functions' 256 KiB limit. A PNG that
 * already is that (model-ready-png.ts) leaves as it came: same pixels, none of sharp's cost.
 */

import type { S3Client } from '@aws-sdk/client-s3';
import type { Metadata } from 'sharp';
import { ImageTooLarge, InvalidImage } from '../../src/workflow/errors.ts';
import type { ImageEvent, SerializedImage } from '../../src/workflow/types.ts';
import { isModelReadyPng, MODEL_READY_SIZE } from './model-ready-png.ts';
import { readObjectWithinLimit, s3Uri } from './read-object.ts';

export interface ImageLimits {
  /** Largest object, in bytes, that is downloaded at all. */
  maxBytes: number;
  /** Largest width x height that is decoded (decompression bombs declare huge sizes in tiny files). */
  maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 10 * 1024 * 1024, maxPixels: 25_000_000 };

/**
 * The model's input (image_shape 3,32,32, the CIFAR size). Resize fit `cover` with centre position:
 * the aspect ratio is kept and the edges of a non-square photo are cropped, as CIFAR images are framed
 * (object fills the square); `contain` would add bars the model never saw, `fill` would distort.
 */
export const MODEL_INPUT = { width: 32, height: 32, fit: 'cover', position: 'centre' } as const;

/** Raster formats a camera or phone produces. SVG/PDF and other decoders sharp has are refused. */
export const ACCEPTED_FORMATS: readonly string[] = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif'];

/**
 * `error` fails on truncated data and decode errors (a cut-off PNG or JPEG is refused) but not on
 * libpng/libjpeg warnings such as a non-standard sRGB profile, which are common in real photos.
 */
const FAIL_ON = 'error' as const;

export interface NormalizedImage {
  png: Buffer;
  sourceFormat: string;
  /** Source dimensions after EXIF orientation. */
  width: number;
  height: number;
}

/** sharp (libvips) is loaded when an image needs it, not with the module: a model-ready PNG never does. */
let sharpModule: Promise<typeof import('sharp')> | undefined;
async function loadSharp() {
  sharpModule ??= import('sharp');
  return (await sharpModule).default;
}

function sharpOptions(limits: ImageLimits) {
  return { failOn: FAIL_ON, limitInputPixels: limits.maxPixels, autoOrient: true };
}

async function detect(bytes: Uint8Array, source: string, limits: ImageLimits): Promise<Metadata> {
  const sharp = await loadSharp();
  try {
    // Header only, no pixels decoded: without the pixel limit, so an oversized image is reported
    // as ImageTooLarge with its dimensions below rather than as a decoder error.
    return await sharp(bytes, { ...sharpOptions(limits), limitInputPixels: false }).metadata();
  } catch (error) {
    throw new InvalidImage(`${source} is not a decodable image: ${decoderSentence(error)}`, {
      cause: error,
    });
  }
}

/**
 * sharp's own sentence of a decoder error ("Input buffer has corrupt header"), without the libvips
 * detail it appends: libvips keeps one error buffer per process, so while several images decode at
 * once (the embedded tier runs serialize concurrently) that detail can be empty or another image's.
 * The whole message stays on the error's `cause`.
 */
function decoderSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const sentence = message.split(':')[0]?.trim();
  return sentence || message;
}

/** The image as it came when it already is the model's input (within the pixel limit), else undefined. */
function asModelReady(bytes: Uint8Array, limits: ImageLimits): NormalizedImage | undefined {
  const { width, height } = MODEL_READY_SIZE;
  if (width * height > limits.maxPixels || !isModelReadyPng(bytes)) return undefined;
  const png = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { png, sourceFormat: 'png', width, height };
}

export async function normalizeImage(
  bytes: Uint8Array,
  source: string,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<NormalizedImage> {
  if (bytes.byteLength === 0) throw new InvalidImage(`${source} is empty (0 bytes)`);
  if (bytes.byteLength > limits.maxBytes) {
    throw new ImageTooLarge(`${source} is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes} bytes`);
  }
  const ready = asModelReady(bytes, limits);
  if (ready) return ready;
  const metadata = await detect(bytes, source, limits);
  if (!ACCEPTED_FORMATS.includes(metadata.format)) {
    throw new InvalidImage(
      `${source} is ${metadata.format}; accepted formats: ${ACCEPTED_FORMATS.join(', ')}`,
    );
  }
  const { width, height } = metadata.autoOrient;
  if (width * height > limits.maxPixels) {
    throw new ImageTooLarge(
      `${source} is ${width}x${height} pixels; the limit is ${limits.maxPixels} pixels`,
    );
  }
  const sharp = await loadSharp();
  try {
    const png = await sharp(bytes, sharpOptions(limits))
      .resize(MODEL_INPUT)
      .flatten({ background: '#ffffff' }) // transparent pixels become white, not black
      .toColourspace('srgb') // greyscale and CMYK become the 3 channels the model expects
      .png()
      .toBuffer();
    return { png, sourceFormat: metadata.format, width, height };
  } catch (error) {
    throw new InvalidImage(
      `${source} (${metadata.format}) could not be decoded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export interface SerializeDependencies {
  s3: S3Client;
  limits: ImageLimits;
}

export async function serializeImageData(
  deps: SerializeDependencies,
  event: ImageEvent,
): Promise<SerializedImage> {
  const location = { bucket: event.s3_bucket, key: event.s3_key };
  const bytes = await readObjectWithinLimit(deps.s3, location, deps.limits.maxBytes);
  const image = await normalizeImage(bytes, s3Uri(location), deps.limits);
  return {
    s3_bucket: event.s3_bucket,
    s3_key: event.s3_key,
    image_data: image.png.toString('base64'),
    source_format: image.sourceFormat,
    width: image.width,
    height: image.height,
  };
}
