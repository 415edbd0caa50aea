import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type SerializeHandler } from '../../lambdas/serialize-image-data/handler.ts';
import { readObjectWithinLimit } from '../../lambdas/serialize-image-data/read-object.ts';
import { DEFAULT_IMAGE_LIMITS, normalizeImage } from '../../lambdas/serialize-image-data/serialize.ts';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import { decodeRgb, noise, pngClaimingSize, readCifarRecord, rgbToPng } from './images.ts';
import { invokeLambdaEntry } from './lambda-entry.ts';
import { captureTelemetry } from './telemetry-capture.ts';

const BUCKET = 'serialize-test-images';
const STEP_FUNCTIONS_STATE_LIMIT = 256 * 1024;

let local: LocalS3;
let s3: S3Client;
let serialize: SerializeHandler;
/** Output these tests do not look at (telemetry.test.ts does). */
const telemetry = captureTelemetry().options;

async function put(key: string, body: Uint8Array | string, contentType = 'image/png'): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType }));
}

function event(key: string, bucket = BUCKET) {
  return { s3_bucket: bucket, s3_key: key };
}

beforeAll(async () => {
  local = await startLocalS3({ buckets: [BUCKET] });
  s3 = createS3Client(loadConfig({ SCONES_TARGET: 'embedded', AWS_ENDPOINT_URL_S3: local.endpoint }));
  serialize = createHandler({ s3, telemetry });
});

afterAll(async () => {
  s3?.destroy();
  await local?.stop();
});

describe('SerializeImageData handler over a local S3', () => {
  it('passes a 32x32 CIFAR PNG through pixel for pixel, in the seed event shape', async () => {
    const cifar = await readCifarRecord(0);
    await put('cifar/0.png', await rgbToPng(cifar.rgb));

    const result = await serialize({ image_data: '', ...event('cifar/0.png') });

    expect(result).toMatchObject({
      s3_bucket: BUCKET,
      s3_key: 'cifar/0.png',
      source_format: 'png',
      width: 32,
      height: 32,
    });
    const decoded = await decodeRgb(Buffer.from(result.image_data, 'base64'));
    expect(decoded).toMatchObject({ width: 32, height: 32, channels: 3 });
    expect(decoded.rgb.equals(cifar.rgb)).toBe(true);
  });

  it('detects a JPEG stored under a .png key with Content-Type image/png', async () => {
    const cifar = await readCifarRecord(1);
    const jpeg = await sharp(cifar.rgb, { raw: { width: 32, height: 32, channels: 3 } })
      .jpeg()
      .toBuffer();
    await put('disguised.png', jpeg, 'image/png');

    const result = await serialize(event('disguised.png'));

    expect(result.source_format).toBe('jpeg');
    expect(await sharp(Buffer.from(result.image_data, 'base64')).metadata()).toMatchObject({ format: 'png' });
  });

  it('refuses an empty object', async () => {
    await put('empty.png', new Uint8Array());
    await expect(serialize(event('empty.png'))).rejects.toMatchObject({
      name: 'InvalidImage',
      message: expect.stringMatching(/empty.png is empty/),
    });
  });

  it('refuses a text object', async () => {
    await put('notes.png', 'this is not an image, just some text\n', 'text/plain');
    await expect(serialize(event('notes.png'))).rejects.toMatchObject({
      name: 'InvalidImage',
      message: expect.stringContaining(`s3://${BUCKET}/notes.png is not a decodable image`),
    });
  });

  it('refuses a truncated PNG whose header is intact', async () => {
    const png = await rgbToPng(noise(64, 64), 64, 64);
    const truncated = png.subarray(0, Math.floor(png.length / 2));
    expect((await sharp(truncated).metadata()).width).toBe(64); // the header alone looks fine
    await put('truncated.png', truncated);

    await expect(serialize(event('truncated.png'))).rejects.toMatchObject({
      name: 'InvalidImage',
      message: expect.stringContaining('could not be decoded'),
    });
  });

  it('refuses a tiny file claiming 50000x50000 pixels before decoding it', async () => {
    await put('bomb.png', await pngClaimingSize(50_000, 50_000));
    await expect(serialize(event('bomb.png'))).rejects.toMatchObject({
      name: 'ImageTooLarge',
      message: expect.stringContaining('50000x50000 pixels'),
    });
  });

  it('refuses SVG, which sharp could render but is not a photo format', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32"/></svg>';
    await put('vector.png', svg);
    await expect(serialize(event('vector.png'))).rejects.toMatchObject({
      name: 'InvalidImage',
      message: expect.stringContaining('is svg; accepted formats'),
    });
  });

  it('names bucket and key when the key is missing', async () => {
    await expect(serialize(event('no/such/key.png'))).rejects.toMatchObject({
      name: 'ImageNotFound',
      message: expect.stringMatching(/no\/such\/key\.png.*serialize-test-images/),
    });
  });

  it('names the bucket when the bucket is missing', async () => {
    await expect(serialize(event('any.png', 'no-such-bucket-here'))).rejects.toMatchObject({
      name: 'BucketNotFound',
      message: expect.stringMatching(/no-such-bucket-here.*any\.png/),
    });
  });

  it('normalizes a multi-MB photo to a payload far below the 256 KiB state limit', async () => {
    const jpeg = await sharp(noise(2400, 1600), { raw: { width: 2400, height: 1600, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    expect(jpeg.length).toBeGreaterThan(2 * 1024 * 1024);
    await put('large.jpg', jpeg, 'image/jpeg');

    const result = await serialize(event('large.jpg'));

    expect(result).toMatchObject({ source_format: 'jpeg', width: 2400, height: 1600 });
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(STEP_FUNCTIONS_STATE_LIMIT / 16);
    expect(await decodeRgb(Buffer.from(result.image_data, 'base64'))).toMatchObject({
      width: 32,
      height: 32,
      channels: 3,
    });
  });

  it('refuses an object over the byte limit from its ContentLength', async () => {
    const limited = createHandler({ s3, limits: { maxBytes: 1000 }, telemetry });
    await put('noise.png', await rgbToPng(noise(64, 64), 64, 64));
    await expect(limited(event('noise.png'))).rejects.toMatchObject({
      name: 'ImageTooLarge',
      message: expect.stringMatching(/noise\.png is \d+ bytes; the limit is 1000 bytes/),
    });
  });

  it('applies a configured pixel limit to an ordinary image', async () => {
    await put('cifar/4.png', await rgbToPng((await readCifarRecord(4)).rgb));
    const tiny = createHandler({ s3, limits: { maxPixels: 1000 }, telemetry });
    await expect(tiny(event('cifar/4.png'))).rejects.toMatchObject({
      name: 'ImageTooLarge',
      message: expect.stringContaining('32x32 pixels; the limit is 1000 pixels'),
    });
  });

  it('names the missing or wrong field of a bad event', async () => {
    await expect(serialize({ s3_bucket: BUCKET })).rejects.toMatchObject({
      name: 'InvalidEvent',
      message: expect.stringContaining('no "s3_key" field'),
    });
    await expect(serialize({ s3_bucket: 42, s3_key: 'a.png' })).rejects.toMatchObject({
      name: 'InvalidEvent',
      message: expect.stringContaining('"s3_bucket" must be a non-empty string'),
    });
    await expect(serialize('s3://bucket/key')).rejects.toMatchObject({ name: 'InvalidEvent' });
  });
});

describe('SerializeImageData Lambda entry point', () => {
  it('builds its S3 client from the environment, as in a deployed Lambda', async () => {
    await put('entry/cifar.png', await rgbToPng((await readCifarRecord(2)).rgb));
    const outcome = await invokeLambdaEntry(
      'lambdas/serialize-image-data/handler.ts',
      event('entry/cifar.png'),
      {
        SCONES_TARGET: 'embedded',
        AWS_ENDPOINT_URL_S3: local.endpoint,
      },
    );
    expect(outcome).toMatchObject({ result: { s3_key: 'entry/cifar.png', source_format: 'png', width: 32 } });
  });
});

describe('normalizeImage', () => {
  it('crops a wide image to its centre (fit cover) instead of squashing or padding it', async () => {
    // 96x32: blue | red | green thirds. Cover keeps the red centre square only.
    const pixels = Buffer.alloc(96 * 32 * 3);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 96; x++) {
        const offset = (y * 96 + x) * 3;
        const channel = x < 32 ? 2 : x < 64 ? 0 : 1;
        pixels[offset + channel] = 255;
      }
    }
    const image = await normalizeImage(await rgbToPng(pixels, 96, 32), 'test:thirds');
    const { rgb } = await decodeRgb(image.png);
    const colours = new Set<string>();
    for (let i = 0; i < rgb.length; i += 3) colours.add(`${rgb[i]},${rgb[i + 1]},${rgb[i + 2]}`);
    expect([...colours]).toEqual(['255,0,0']);
    expect(image).toMatchObject({ width: 96, height: 32, sourceFormat: 'png' });
  });

  it('turns transparency into white and greyscale into 3 channels', async () => {
    const transparent = await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const { rgb, channels } = await decodeRgb((await normalizeImage(transparent, 'test:alpha')).png);
    expect(channels).toBe(3);
    expect(rgb.every((value) => value === 255)).toBe(true);

    const grey = await sharp(Buffer.alloc(64, 90), { raw: { width: 8, height: 8, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    expect((await decodeRgb((await normalizeImage(grey, 'test:grey')).png)).channels).toBe(3);
  });

  it('refuses a truncated JPEG (libjpeg would otherwise fill the rest in grey)', async () => {
    const jpeg = await sharp(noise(64, 64), { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer();
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    await expect(normalizeImage(truncated, 'test:truncated.jpg')).rejects.toMatchObject({
      name: 'InvalidImage',
      message: expect.stringContaining('test:truncated.jpg (jpeg) could not be decoded'),
    });
  });

  it('refuses bytes over the limit handed to it directly', async () => {
    await expect(
      normalizeImage(new Uint8Array(11), 'test:bytes', { ...DEFAULT_IMAGE_LIMITS, maxBytes: 10 }),
    ).rejects.toMatchObject({
      name: 'ImageTooLarge',
    });
  });
});

describe('readObjectWithinLimit', () => {
  it('keeps the name of other S3 errors and adds the object to their message', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const s3Denying = { send: async () => Promise.reject(denied) } as unknown as S3Client;
    await expect(readObjectWithinLimit(s3Denying, { bucket: 'b', key: 'k' }, 250)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'GetObject s3://b/k failed: Access Denied',
    });
  });

  it('stops reading a body without ContentLength once it passes the limit', async () => {
    let chunksRead = 0;
    async function* body() {
      for (let i = 0; i < 100; i++) {
        chunksRead++;
        yield new Uint8Array(100);
      }
    }
    const s3WithoutLength = { send: async () => ({ Body: body(), $metadata: {} }) } as unknown as S3Client;

    await expect(
      readObjectWithinLimit(s3WithoutLength, { bucket: 'b', key: 'k' }, 250),
    ).rejects.toMatchObject({
      name: 'ImageTooLarge',
      message: 's3://b/k is more than 250 bytes; the limit is 250 bytes',
    });
    expect(chunksRead).toBe(3);
  });
});
