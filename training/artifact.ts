/**
 * Model artifacts the way SageMaker stores them: one `model.tar.gz` holding the model files at the
 * archive root. Here that is a tfjs layers model (`model.json` + `weights.bin`, the standard tfjs
 * web format) plus `metadata.json`: what a server needs to feed the model (class names, input
 * shape, layout, per-channel normalization). A training job writes it to
 * `<output>/<job>/output/model.tar.gz`, with its metrics beside it in `metrics.json`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as tar from 'tar';
import { parseS3Uri, type S3Location } from '../src/aws/s3-uri.ts';
import { tf } from './backend.ts';
import type { Normalization } from './dataset.ts';

export const ARTIFACT_FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  metadata: 'metadata.json',
} as const;
export const ARTIFACT_FORMAT = 'scones-tfjs-layers/1';

export interface ModelMetadata {
  format: typeof ARTIFACT_FORMAT;
  classNames: string[];
  /** [height, width, channels] of one image. */
  inputShape: [number, number, number];
  layout: 'NHWC';
  /** Pixels 0..255 per channel (R, G, B): (value - mean) / std. */
  normalization: Normalization;
  /** The model outputs class probabilities (softmax). */
  output: 'probabilities';
  createdAt: string;
}

export class ArtifactError extends Error {
  override name = 'ArtifactError';
}

function joinWeights(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (!data) throw new ArtifactError('model has no weights to save');
  return tf.io.CompositeArrayBuffer.join(data);
}

/** model.json in the tfjs format, its weights pointing at weights.bin. */
async function modelFiles(model: tf.LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured?.modelTopology || !captured.weightSpecs)
    throw new ArtifactError('tfjs produced no model topology');
  const modelJson = JSON.stringify({
    format: captured.format ?? 'layers-model',
    generatedBy: captured.generatedBy,
    convertedBy: captured.convertedBy ?? null,
    modelTopology: captured.modelTopology,
    weightsManifest: [{ paths: [ARTIFACT_FILES.weights], weights: captured.weightSpecs }],
  });
  return { modelJson, weights: new Uint8Array(joinWeights(captured.weightData)) };
}

/** Packs a model and its metadata into SageMaker-style `model.tar.gz` bytes. */
export async function packModel(model: tf.LayersModel, metadata: ModelMetadata): Promise<Buffer> {
  const { modelJson, weights } = await modelFiles(model);
  const dir = await mkdtemp(join(tmpdir(), 'scones-model-'));
  try {
    await writeFile(join(dir, ARTIFACT_FILES.model), modelJson);
    await writeFile(join(dir, ARTIFACT_FILES.weights), weights);
    await writeFile(join(dir, ARTIFACT_FILES.metadata), `${JSON.stringify(metadata, null, 2)}\n`);
    // Fixed mtime and portable headers: the same model always packs to the same bytes.
    const stream = tar.create(
      { gzip: true, cwd: dir, portable: true, mtime: new Date(0) },
      Object.values(ARTIFACT_FILES),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The regular files of a (gzipped) tar archive, by path, in memory. */
export async function untarFiles(archive: Uint8Array): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => {
        if (entry.type === 'File') files.set(entry.path.replace(/^\.\//, ''), Buffer.concat(chunks));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('close', resolve);
    parser.end(Buffer.from(archive));
  }).catch((error: Error) => {
    throw new ArtifactError(`model archive is not a readable tar.gz: ${error.message}`);
  });
  return files;
}

export interface LoadedModel {
  model: tf.LayersModel;
  metadata: ModelMetadata;
}

function parseJson<T>(files: Map<string, Buffer>, name: string): T {
  const file = files.get(name);
  if (!file)
    throw new ArtifactError(
      `model archive has no ${name} (found: ${[...files.keys()].join(', ') || 'nothing'})`,
    );
  try {
    return JSON.parse(file.toString('utf8')) as T;
  } catch (error) {
    throw new ArtifactError(`${name} in the model archive is not JSON: ${(error as Error).message}`);
  }
}

/** Loads `model.tar.gz` bytes into a tf.LayersModel (via tf.io.fromMemory) and its metadata. */
export async function unpackModel(archive: Uint8Array): Promise<LoadedModel> {
  const files = await untarFiles(archive);
  const metadata = parseJson<ModelMetadata>(files, ARTIFACT_FILES.metadata);
  if (metadata.format !== ARTIFACT_FORMAT) {
    throw new ArtifactError(
      `metadata.json format is "${metadata.format}"; this reader knows ${ARTIFACT_FORMAT}`,
    );
  }
  const modelJson = parseJson<{
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  }>(files, ARTIFACT_FILES.model);
  const weights = files.get(ARTIFACT_FILES.weights);
  if (!weights) throw new ArtifactError(`model archive has no ${ARTIFACT_FILES.weights}`);
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
  );
  return { model, metadata };
}

function requireS3Uri(uri: string): S3Location {
  const location = parseS3Uri(uri);
  if (!location) throw new ArtifactError(`not an s3:// URI: ${uri}`);
  return location;
}

/** Reads an artifact from `s3://bucket/key` (needs `s3Client`) or a local file path. */
export async function readArtifactBytes(location: string, s3Client?: S3Client): Promise<Uint8Array> {
  if (!location.startsWith('s3://')) {
    return readFile(location).catch((error: Error) => {
      throw new ArtifactError(`cannot read model artifact ${location}: ${error.message}`);
    });
  }
  if (!s3Client) throw new ArtifactError(`an S3 client is needed to read ${location}`);
  const { bucket, key } = requireS3Uri(location);
  const response = await s3Client
    .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    .catch((error: Error) => {
      throw new ArtifactError(`cannot read model artifact ${location}: ${error.name}: ${error.message}`);
    });
  if (!response.Body) throw new ArtifactError(`model artifact ${location} is empty`);
  return response.Body.transformToByteArray();
}

/**
 * Where a training job's outputs go: `<output>/<job>/output/`. `output` is an `s3://bucket/prefix`
 * URI (SageMaker's S3OutputPath) or a key prefix in `bucket`.
 */
export function trainingOutputLocation(output: string, job: string, bucket?: string): S3Location {
  const base = output.startsWith('s3://') ? requireS3Uri(output) : { bucket, key: output };
  if (!base.bucket) throw new ArtifactError(`output "${output}" is not an s3:// URI and no bucket was given`);
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(job)) {
    throw new ArtifactError(`job name "${job}" must be 1-63 letters, digits and hyphens (SageMaker's rule)`);
  }
  const prefix = base.key.replace(/^\/+|\/+$/g, '');
  return { bucket: base.bucket, key: `${prefix ? `${prefix}/` : ''}${job}/output/` };
}

export interface TrainingOutput {
  modelUri: string;
  metricsUri: string;
}

/** Writes `model.tar.gz` and `metrics.json` under `<output>/<job>/output/`, like a training job. */
export async function writeTrainingOutput(options: {
  s3Client: S3Client;
  output: string;
  job: string;
  bucket?: string;
  archive: Uint8Array;
  metrics: object;
}): Promise<TrainingOutput> {
  const { bucket, key } = trainingOutputLocation(options.output, options.job, options.bucket);
  const put = (name: string, body: Uint8Array | string, contentType: string) =>
    options.s3Client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${key}${name}`, Body: body, ContentType: contentType }),
    );
  await put('model.tar.gz', options.archive, 'application/gzip');
  await put('metrics.json', `${JSON.stringify(options.metrics, null, 2)}\n`, 'application/json');
  return { modelUri: `s3://${bucket}/${key}model.tar.gz`, metricsUri: `s3://${bucket}/${key}metrics.json` };
}
