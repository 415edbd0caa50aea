/**
 * Model artifacts: pack -> model.tar.gz -> unpack gives a model with identical predictions, and a
 * training job's outputs land where SageMaker puts them (`<output>/<job>/output/`).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import {
  ArtifactError,
  type ModelMetadata,
  packModel,
  readArtifactBytes,
  trainingOutputLocation,
  unpackModel,
  untarFiles,
  writeTrainingOutput,
} from '../../training/artifact.ts';
import { tf, useWasmBackend } from '../../training/backend.ts';
import { seededRandom } from '../../training/dataset.ts';
import { DEFAULT_MODEL_OPTIONS } from '../../training/model.ts';
import { createNetwork, disposeNetwork, layerWeights, toLayersModel } from '../../training/network.ts';
import { withSeededMathRandom } from '../../training/train.ts';
import { smallModelMetadata } from './model-fixtures.ts';

const BUCKET = 'scones-artifacts';
let model: tf.LayersModel;
let metadata: ModelMetadata;
let localS3: LocalS3;
let s3: S3Client;

beforeAll(async () => {
  await useWasmBackend();
  model = await withSeededMathRandom(seededRandom(5), async () => {
    const options = { ...DEFAULT_MODEL_OPTIONS, filters: [4, 8] };
    const network = createNetwork(options);
    const layers = toLayersModel(options, [layerWeights(network)]);
    disposeNetwork(network);
    return layers;
  });
  metadata = smallModelMetadata();
  localS3 = await startLocalS3({ buckets: [BUCKET] });
  s3 = createS3Client(loadConfig({ AWS_ENDPOINT_URL_S3: localS3.endpoint }));
});

afterAll(async () => {
  model.dispose();
  s3.destroy();
  await localS3.stop();
});

function predictions(m: tf.LayersModel): Float32Array {
  const random = seededRandom(9);
  return tf.tidy(() => {
    const input = tf.tensor4d(
      Float32Array.from({ length: 4 * 32 * 32 * 3 }, () => random() * 4 - 2),
      [4, 32, 32, 3],
    );
    return (m.predict(input) as tf.Tensor).dataSync() as Float32Array;
  });
}

describe('model.tar.gz', () => {
  it('holds model.json, weights.bin and metadata.json at the root and round-trips to identical predictions', async () => {
    const archive = await packModel(model, metadata);
    expect([archive[0], archive[1]]).toEqual([0x1f, 0x8b]); // gzip
    const files = await untarFiles(archive);
    expect([...files.keys()].sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    const modelJson = JSON.parse(files.get('model.json')?.toString() ?? '{}');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);

    const loaded = await unpackModel(archive);
    expect(loaded.metadata).toEqual(metadata);
    const before = predictions(model);
    expect(Array.from(predictions(loaded.model))).toEqual(Array.from(before));
    loaded.model.dispose();
  });

  it('packs the same model to the same bytes', async () => {
    expect(Buffer.compare(await packModel(model, metadata), await packModel(model, metadata))).toBe(0);
  });

  it('refuses an archive that is not a tar.gz, or lacks a file, with a message naming the problem', async () => {
    await expect(unpackModel(Buffer.from('not an archive at all'))).rejects.toThrow(ArtifactError);
    const tarWithoutMetadata = await (async () => {
      const { create } = await import('tar');
      const { mkdtemp, writeFile } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const dir = await mkdtemp(join(tmpdir(), 'scones-test-'));
      await writeFile(join(dir, 'model.json'), '{}');
      const chunks: Buffer[] = [];
      for await (const chunk of create({ gzip: true, cwd: dir }, ['model.json']))
        chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks);
    })();
    await expect(unpackModel(tarWithoutMetadata)).rejects.toThrow(/no metadata\.json/);
  });
});

describe('training job output', () => {
  it('maps output + job to <prefix>/<job>/output/ from an s3:// URI or a key prefix', () => {
    expect(trainingOutputLocation('s3://b/jobs/', 'job-1')).toEqual({
      bucket: 'b',
      key: 'jobs/job-1/output/',
    });
    expect(trainingOutputLocation('s3://b', 'job-1')).toEqual({ bucket: 'b', key: 'job-1/output/' });
    expect(trainingOutputLocation('models', 'job-1', 'bucket-2')).toEqual({
      bucket: 'bucket-2',
      key: 'models/job-1/output/',
    });
    expect(() => trainingOutputLocation('s3://b/x', 'bad name!')).toThrow(/job name/);
    expect(() => trainingOutputLocation('no-bucket', 'job-1')).toThrow(/no bucket/);
  });

  it('writes model.tar.gz and metrics.json to S3, readable back by URI', async () => {
    const archive = await packModel(model, metadata);
    const written = await writeTrainingOutput({
      s3Client: s3,
      output: `s3://${BUCKET}/training-jobs`,
      job: 'job-7',
      archive,
      metrics: { validationAccuracy: 0.5 },
    });
    expect(written.modelUri).toBe(`s3://${BUCKET}/training-jobs/job-7/output/model.tar.gz`);
    expect(Buffer.compare(Buffer.from(await readArtifactBytes(written.modelUri, s3)), archive)).toBe(0);
    const metrics = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'training-jobs/job-7/output/metrics.json' }),
    );
    expect(JSON.parse((await metrics.Body?.transformToString()) ?? '')).toEqual({ validationAccuracy: 0.5 });
    await expect(readArtifactBytes(`s3://${BUCKET}/missing/model.tar.gz`, s3)).rejects.toThrow(ArtifactError);
  });
});
