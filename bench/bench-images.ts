/** The embedded tier and CIFAR images (train split) in its bucket, for the benchmarks that run executions. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../src/embedded/runtime.ts';
import { createStubPredictor } from '../src/embedded/sagemaker-runtime/index.ts';
import type { EmbeddedRuntimeOptions } from '../src/embedded/types.ts';
import { readCifar } from '../training/cifar.ts';
import { encodePlanesAsPng } from '../training/png.ts';

export interface StagedImages {
  keys: string[];
  pngs: Buffer[];
}

/** Uploads the first `count` training images under `bench/<class>/<index>.png`. */
export async function stageBenchImages(
  runtime: Pick<EmbeddedRuntime, 'config' | 's3'>,
  count: number,
): Promise<StagedImages> {
  const { config, s3 } = runtime;
  const staged: StagedImages = { keys: [], pngs: [] };
  for await (const record of readCifar(undefined, { splits: ['train'] })) {
    const png = await encodePlanesAsPng(record.pixels);
    const key = `bench/${record.className}/${record.sourceIndex}.png`;
    await s3.send(
      new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: png, ContentType: 'image/png' }),
    );
    staged.keys.push(key);
    staged.pngs.push(png);
    if (staged.keys.length === count) break;
  }
  return staged;
}

/** The same staged images into another tier's bucket, under the same keys. */
export async function putStaged(
  runtime: Pick<EmbeddedRuntime, 'config' | 's3'>,
  staged: StagedImages,
): Promise<void> {
  for (const [i, key] of staged.keys.entries()) {
    await runtime.s3.send(
      new PutObjectCommand({
        Bucket: runtime.config.bucket,
        Key: key,
        Body: staged.pngs[i],
        ContentType: 'image/png',
      }),
    );
  }
}

export interface BenchTier {
  runtime: EmbeddedRuntime;
  /** Stops the tier and removes its folder. */
  close(): Promise<void>;
}

/**
 * The embedded tier in a temporary folder, its stub endpoint answering confidently: every
 * execution takes the routing path (S3 read, serialize, endpoint, filter, decision).
 */
export async function startBenchTier(
  name: string,
  options: { workflow?: EmbeddedRuntimeOptions['workflow'] } = {},
): Promise<BenchTier> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `scones-${name}-`));
  const runtime = await startEmbeddedRuntime({
    dataDir,
    predictor: createStubPredictor({ probabilities: [0.95, 0.05] }),
    ...(options.workflow ? { workflow: options.workflow } : {}),
  });
  return {
    runtime,
    async close() {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
