/**
 * The in-memory form of a split that a trainer consumes: NHWC uint8 pixels (the layout of
 * `tf.tensor4d(Float32Array.from(pixels), [count, 32, 32, 3])`) and one class index per image.
 * Produced by `readSplit` (cifar.ts, from .bin/.tar.gz) and `loadStagedSplit` (staged-dataset.ts,
 * from S3). For training/dataset.ts's float ImageSet:
 * `{ pixels: Float32Array.from(set.pixels), labels: set.labels, count: set.count }`.
 */
import { IMAGE_SIDE, PIXEL_BYTES, planesToInterleaved } from './cifar-records.ts';

export interface LabeledImages {
  count: number;
  height: number;
  width: number;
  channels: number;
  /** count x 32 x 32 x 3 bytes, image after image, each row-major with interleaved R, G, B. */
  pixels: Uint8Array;
  /** Class index (0 .. classNames.length - 1) per image. */
  labels: Int32Array;
  classNames: string[];
  /** Per image, a readable name (relative path of its PNG). */
  names: string[];
}

export function emptyLabeledImages(count: number, classNames: string[]): LabeledImages {
  return {
    count,
    height: IMAGE_SIDE,
    width: IMAGE_SIDE,
    channels: 3,
    pixels: new Uint8Array(count * PIXEL_BYTES),
    labels: new Int32Array(count),
    classNames,
    names: new Array<string>(count).fill(''),
  };
}

/** Builds an LabeledImages from records whose pixels are CIFAR planes (CHW). */
export function labeledImagesFromPlanes(
  items: ReadonlyArray<{ pixels: Uint8Array; classIndex: number; name: string }>,
  classNames: string[],
): LabeledImages {
  const set = emptyLabeledImages(items.length, classNames);
  items.forEach((item, i) => {
    planesToInterleaved(item.pixels, set.pixels, i * PIXEL_BYTES);
    set.labels[i] = item.classIndex;
    set.names[i] = item.name;
  });
  return set;
}
