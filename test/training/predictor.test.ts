/**
 * ModelPredictor: loads model.tar.gz from a path or S3, answers PNG (fast path and resized),
 * JPEG and x-image bodies with the model's probabilities, batches concurrent requests, and
 * refuses undecodable bodies with ModelInputError (which the server maps to ModelError).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import { ModelInputError } from '../../src/workflow/predictor.ts';
import { packModel } from '../../training/artifact.ts';
import { tf, useWasmBackend } from '../../training/backend.ts';
import { normalize, seededRandom } from '../../training/dataset.ts';
import { DEFAULT_MODEL_OPTIONS } from '../../training/model.ts';
import { createNetwork, disposeNetwork, layerWeights, toLayersModel } from '../../training/network.ts';
import { ModelPredictor } from '../../training/predictor.ts';
import { withSeededMathRandom } from '../../training/train.ts';
import { smallModelMetadata } from './model-fixtures.ts';

const BUCKET = 'scones-models';
let dir: string;
let archivePath: string;
let localS3: LocalS3;
let s3: S3Client;
let predictor: ModelPredictor;
let reference: tf.LayersModel;
const metadata = smallModelMetadata();
const random = seededRandom(21);
const rgb = (width: number, height: number) =>
  Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256));
const png = (pixels: Uint8Array, size = 32, channels: 3 | 4 = 3) =>
  sharp(pixels, { raw: { width: size, height: size, channels } })
    .png()
    .toBuffer();

/** What the model says for these exact 32x32 RGB bytes, straight through tfjs. */
function expected(pixels: Uint8Array): number[] {
  return tf.tidy(() =>
    Array.from(
      (
        reference.predict(tf.tensor4d(normalize(pixels, metadata.normalization), [1, 32, 32, 3])) as tf.Tensor
      ).dataSync(),
    ),
  );
}

beforeAll(async () => {
  await useWasmBackend();
  // Non-trivial moving statistics and weights, so wrong normalization or layout shows.
  reference = await withSeededMathRandom(seededRandom(8), async () => {
    const options = { ...DEFAULT_MODEL_OPTIONS, filters: [4, 8] };
    const network = createNetwork(options);
    network.denseBias.assign(tf.tensor1d([0.3, -0.3]));
    const layers = toLayersModel(options, [layerWeights(network)]);
    disposeNetwork(network);
    return layers;
  });
  const archive = await packModel(reference, metadata);
  dir = await mkdtemp(join(tmpdir(), 'scones-predictor-'));
  archivePath = join(dir, 'model.tar.gz');
  await writeFile(archivePath, archive);
  localS3 = await startLocalS3({ buckets: [BUCKET] });
  s3 = createS3Client(loadConfig({ AWS_ENDPOINT_URL_S3: localS3.endpoint }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'jobs/j1/output/model.tar.gz', Body: archive }));
  predictor = await ModelPredictor.load(archivePath);
});

afterAll(async () => {
  predictor?.dispose();
  reference?.dispose();
  s3?.destroy();
  await localS3?.stop();
  await rm(dir, { recursive: true, force: true });
});

function expectClose(actual: number[], wanted: number[]) {
  expect(actual).toHaveLength(wanted.length);
  actual.forEach((value, i) => {
    expect(value).toBeCloseTo(wanted[i] as number, 5);
  });
}

describe('ModelPredictor', () => {
  it('is ready once loaded and answers a 32x32 PNG with the model probabilities', async () => {
    expect(predictor.ready()).toBe(true);
    const pixels = rgb(32, 32);
    const probabilities = await predictor.predict(await png(pixels), 'image/png');
    expectClose(probabilities, expected(pixels));
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('loads the same artifact from S3', async () => {
    const fromS3 = await ModelPredictor.load(`s3://${BUCKET}/jobs/j1/output/model.tar.gz`, { s3Client: s3 });
    const pixels = rgb(32, 32);
    expectClose(await fromS3.predict(await png(pixels), 'application/x-image'), expected(pixels));
    fromS3.dispose();
  });

  it('drops alpha from RGBA PNGs and resizes other sizes to 32x32', async () => {
    const pixels = rgb(32, 32);
    const rgba = new Uint8Array(32 * 32 * 4);
    for (let i = 0; i < 32 * 32; i++) rgba.set([...pixels.subarray(i * 3, i * 3 + 3), 255], i * 4);
    expectClose(await predictor.predict(await png(rgba, 32, 4), 'image/png'), expected(pixels));
    // A 64x64 image made of 2x2 blocks of the 32x32 one: resizing gives the original back closely.
    const big = new Uint8Array(64 * 64 * 3);
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++)
        big.set(
          pixels.subarray(((y >> 1) * 32 + (x >> 1)) * 3, ((y >> 1) * 32 + (x >> 1)) * 3 + 3),
          (y * 64 + x) * 3,
        );
    const resized = await predictor.predict(await png(big, 64), 'image/png');
    expect(resized).toHaveLength(2);
    expect(Math.abs((resized[0] as number) - (expected(pixels)[0] as number))).toBeLessThan(0.05);
  });

  it('answers JPEG bodies (decoded by sharp)', async () => {
    const pixels = rgb(32, 32);
    const jpeg = await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } })
      .jpeg({ quality: 100 })
      .toBuffer();
    const decoded = await sharp(jpeg).raw().toBuffer();
    expectClose(await predictor.predict(jpeg, 'image/jpeg'), expected(decoded));
  });

  it('batches concurrent requests without mixing up answers', async () => {
    const images = Array.from({ length: 12 }, () => rgb(32, 32));
    const bodies = await Promise.all(images.map((pixels) => png(pixels)));
    const answers = await Promise.all(bodies.map((body) => predictor.predict(body, 'image/png')));
    answers.forEach((answer, i) => {
      expectClose(answer, expected(images[i] as Uint8Array));
    });
  });

  it('runs on ONNX Runtime by default, and the tfjs engine gives the same answers', async () => {
    expect(predictor.engine.name).toBe('onnx');
    const onTfjs = await ModelPredictor.load(archivePath, { engine: 'tfjs' });
    expect(onTfjs.engine.name).toBe('tfjs');
    const bodies = await Promise.all(Array.from({ length: 4 }, () => png(rgb(32, 32))));
    for (const body of bodies) {
      expectClose(await onTfjs.predict(body, 'image/png'), await predictor.predict(body, 'image/png'));
    }
    onTfjs.dispose();
  });

  it('serves an ensemble (averaged members) the same way', async () => {
    const options = { ...DEFAULT_MODEL_OPTIONS, filters: [4, 8] };
    const ensemble = await withSeededMathRandom(seededRandom(13), async () => {
      const members = [createNetwork(options), createNetwork(options)];
      const layers = toLayersModel(options, members.map(layerWeights));
      for (const member of members) disposeNetwork(member);
      return layers;
    });
    const ensemblePath = join(dir, 'ensemble.tar.gz');
    await writeFile(ensemblePath, await packModel(ensemble, metadata));
    const served = await ModelPredictor.load(ensemblePath);
    const pixels = rgb(32, 32);
    const direct = tf.tidy(() =>
      Array.from(
        (
          ensemble.predict(
            tf.tensor4d(normalize(pixels, metadata.normalization), [1, 32, 32, 3]),
          ) as tf.Tensor
        ).dataSync(),
      ),
    );
    expectClose(await served.predict(await png(pixels), 'image/png'), direct);
    served.dispose();
    ensemble.dispose();
  });

  it('refuses garbage, truncated and empty bodies with ModelInputError', async () => {
    const valid = await png(rgb(32, 32));
    for (const body of [Buffer.from('this is not an image'), valid.subarray(0, 40), Buffer.alloc(0)]) {
      await expect(predictor.predict(body, 'image/png')).rejects.toBeInstanceOf(ModelInputError);
    }
    // The predictor still serves after bad input.
    expect(await predictor.predict(valid, 'image/png')).toHaveLength(2);
  });
});
