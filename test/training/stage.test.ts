import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import { readCifar, readSplit, SHIPPED_SUBSET } from '../../training/cifar.ts';
import { planesToInterleaved } from '../../training/cifar-records.ts';
import { loadStagedSplit, normalizePrefix, StagingError, stage, stageDataset } from '../../training/stage.ts';
import { parseManifest } from '../../training/staged-dataset.ts';
import { buildArchive, syntheticRecords } from './cifar-fixtures.ts';

const BUCKET = 'scones-stage-test';
const PREFIX = 'datasets/cifar-100';

let server: LocalS3;
let source: string;
let s3: S3Client;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'scones-stage-'));
  server = await startLocalS3({ buckets: [BUCKET] });
  const fine = Array.from({ length: 40 }, (_, i) => (i % 2 ? 48 : 8));
  source = await buildArchive(
    directory,
    { train: syntheticRecords(fine), test: syntheticRecords([8, 48]) },
    'small.tar.gz',
  );
  s3 = createS3Client(loadConfig({ SCONES_TARGET: 'embedded', AWS_ENDPOINT_URL_S3: server.endpoint }));
});
afterAll(async () => {
  s3?.destroy();
  await server?.stop();
  await rm(directory, { recursive: true, force: true });
});

async function listKeys(prefix: string, bucket = BUCKET): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    keys.push(...(page.Contents ?? []).map((object) => object.Key as string));
  }
  return keys.sort();
}

async function getText(key: string): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await response.Body?.transformToString()) ?? '';
}

describe('stageDataset on the shipped subset into the embedded S3', () => {
  it('writes PNGs and .lst manifests in the image-format layout', async () => {
    const report = await stageDataset({ s3Client: s3, bucket: BUCKET, prefix: PREFIX, progress: false });
    expect(report.splits).toEqual({ train: 900, validation: 100, test: 200 });
    expect(report.images).toBe(1200);
    expect([report.uploaded, report.unchanged, report.manifests]).toEqual([1203, 0, 3]);
    expect(report.channels.train_lst).toBe(`s3://${BUCKET}/${PREFIX}/train_lst/`);

    const keys = await listKeys(`${PREFIX}/`);
    expect(keys).toHaveLength(1203);
    expect(keys).toContain(`${PREFIX}/test/bicycle/bike_s_000658.png`);
    for (const split of ['train', 'validation', 'test']) {
      expect(keys).toContain(`${PREFIX}/${split}_lst/${split}.lst`);
    }
    const topLevel = new Set(keys.map((key) => key.slice(PREFIX.length + 1).split('/')[0]));
    expect(topLevel).toEqual(
      new Set(['train', 'validation', 'test', 'train_lst', 'validation_lst', 'test_lst']),
    );
  });

  it('writes manifests whose lines are index, class, relative path, and name staged images', async () => {
    const keys = new Set(await listKeys(`${PREFIX}/`));
    const indices = new Set<number>();
    for (const [split, size] of [
      ['train', 900],
      ['validation', 100],
      ['test', 200],
    ] as const) {
      const text = await getText(`${PREFIX}/${split}_lst/${split}.lst`);
      expect(text.endsWith('\n')).toBe(true);
      const raw = text.trimEnd().split('\n');
      expect(raw).toHaveLength(size);
      for (const line of raw) expect(line).toMatch(/^\d+\t[01]\t(bicycle|motorcycle)\/[\w.-]+\.png$/);
      const lines = parseManifest(text, split);
      for (const line of lines) {
        expect(keys.has(`${PREFIX}/${split}/${line.path}`)).toBe(true);
        expect(line.path.startsWith(line.classIndex === 0 ? 'bicycle/' : 'motorcycle/')).toBe(true);
        if (split !== 'test') indices.add(line.index);
      }
      const perClass = lines.filter((line) => line.classIndex === 0).length;
      expect(perClass).toBe(size / 2);
    }
    expect(indices.size).toBe(1000); // unique across train and validation, as SageMaker requires
  });

  it('stores PNGs that decode to the pixels of the records', async () => {
    const records = [];
    for await (const record of readCifar(SHIPPED_SUBSET, { splits: ['test'] })) records.push(record);
    for (const record of [records[0], records[57], records[199]]) {
      if (!record) throw new Error('record missing');
      const key = `${PREFIX}/test/${record.className}/${record.fileName}`;
      const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(response.ContentType).toBe('image/png');
      const png = await response.Body?.transformToByteArray();
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels, info.format]).toEqual([32, 32, 3, 'raw']);
      expect(data.equals(planesToInterleaved(record.pixels))).toBe(true);
    }
  });

  it('uploads nothing on a re-run, and only what changed after an edit', async () => {
    const again = await stageDataset({ s3Client: s3, bucket: BUCKET, prefix: PREFIX, progress: false });
    expect([again.uploaded, again.unchanged]).toEqual([0, 1203]);

    await s3.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/test/bicycle/bike_s_000658.png` }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${PREFIX}/train_lst/train.lst`,
        Body: 'edited by hand\n',
      }),
    );
    const repaired = await stageDataset({ s3Client: s3, bucket: BUCKET, prefix: PREFIX, progress: false });
    expect([repaired.uploaded, repaired.unchanged]).toEqual([2, 1201]);
  });

  it('with prune, removes images a previous run with another seed left in the channels', async () => {
    const prefix = 'reseeded';
    await stageDataset({ s3Client: s3, bucket: BUCKET, prefix, source, progress: false, seed: 1 });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/notes.txt`, Body: 'not staged' }));
    const reseeded = await stageDataset({
      s3Client: s3,
      bucket: BUCKET,
      prefix,
      source,
      progress: false,
      seed: 2,
      prune: true,
    });
    const keys = await listKeys(`${prefix}/`);
    expect(reseeded.deleted).toBeGreaterThan(0);
    expect(keys).toHaveLength(reseeded.uploaded + reseeded.unchanged + 1);
    expect(keys).toContain(`${prefix}/notes.txt`);
    const validation = parseManifest(
      await getText(`${prefix}/validation_lst/validation.lst`),
      'validation.lst',
    );
    const validationKeys = keys.filter((key) => key.startsWith(`${prefix}/validation/`));
    expect(validationKeys.sort()).toEqual(
      validation.map((line) => `${prefix}/validation/${line.path}`).sort(),
    );
  });

  it('reads a staged split back exactly as the in-memory reader holds it out', async () => {
    const [staged, inMemory] = await Promise.all([
      loadStagedSplit(s3, BUCKET, PREFIX, 'validation'),
      readSplit(SHIPPED_SUBSET, 'validation'),
    ]);
    expect(staged.count).toBe(100);
    expect(staged.classNames).toEqual(['bicycle', 'motorcycle']);
    const order = (names: string[]) => names.map((name, i) => [name, i] as const).sort();
    const a = order(staged.names);
    const b = order(inMemory.names);
    expect(a.map(([name]) => name)).toEqual(b.map(([name]) => name));
    for (const [[, i], [, j]] of a.map((entry, k) => [entry, b[k] as (typeof b)[number]] as const)) {
      expect(staged.labels[i]).toBe(inMemory.labels[j]);
      expect(
        Buffer.from(staged.pixels.subarray(i * 3072, (i + 1) * 3072)).equals(
          Buffer.from(inMemory.pixels.subarray(j * 3072, (j + 1) * 3072)),
        ),
      ).toBe(true);
    }
  });
});

describe('stageDataset from an archive without index TSVs', () => {
  it('names images <class>/<official index>.png and selects the configured classes', async () => {
    const fine = [8, 48, 13, 8, 48, 8, 48, 8, 48, 8, 48, 8];
    const archive = await buildArchive(directory, {
      train: syntheticRecords(fine),
      test: syntheticRecords([48, 8]),
    });
    const report = await stageDataset({
      s3Client: s3,
      bucket: BUCKET,
      prefix: '/synthetic/',
      source: archive,
      validationFraction: 0.2,
      seed: 1,
      progress: false,
    });
    expect(report.prefix).toBe('synthetic/');
    expect(report.splits).toEqual({ train: 9, validation: 2, test: 2 });
    const keys = await listKeys('synthetic/');
    expect(keys).toContain('synthetic/test/motorcycle/0.png');
    expect(keys).toContain('synthetic/test/bicycle/1.png');
    expect(keys.filter((key) => /\/2\.png$/.test(key))).toEqual([]); // record 2 is a bus
    expect(await getText('synthetic/test_lst/test.lst')).toBe(
      '0\t1\tmotorcycle/0.png\n1\t0\tbicycle/1.png\n',
    );
  });
});

describe('stageDataset errors and helpers', () => {
  it('names a missing bucket; stage() (the CLI entry) creates it on a local target', async () => {
    const source = await buildArchive(directory, {
      train: syntheticRecords([8, 48, 8, 48]),
      test: syntheticRecords([8]),
    });
    const options = { s3Client: s3, bucket: 'scones-not-there', progress: false, source };
    await expect(stageDataset(options)).rejects.toThrow(StagingError);
    await expect(stageDataset(options)).rejects.toThrow(/bucket scones-not-there does not exist/);
    const created = await stage({ ...options, prefix: 'cli', validationFraction: 0.5 });
    expect([created.uploaded, created.splits.validation]).toEqual([8, 2]);
    expect(await listKeys('cli/', 'scones-not-there')).toHaveLength(8);
  });

  it('rejects a bad class selection before touching S3', async () => {
    await expect(
      stageDataset({ s3Client: s3, bucket: BUCKET, classes: ['bicycle', 'hoverboard'] }),
    ).rejects.toThrow(/"hoverboard" is not a CIFAR-100 fine label/);
  });

  it('names the missing manifest when a split was never staged', async () => {
    await expect(loadStagedSplit(s3, BUCKET, 'never-staged', 'train')).rejects.toThrow(
      /cannot read s3:\/\/scones-stage-test\/never-staged\/train_lst\/train\.lst: NoSuchKey/,
    );
  });

  it('normalizes prefixes and rejects malformed manifest lines with their number', () => {
    expect([normalizePrefix('a/b'), normalizePrefix('/a/b/'), normalizePrefix('')]).toEqual([
      'a/b/',
      'a/b/',
      '',
    ]);
    expect(() => parseManifest('1\t0\tbicycle/a.png\n2 0 bicycle/b.png\n', 'x.lst')).toThrow(
      /x\.lst line 2 is not/,
    );
  });
});
