/**
 * The real model behind the local endpoint: a `Predictor` (src/embedded/predictors.ts) serving a
 * `model.tar.gz` from S3 or a path, with the built-in image-classification contract: one image in,
 * class probabilities out.
 *
 *   const predictor = await ModelPredictor.load('s3://bucket/jobs/job-1/output/model.tar.gz', { s3Client });
 *   await startEndpointServer({ predictor });
 *
 * Requests that arrive together are run as one batch (micro-batching): tfjs-wasm runs on one
 * thread, and a batch of 8 images costs far less than 8 single-image calls, which is what keeps
 * latency flat at concurrency 8. The endpoint process uses `createPredictor(env)`
 * (`PREDICTOR=training/predictor.ts MODEL_ARTIFACT=s3://...|path`).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import type { Predictor } from '../src/embedded/predictors.ts';
import { type LoadedModel, type ModelMetadata, readArtifactBytes, unpackModel } from './artifact.ts';
import { tf, useWasmBackend } from './backend.ts';
import { normalize } from './dataset.ts';
import { decodeImageBody } from './image-input.ts';

interface PendingImage {
  pixels: Float32Array;
  resolve: (probabilities: number[]) => void;
  reject: (error: Error) => void;
}

export interface PredictorOptions {
  /** Most images run in one batch (default 32). */
  maxBatch?: number;
}

export class ModelPredictor implements Predictor {
  readonly metadata: ModelMetadata;
  private readonly model: tf.LayersModel;
  private readonly maxBatch: number;
  private readonly imageValues: number;
  private queue: PendingImage[] = [];
  private flushScheduled = false;
  private disposed = false;

  constructor(loaded: LoadedModel, options: PredictorOptions = {}) {
    this.model = loaded.model;
    this.metadata = loaded.metadata;
    this.maxBatch = options.maxBatch ?? 32;
    const [height, width, channels] = loaded.metadata.inputShape;
    this.imageValues = height * width * channels;
    // The first call compiles and allocates; pay it at load time, not on the first request.
    tf.tidy(() => this.model.predict(tf.zeros([1, height, width, channels])));
  }

  /** Loads `model.tar.gz` from `s3://bucket/key` or a local path. */
  static async load(
    location: string,
    options: PredictorOptions & { s3Client?: S3Client } = {},
  ): Promise<ModelPredictor> {
    await useWasmBackend();
    const bytes = await readArtifactBytes(location, options.s3Client);
    return new ModelPredictor(await unpackModel(bytes), options);
  }

  ready(): boolean {
    return !this.disposed;
  }

  async predict(body: Buffer, _contentType: string): Promise<number[]> {
    // The format is sniffed from the bytes: the three accepted content types all carry images.
    const [height, width] = this.metadata.inputShape;
    const rgb = await decodeImageBody(body, { width, height });
    const pixels = normalize(rgb, this.metadata.normalization);
    return new Promise<number[]>((resolve, reject) => {
      this.queue.push({ pixels, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const probabilities = this.run(batch.map((item) => item.pixels));
        batch.forEach((item, i) => {
          item.resolve(probabilities[i] as number[]);
        });
      } catch (error) {
        for (const item of batch) item.reject(error as Error);
      }
    }
  }

  private run(images: Float32Array[]): number[][] {
    if (this.disposed) throw new Error('predictor is disposed');
    const [height, width, channels] = this.metadata.inputShape;
    const input = new Float32Array(images.length * this.imageValues);
    images.forEach((image, i) => {
      input.set(image, i * this.imageValues);
    });
    const output = tf.tidy(
      () => this.model.predict(tf.tensor4d(input, [images.length, height, width, channels])) as tf.Tensor,
    );
    const values = output.dataSync();
    output.dispose();
    const classes = this.metadata.classNames.length;
    return images.map((_, i) => Array.from(values.subarray(i * classes, (i + 1) * classes)));
  }

  dispose(): void {
    this.disposed = true;
    this.model.dispose();
  }
}

/** For `src/embedded/endpoint-main.ts`: `PREDICTOR=training/predictor.ts MODEL_ARTIFACT=<s3 URI or path>`. */
export async function createPredictor(env: NodeJS.ProcessEnv = process.env): Promise<ModelPredictor> {
  const location = env.MODEL_ARTIFACT;
  if (!location)
    throw new Error('MODEL_ARTIFACT must name the model.tar.gz to serve (s3://bucket/key or a path)');
  return ModelPredictor.load(location, { s3Client: createS3Client(loadConfig(env)) });
}
