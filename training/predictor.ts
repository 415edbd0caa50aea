/**
 * The real model behind the local endpoint: a `Predictor` (src/workflow/predictor.ts) serving a
 * `model.tar.gz` from S3 or a path, with the built-in image-classification contract: one image in,
 * class probabilities out.
 *
 *   const predictor = await ModelPredictor.load('s3://bucket/jobs/job-1/output/model.tar.gz', { s3Client });
 *   await startEndpointServer({ predictor });
 *
 * The forward pass runs on ONNX Runtime over an in-memory ONNX export of the model (tfjs when the
 * export does not cover it, or with `engine: 'tfjs'`); see inference-engines.ts. One batch is in
 * flight at a time and requests that arrive meanwhile form the next batch (micro-batching), so
 * per-call overheads are shared at concurrency 8. The endpoint process uses `createPredictor(env)`
 * (`PREDICTOR=training/predictor.ts MODEL_ARTIFACT=s3://...|path`, optional `MODEL_ENGINE=tfjs`).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import type { Predictor } from '../src/workflow/predictor.ts';
import { type LoadedModel, type ModelMetadata, readArtifactBytes, unpackModel } from './artifact.ts';
import { useWasmBackend } from './backend.ts';
import { normalize } from './dataset.ts';
import { decodeImageBody } from './image-input.ts';
import { createEngine, type EngineName, type InferenceEngine } from './inference-engines.ts';

interface PendingImage {
  pixels: Float32Array;
  resolve: (probabilities: number[]) => void;
  reject: (error: Error) => void;
}

export interface PredictorOptions {
  /** Most images run in one batch (default 32). */
  maxBatch?: number;
  /** Default `onnx` (falls back to tfjs for models the ONNX export does not cover). */
  engine?: EngineName;
}

export class ModelPredictor implements Predictor {
  readonly metadata: ModelMetadata;
  readonly engine: InferenceEngine;
  private readonly maxBatch: number;
  private readonly imageValues: number;
  private queue: PendingImage[] = [];
  private draining = false;
  private disposed = false;

  constructor(metadata: ModelMetadata, engine: InferenceEngine, options: PredictorOptions = {}) {
    this.metadata = metadata;
    this.engine = engine;
    this.maxBatch = options.maxBatch ?? 32;
    const [height, width, channels] = metadata.inputShape;
    this.imageValues = height * width * channels;
  }

  static async fromModel(loaded: LoadedModel, options: PredictorOptions = {}): Promise<ModelPredictor> {
    const engine = await createEngine(loaded.model, loaded.metadata.inputShape, options.engine);
    // The first call allocates and compiles; pay it at load time, not on the first request.
    await engine.run(new Float32Array(loaded.metadata.inputShape.reduce((a, b) => a * b, 1)), 1);
    return new ModelPredictor(loaded.metadata, engine, options);
  }

  /** Loads `model.tar.gz` from `s3://bucket/key` or a local path. */
  static async load(
    location: string,
    options: PredictorOptions & { s3Client?: S3Client } = {},
  ): Promise<ModelPredictor> {
    await useWasmBackend();
    const bytes = await readArtifactBytes(location, options.s3Client);
    return ModelPredictor.fromModel(await unpackModel(bytes), options);
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
      if (!this.draining) {
        this.draining = true;
        // Let the requests decoded in this turn of the event loop join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const probabilities = await this.run(batch.map((item) => item.pixels));
          batch.forEach((item, i) => {
            item.resolve(probabilities[i] as number[]);
          });
        } catch (error) {
          for (const item of batch) item.reject(error as Error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async run(images: Float32Array[]): Promise<number[][]> {
    if (this.disposed) throw new Error('predictor is disposed');
    const input = new Float32Array(images.length * this.imageValues);
    images.forEach((image, i) => {
      input.set(image, i * this.imageValues);
    });
    const values = await this.engine.run(input, images.length);
    const classes = this.metadata.classNames.length;
    return images.map((_, i) => Array.from(values.subarray(i * classes, (i + 1) * classes)));
  }

  dispose(): void {
    this.disposed = true;
    this.engine.dispose();
  }
}

/** For `src/embedded/sagemaker-runtime/endpoint-main.ts`: `PREDICTOR=training/predictor.ts MODEL_ARTIFACT=<s3 URI or path>`. */
export async function createPredictor(env: NodeJS.ProcessEnv = process.env): Promise<ModelPredictor> {
  const location = env.MODEL_ARTIFACT;
  if (!location)
    throw new Error('MODEL_ARTIFACT must name the model.tar.gz to serve (s3://bucket/key or a path)');
  const engine = env.MODEL_ENGINE;
  if (engine !== undefined && engine !== 'onnx' && engine !== 'tfjs') {
    throw new Error(`MODEL_ENGINE must be onnx or tfjs; got "${engine}"`);
  }
  // Only an s3:// artifact needs a client (and, outside AWS, AWS_ENDPOINT_URL_S3: config.ts says so).
  return ModelPredictor.load(location, {
    ...(location.startsWith('s3://') ? { s3Client: createS3Client(loadConfig(env)) } : {}),
    ...(engine ? { engine } : {}),
  });
}
