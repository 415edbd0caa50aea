/**
 * The images a load run draws from: the staged test split (its `.lst` manifest and PNGs in the
 * target's bucket), so each image's true label is known. The PNGs are read once; their pixels
 * are decoded only when a drift needs them.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { IMAGE_SIDE } from '../../training/cifar-records.ts';
import { forEachConcurrent } from '../../training/concurrency.ts';
import { decodeToRgb } from '../../training/png.ts';
import { parseManifest } from '../../training/staged-dataset.ts';
import { channelPrefix, manifestKey, type StagedSplit } from '../../training/staged-layout.ts';
import { CLASS_LABELS } from '../workflow/types.ts';
import type { RawImage } from './drift.ts';

export interface SourceImage {
  /** Where it is staged, e.g. `datasets/cifar-100/test/bicycle/bike_s_000658.png`. */
  key: string;
  /** True label (CLASS_LABELS), from the manifest's class index. */
  label: string;
  png: Buffer;
  /** 32x32 interleaved RGB; present when loaded with `decode`. */
  raw?: RawImage;
}

export class SourceImagesError extends Error {
  override name = 'SourceImagesError';
}

async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await response.Body?.transformToByteArray()) ?? []);
}

/**
 * The test split staged under `datasetPrefix` in `bucket`. A missing manifest is a
 * SourceImagesError that says how to stage (`stageHint`).
 */
export function loadTestSplit(
  s3: S3Client,
  bucket: string,
  datasetPrefix: string,
  options: { decode?: boolean; stageHint?: string } = {},
): Promise<SourceImage[]> {
  return loadStagedSplit(s3, bucket, datasetPrefix, 'test', options);
}

/** One staged split (`train`, `validation`, `test`), as loadTestSplit reads the test split. */
export async function loadStagedSplit(
  s3: S3Client,
  bucket: string,
  datasetPrefix: string,
  split: StagedSplit,
  options: { decode?: boolean; stageHint?: string } = {},
): Promise<SourceImage[]> {
  const manifest = manifestKey(datasetPrefix, split);
  let text: string;
  try {
    text = (await getObject(s3, bucket, manifest)).toString('utf8');
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'NoSuchKey' && name !== 'NoSuchBucket') throw error;
    throw new SourceImagesError(
      `no staged ${split} split at s3://${bucket}/${manifest}: ${options.stageHint ?? 'stage the data first (scones stage)'}`,
    );
  }
  const lines = parseManifest(text, `s3://${bucket}/${manifest}`);
  if (lines.length === 0) throw new SourceImagesError(`s3://${bucket}/${manifest} lists no images`);
  const images: SourceImage[] = new Array(lines.length);
  await forEachConcurrent(lines, 16, async (line, i) => {
    const key = `${channelPrefix(datasetPrefix, split)}${line.path}`;
    const png = await getObject(s3, bucket, key);
    const image: SourceImage = {
      key,
      label: CLASS_LABELS[line.classIndex] ?? `class${line.classIndex}`,
      png,
    };
    if (options.decode) {
      image.raw = {
        rgb: await decodeToRgb(png, `s3://${bucket}/${key}`),
        width: IMAGE_SIDE,
        height: IMAGE_SIDE,
      };
    }
    images[i] = image;
  });
  return images;
}
