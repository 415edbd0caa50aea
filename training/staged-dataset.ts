/**
 * Reads a staged split back from S3 for training: the split's `.lst` manifest, then every PNG it
 * names (concurrently), decoded into the in-memory LabeledImages form.
 *
 *   const validation = await loadStagedSplit(s3, 'scones-images', 'datasets/cifar-100', 'validation');
 *   // validation.pixels: Uint8Array NHWC (count x 32 x 32 x 3), validation.labels: Int32Array
 *
 * Class names come from the first folder of each manifest path (`bicycle/...png` -> class name
 * of that line's class index).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PIXEL_BYTES } from './cifar-records.ts';
import { forEachConcurrent } from './concurrency.ts';
import { emptyLabeledImages, type LabeledImages } from './labeled-images.ts';
import { decodeToRgb } from './png.ts';
import { StagingError } from './s3-objects.ts';
import { channelPrefix, manifestKey, normalizePrefix, type StagedSplit } from './staged-layout.ts';

export interface ManifestLine {
  index: number;
  classIndex: number;
  path: string;
}

/** Parses a SageMaker `.lst` (index, class, relative path; tab-separated); `name` goes into errors. */
export function parseManifest(text: string, name: string): ManifestLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const [index, classIndex, path, ...rest] = line.split('\t');
      if (!/^\d+$/.test(index ?? '') || !/^\d+(\.0+)?$/.test(classIndex ?? '') || !path || rest.length) {
        throw new StagingError(`${name} line ${i + 1} is not "<index>\\t<class>\\t<relative path>": ${line}`);
      }
      return { index: Number(index), classIndex: Number(classIndex), path: path.trim() };
    });
}

async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch((error: Error) => {
    throw new StagingError(`cannot read s3://${bucket}/${key}: ${error.name}: ${error.message}`);
  });
  if (!response.Body) throw new StagingError(`s3://${bucket}/${key} has no body`);
  return response.Body.transformToByteArray();
}

export async function loadStagedSplit(
  s3: S3Client,
  bucket: string,
  prefix: string,
  split: StagedSplit,
  options: { concurrency?: number } = {},
): Promise<LabeledImages> {
  const base = normalizePrefix(prefix);
  const listKey = manifestKey(base, split);
  const lines = parseManifest(
    new TextDecoder().decode(await getBytes(s3, bucket, listKey)),
    `s3://${bucket}/${listKey}`,
  );
  const classNames: string[] = [];
  for (const line of lines)
    classNames[line.classIndex] ??= line.path.split('/')[0] ?? `class${line.classIndex}`;
  const set = emptyLabeledImages(
    lines.length,
    Array.from(classNames, (name, i) => name ?? `class${i}`),
  );
  await forEachConcurrent(lines, options.concurrency ?? 16, async (line, i) => {
    const key = `${channelPrefix(base, split)}${line.path}`;
    set.pixels.set(
      await decodeToRgb(await getBytes(s3, bucket, key), `s3://${bucket}/${key}`),
      i * PIXEL_BYTES,
    );
    set.labels[i] = line.classIndex;
    set.names[i] = line.path;
  });
  return set;
}
