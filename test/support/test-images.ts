/**
 * The 200 shipped CIFAR-100 test images (bicycle and motorcycle) as PNGs, and inputs that must
 * fail, written to any S3: what the parity test and the emulator benchmark classify on both tiers.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { imageName, readCifar, SHIPPED_SUBSET } from '../../training/cifar.ts';
import { forEachConcurrent } from '../../training/concurrency.ts';
import { encodePlanesAsPng } from '../../training/png.ts';

export interface TestImage {
  key: string;
  label: string;
  png: Buffer;
}

export async function shippedTestImages(prefix = 'parity/'): Promise<TestImage[]> {
  const images: TestImage[] = [];
  for await (const record of readCifar(SHIPPED_SUBSET, { splits: ['test'] })) {
    images.push({
      key: `${prefix}${imageName(record)}`,
      label: record.className,
      png: await encodePlanesAsPng(record.pixels),
    });
  }
  return images;
}

/** Objects that are not images, and a key that is not there: each must fail with a named error. */
export function badInputs(prefix = 'parity/bad/') {
  return {
    notAnImage: { key: `${prefix}not-an-image.png`, body: Buffer.from('this is text, not a PNG') },
    truncated: {
      key: `${prefix}truncated.png`,
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]),
    },
    missingKey: `${prefix}missing.png`,
  };
}

export async function uploadAll(
  s3: S3Client,
  bucket: string,
  objects: { key: string; body: Uint8Array }[],
): Promise<void> {
  await forEachConcurrent(objects, 16, async ({ key, body }) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'image/png' }));
  });
}
