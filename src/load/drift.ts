/**
 * Image degradation for `scones load --drift <kind>`: what happens to street photos over time
 * (dusk, a dirty or cheap sensor, a lens out of focus, something in front of the camera), so the
 * monitor has something to catch. Each kind takes a strength in [0, 1] (the ramp: 0 at the start
 * of a run, 1 at its end) and a seeded random source, and returns a PNG: the same inputs give the
 * same bytes (for one sharp/libvips build, as staging relies on too).
 *
 * At full strength:
 * - `brightness`: every channel scaled to 20 % (underexposure, dusk): sharp `linear`;
 * - `noise`: Gaussian noise of standard deviation 64 (of 255) per channel, seeded; libvips'
 *   gaussnoise cannot be seeded through sharp, so the noise is drawn here and added in one pass;
 * - `blur`: Gaussian blur of sigma 2 px on the 32x32 image (defocus): sharp `blur`;
 * - `occlusion`: a square covering 60 % of the image at a seeded place, filled with a seeded grey
 *   (a sticker, a passer-by): sharp `composite`.
 */
import sharp from 'sharp';
import type { DriftKind } from './drift-kinds.ts';

export { DRIFT_KINDS, DriftError, type DriftKind, parseDriftKind } from './drift-kinds.ts';

/** The full-strength settings above, in one place. */
export const FULL_STRENGTH = {
  brightnessFactor: 0.2,
  noiseSigma: 64,
  blurSigma: 2,
  occludedShare: 0.6,
} as const;

/** sharp refuses blur sigmas under 0.3 (libvips' minimum); weaker ones leave the image as it is. */
const MIN_BLUR_SIGMA = 0.3;
// As training/png.ts: zlib level 1 is cheap and near level 9 in size for 32x32 images.
const PNG_OPTIONS = { compressionLevel: 1, adaptiveFiltering: false, palette: false } as const;

export interface RawImage {
  /** Interleaved RGB bytes. */
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** The image degraded by `kind` at `strength` (clamped to [0, 1]), as a PNG. */
export async function degrade(
  image: RawImage,
  kind: DriftKind,
  strength: number,
  random: () => number,
): Promise<Buffer> {
  const s = Math.min(1, Math.max(0, strength));
  const raw = { width: image.width, height: image.height, channels: 3 } as const;
  const pipeline = (pixels: Uint8Array) => sharp(pixels, { raw });
  switch (kind) {
    case 'brightness':
      return pipeline(image.rgb)
        .linear(1 - (1 - FULL_STRENGTH.brightnessFactor) * s, 0)
        .png(PNG_OPTIONS)
        .toBuffer();
    case 'noise':
      return pipeline(withNoise(image.rgb, FULL_STRENGTH.noiseSigma * s, random))
        .png(PNG_OPTIONS)
        .toBuffer();
    case 'blur': {
      const sigma = FULL_STRENGTH.blurSigma * s;
      const blurred = pipeline(image.rgb);
      return (sigma >= MIN_BLUR_SIGMA ? blurred.blur(sigma) : blurred).png(PNG_OPTIONS).toBuffer();
    }
    case 'occlusion': {
      const side = Math.round(
        Math.sqrt(FULL_STRENGTH.occludedShare * s) * Math.min(image.width, image.height),
      );
      const left = Math.floor(random() * (image.width - side + 1));
      const top = Math.floor(random() * (image.height - side + 1));
      const grey = Math.floor(random() * 256);
      const occluded = pipeline(image.rgb);
      if (side === 0) return occluded.png(PNG_OPTIONS).toBuffer();
      const patch = {
        create: {
          width: side,
          height: side,
          channels: 3 as const,
          background: { r: grey, g: grey, b: grey },
        },
      };
      // Compositing adds an alpha channel; the image stays RGB like the staged ones.
      return occluded
        .composite([{ input: patch, left, top }])
        .removeAlpha()
        .png(PNG_OPTIONS)
        .toBuffer();
    }
  }
}

/** Each byte plus N(0, sigma²), rounded and clamped; Box-Muller on the seeded source. */
function withNoise(rgb: Uint8Array, sigma: number, random: () => number): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 2) {
    const radius = sigma * Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    out[i] = clampByte((rgb[i] as number) + radius * Math.cos(angle));
    if (i + 1 < rgb.length) out[i + 1] = clampByte((rgb[i + 1] as number) + radius * Math.sin(angle));
  }
  return out;
}

const clampByte = (x: number) => Math.min(255, Math.max(0, Math.round(x)));
