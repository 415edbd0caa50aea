/**
 * The image of a review item, for the page: read from S3 within the Lambda's own byte limit, its
 * format told by its bytes (sharp), passed through when a browser shows it, else converted to PNG.
 * Whatever is wrong (gone, not an image, too large) comes back as a named reason, not a crash.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { readObjectWithinLimit } from '../../lambdas/serialize-image-data/read-object.ts';
import { DEFAULT_IMAGE_LIMITS } from '../../lambdas/serialize-image-data/serialize.ts';

/** Formats every browser decodes; others sharp can read (TIFF, HEIF) are converted. */
const BROWSER_FORMATS: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

export interface DisplayImage {
  body: Buffer;
  contentType: string;
}

export type ImageProblem = 'image_missing' | 'not_an_image' | 'image_too_large' | 'image_unreadable';

export class ImageUnavailable extends Error {
  override name = 'ImageUnavailable';
  readonly problem: ImageProblem;
  constructor(problem: ImageProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

const PROBLEM_OF_ERROR: Record<string, ImageProblem> = {
  ImageNotFound: 'image_missing',
  BucketNotFound: 'image_missing',
  ImageTooLarge: 'image_too_large',
  AccessDenied: 'image_unreadable',
};

export async function displayImage(s3: S3Client, bucket: string, key: string): Promise<DisplayImage> {
  let bytes: Buffer;
  try {
    bytes = await readObjectWithinLimit(s3, { bucket, key }, DEFAULT_IMAGE_LIMITS.maxBytes);
  } catch (error) {
    const problem = PROBLEM_OF_ERROR[(error as Error).name];
    if (problem) throw new ImageUnavailable(problem, (error as Error).message);
    throw error;
  }
  const source = `s3://${bucket}/${key}`;
  let format: string | undefined;
  try {
    format = (await sharp(bytes, { limitInputPixels: DEFAULT_IMAGE_LIMITS.maxPixels }).metadata()).format;
  } catch (error) {
    throw new ImageUnavailable(
      'not_an_image',
      `${source} is not a decodable image: ${(error as Error).message}`,
    );
  }
  const browserType = BROWSER_FORMATS[format];
  if (browserType) return { body: bytes, contentType: browserType };
  try {
    const png = await sharp(bytes, { limitInputPixels: DEFAULT_IMAGE_LIMITS.maxPixels }).png().toBuffer();
    return { body: png, contentType: 'image/png' };
  } catch (error) {
    throw new ImageUnavailable(
      'not_an_image',
      `${source} (${format}) cannot be shown: ${(error as Error).message}`,
    );
  }
}
