/**
 * Reads a channel pair of the algorithm's image format from S3: the `.lst` files under the
 * `<name>_lst` prefix (`<index>\t<class>\t<path relative to the image channel>`) and every image
 * they name under the `<name>` prefix, decoded to the local network's 32x32 RGB input (any size or
 * format sharp reads is resized, as the algorithm resizes to image_shape).
 */
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { forEachConcurrent } from '../../../../training/concurrency.ts';
import { emptyLabeledImages, type LabeledImages } from '../../../../training/labeled-images.ts';
import { type ManifestLine, parseManifest } from '../../../../training/staged-dataset.ts';
import { TrainingFailure } from '../errors.ts';

const SIDE = 32;

function location(uri: string): { bucket: string; prefix: string } {
  const match = /^(?:s3|https):\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new TrainingFailure(`ClientError: ${uri} is not an S3 URI`);
  return { bucket: match[1] as string, prefix: match[2] as string };
}

async function getBytes(s3: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<Uint8Array> {
  const response = await s3
    .send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal })
    .catch((error: Error) => {
      if (signal.aborted) throw signal.reason;
      throw new TrainingFailure(
        `ClientError: Data download failed: s3://${bucket}/${key}: ${error.name}: ${error.message}`,
      );
    });
  if (!response.Body)
    throw new TrainingFailure(`ClientError: Data download failed: s3://${bucket}/${key} is empty`);
  return response.Body.transformToByteArray();
}

async function decode(bytes: Uint8Array, name: string): Promise<Buffer> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error' })
      .removeAlpha()
      .toColourspace('srgb')
      .resize(SIDE, SIDE, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return data;
  } catch (error) {
    throw new TrainingFailure(`ClientError: ${name} is not a readable image: ${(error as Error).message}`);
  }
}

async function readManifests(
  s3: S3Client,
  channel: string,
  uri: string,
  signal: AbortSignal,
): Promise<{ lines: ManifestLine[]; source: string }> {
  const { bucket, prefix } = location(uri);
  const keys: string[] = [];
  for await (const listed of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of listed.Contents ?? []) if (object.Key?.endsWith('.lst')) keys.push(object.Key);
  }
  if (keys.length === 0)
    throw new TrainingFailure(`ClientError: No .lst file found in channel ${channel} (${uri}).`);
  const lines: ManifestLine[] = [];
  for (const key of keys.sort()) {
    const text = new TextDecoder().decode(await getBytes(s3, bucket, key, signal));
    try {
      lines.push(...parseManifest(text, `s3://${bucket}/${key}`));
    } catch (error) {
      throw new TrainingFailure(`ClientError: ${(error as Error).message}`);
    }
  }
  return { lines, source: keys.map((key) => `s3://${bucket}/${key}`).join(', ') };
}

export interface ChannelPair {
  name: 'train' | 'validation';
  imagesUri: string;
  manifestUri: string | undefined;
}

/** The images of a channel, labelled by its `.lst`; `classes` is num_classes. */
export async function readChannel(
  s3: S3Client,
  pair: ChannelPair,
  classes: number,
  signal: AbortSignal,
): Promise<LabeledImages> {
  if (!pair.manifestUri) {
    throw new TrainingFailure(
      `ClientError: The ${pair.name}_lst channel is required with ${pair.name} images (application/x-image): ` +
        'it lists each image with its class.',
    );
  }
  const { lines, source } = await readManifests(s3, `${pair.name}_lst`, pair.manifestUri, signal);
  const names: string[] = Array.from({ length: classes }, (_, i) => `class${i}`);
  lines.forEach((line, i) => {
    if (line.classIndex >= classes) {
      throw new TrainingFailure(
        `ClientError: ${source} line ${i + 1}: class ${line.classIndex} is out of range for num_classes=${classes}.`,
      );
    }
    const folder = line.path.includes('/') ? line.path.split('/')[0] : undefined;
    if (folder && names[line.classIndex] === `class${line.classIndex}`) names[line.classIndex] = folder;
  });
  const set = emptyLabeledImages(lines.length, names);
  const { bucket, prefix } = location(pair.imagesUri);
  await forEachConcurrent(lines, 16, async (line, i) => {
    if (signal.aborted) throw signal.reason;
    const key = `${prefix}${line.path}`;
    set.pixels.set(
      await decode(await getBytes(s3, bucket, key, signal), `s3://${bucket}/${key}`),
      i * SIDE * SIDE * 3,
    );
    set.labels[i] = line.classIndex;
    set.names[i] = line.path;
  });
  return set;
}
