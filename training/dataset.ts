/**
 * Training-side image helpers: a seeded generator and shuffle, per-channel normalization, and the
 * augmentation. Images arrive as LabeledImages (NHWC bytes) from the shared CIFAR reader.
 */

export const IMAGE_SIZE = 32;
export const CHANNELS = 3;
export const IMAGE_VALUES = IMAGE_SIZE * IMAGE_SIZE * CHANNELS;

/** Mulberry32: a tiny, fast, good-enough seeded PRNG returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

export interface Normalization {
  /** Per-channel mean and standard deviation of the training pixels (0..255 scale). */
  mean: number[];
  std: number[];
}

export function channelStatistics(pixels: Uint8Array): Normalization {
  const sums = new Float64Array(CHANNELS);
  const squares = new Float64Array(CHANNELS);
  for (let i = 0; i < pixels.length; i++) {
    const value = pixels[i] as number;
    const channel = i % CHANNELS;
    sums[channel] = (sums[channel] as number) + value;
    squares[channel] = (squares[channel] as number) + value * value;
  }
  const n = pixels.length / CHANNELS;
  const mean = [...sums].map((sum) => sum / n);
  const std = [...squares].map((square, c) => Math.sqrt(square / n - (mean[c] as number) ** 2));
  return { mean, std };
}

/** NHWC bytes -> normalized floats, (value - mean) / std per channel. */
export function normalize(pixels: Uint8Array, { mean, std }: Normalization): Float32Array {
  const out = new Float32Array(pixels.length);
  const scale = std.map((s) => 1 / s);
  for (let i = 0; i < pixels.length; i++) {
    const c = i % CHANNELS;
    out[i] = ((pixels[i] as number) - (mean[c] as number)) * (scale[c] as number);
  }
  return out;
}

/**
 * Random horizontal flip plus a random translation of up to `shift` pixels (zero padding then a
 * 32x32 crop, i.e. pad-and-crop) of one normalized image, written into `target`.
 */
export function augmentInto(
  source: Float32Array,
  target: Float32Array,
  targetOffset: number,
  random: () => number,
  shift: number,
): void {
  const flip = random() < 0.5;
  const dy = Math.floor(random() * (2 * shift + 1)) - shift;
  const dx = Math.floor(random() * (2 * shift + 1)) - shift;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    const sy = y + dy;
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const out = targetOffset + (y * IMAGE_SIZE + x) * CHANNELS;
      const sxRaw = x + dx;
      const sx = flip ? IMAGE_SIZE - 1 - sxRaw : sxRaw;
      if (sy < 0 || sy >= IMAGE_SIZE || sxRaw < 0 || sxRaw >= IMAGE_SIZE) {
        target[out] = 0;
        target[out + 1] = 0;
        target[out + 2] = 0;
      } else {
        const from = (sy * IMAGE_SIZE + sx) * CHANNELS;
        target[out] = source[from] as number;
        target[out + 1] = source[from + 1] as number;
        target[out + 2] = source[from + 2] as number;
      }
    }
  }
}
