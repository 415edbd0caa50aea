import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isModelReadyPng, MODEL_READY_SIZE } from '../../lambdas/serialize-image-data/model-ready-png.ts';
import { MODEL_INPUT, normalizeImage } from '../../lambdas/serialize-image-data/serialize.ts';
import { decodeImageBody } from '../../training/image-input.ts';
import { encodePlanesAsPng } from '../../training/png.ts';
import { decodeRgb, readCifarRecord, rgbToPng } from './images.ts';

interface Chunk {
  type: string;
  data: Buffer;
}

function pngOf(chunks: Chunk[]): Buffer {
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const { type, data } of chunks) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    parts.push(length, typeAndData, crc);
  }
  return Buffer.concat(parts);
}

function ihdr(changes: Partial<Record<'width' | 'height' | 'depth' | 'colour' | 'interlace', number>> = {}) {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(changes.width ?? 32, 0);
  data.writeUInt32BE(changes.height ?? 32, 4);
  data[8] = changes.depth ?? 8;
  data[9] = changes.colour ?? 2;
  data[12] = changes.interlace ?? 0;
  return { type: 'IHDR', data };
}

/** Filter byte 0 and RGB samples per row, as IDAT holds them before compression. */
function scanlines(rgb: Buffer, filter = 0): Buffer {
  const rows = Buffer.alloc(32 * 97);
  for (let row = 0; row < 32; row++) {
    rows[row * 97] = filter;
    rgb.copy(rows, row * 97 + 1, row * 96, (row + 1) * 96);
  }
  return rows;
}

/** A copy of `bytes` with the bits of the byte at `index` inverted. */
function flipped(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] as number) ^ 0xff;
  return copy;
}

/** The pixels sharp's normalization (serialize's general path) produces from `png`. */
async function sharpNormalized(png: Buffer): Promise<Buffer> {
  const out = await sharp(png, { failOn: 'error' })
    .resize(MODEL_INPUT)
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .png()
    .toBuffer();
  return (await decodeRgb(out)).rgb;
}

const cifar = await readCifarRecord(3);
const staged = await rgbToPng(cifar.rgb);
const iend = { type: 'IEND', data: Buffer.alloc(0) };
const idat = { type: 'IDAT', data: deflateSync(scanlines(cifar.rgb)) };

describe('isModelReadyPng', () => {
  it('is about the size serialize normalizes to', () => {
    expect(MODEL_READY_SIZE).toEqual({ width: MODEL_INPUT.width, height: MODEL_INPUT.height });
  });

  it('accepts the PNGs staging writes and a minimal hand-made one', async () => {
    const planes = Buffer.concat([0, 1, 2].map((c) => Buffer.from(cifar.rgb.filter((_, i) => i % 3 === c))));
    expect(isModelReadyPng(await encodePlanesAsPng(planes))).toBe(true);
    expect(isModelReadyPng(staged)).toBe(true);
    expect(isModelReadyPng(pngOf([ihdr(), idat, iend]))).toBe(true);
    // Image data split over several IDAT chunks, as encoders may write it.
    const [first, second] = [idat.data.subarray(0, 100), idat.data.subarray(100)];
    expect(
      isModelReadyPng(pngOf([ihdr(), { type: 'IDAT', data: first }, { type: 'IDAT', data: second }, iend])),
    ).toBe(true);
  });

  // Each is a file sharp might read differently (other pixels, an error): it must take sharp's path.
  const pixelsOrLayoutDiffer: [string, () => Buffer][] = [
    ['33 pixels wide', () => pngOf([ihdr({ width: 33 }), idat, iend])],
    ['with alpha', () => pngOf([ihdr({ colour: 6 }), idat, iend])],
    ['greyscale', () => pngOf([ihdr({ colour: 0 }), idat, iend])],
    ['palette', () => pngOf([ihdr({ colour: 3 }), idat, iend])],
    ['16-bit', () => pngOf([ihdr({ depth: 16 }), idat, iend])],
    ['interlaced', () => pngOf([ihdr({ interlace: 1 }), idat, iend])],
    [
      'a transparent colour (tRNS)',
      () => pngOf([ihdr(), { type: 'tRNS', data: Buffer.alloc(6) }, idat, iend]),
    ],
    [
      'a gamma (gAMA)',
      () => pngOf([ihdr(), { type: 'gAMA', data: Buffer.from([0, 0, 0xb1, 0x8f]) }, idat, iend]),
    ],
    [
      'an ICC profile (iCCP)',
      () => pngOf([ihdr(), { type: 'iCCP', data: Buffer.from('p\0\0x') }, idat, iend]),
    ],
    ['EXIF (orientation)', () => pngOf([ihdr(), { type: 'eXIf', data: Buffer.from('MM\0*') }, idat, iend])],
    [
      'text after the image data',
      () => pngOf([ihdr(), idat, { type: 'tEXt', data: Buffer.from('a\0b') }, iend]),
    ],
    ['pHYs after the image data', () => pngOf([ihdr(), idat, { type: 'pHYs', data: Buffer.alloc(9) }, iend])],
    [
      'pHYs with an undefined unit',
      () => pngOf([ihdr(), { type: 'pHYs', data: Buffer.alloc(9, 2) }, idat, iend]),
    ],
    ['no IEND', () => pngOf([ihdr(), idat])],
    ['bytes after IEND', () => Buffer.concat([staged, Buffer.from([0])])],
    ['a wrong CRC (of IEND)', () => flipped(staged, staged.length - 1)],
    ['a truncated file', () => staged.subarray(0, staged.length - 20)],
    [
      'image data one row short',
      () => pngOf([ihdr(), { type: 'IDAT', data: deflateSync(scanlines(cifar.rgb).subarray(97)) }, iend]),
    ],
    [
      'image data with a byte too many',
      () =>
        pngOf([
          ihdr(),
          { type: 'IDAT', data: deflateSync(Buffer.concat([scanlines(cifar.rgb), Buffer.alloc(1)])) },
          iend,
        ]),
    ],
    [
      'filter type 5',
      () => pngOf([ihdr(), { type: 'IDAT', data: deflateSync(scanlines(cifar.rgb, 5)) }, iend]),
    ],
    [
      'bytes after the zlib stream',
      () => pngOf([ihdr(), { type: 'IDAT', data: Buffer.concat([idat.data, Buffer.from([7])]) }, iend]),
    ],
    [
      'a wrong Adler-32',
      () => pngOf([ihdr(), { type: 'IDAT', data: flipped(idat.data, idat.data.length - 1) }, iend]),
    ],
    ['not a PNG', () => Buffer.from('GIF89a not a png at all')],
  ];
  it.each(pixelsOrLayoutDiffer)('leaves a PNG %s to sharp', (_name, make) => {
    expect(isModelReadyPng(make())).toBe(false);
  });
});

describe('normalizeImage with a model-ready PNG', () => {
  it('passes the bytes on; sharp would give the same pixels, so the model answers the same', async () => {
    for (let index = 0; index < 20; index++) {
      const png = await rgbToPng((await readCifarRecord(index)).rgb);
      const image = await normalizeImage(png, `test:cifar-${index}`);
      expect(image).toMatchObject({ sourceFormat: 'png', width: 32, height: 32 });
      expect(image.png.equals(png)).toBe(true);
      const viaSharp = await sharpNormalized(png);
      expect((await decodeRgb(image.png)).rgb.equals(viaSharp)).toBe(true);
      // What the trained model's container decodes (training/image-input.ts) is the same too.
      const size = { width: 32, height: 32 };
      expect(Buffer.from(await decodeImageBody(image.png, size)).equals(viaSharp)).toBe(true);
    }
  });

  it('words errors as before for a 32x32 PNG it does not accept', async () => {
    const broken = flipped(staged, staged.length - 20); // inside IDAT: its data and CRC disagree
    expect(isModelReadyPng(broken)).toBe(false);
    await expect(normalizeImage(broken, 'test:broken.png')).rejects.toMatchObject({ name: 'InvalidImage' });
  });

  it('still applies a pixel limit below 32x32', async () => {
    await expect(
      normalizeImage(staged, 'test:limited', { maxBytes: 1 << 20, maxPixels: 1000 }),
    ).rejects.toMatchObject({ name: 'ImageTooLarge', message: expect.stringContaining('32x32 pixels') });
  });
});
