/**
 * `train(options)`: the local stand-in for a SageMaker training job, behind `scones train`.
 * Reads the `train` and `validation` channels that `stage` wrote (PNGs + `.lst` manifests), trains
 * (train.ts), and writes `<output>/<job>/output/model.tar.gz` and `<output>/<job>/output/metrics.json`
 * as a training job does. The test channel is not read.
 *
 *   await train({ s3Client, bucket: 'scones-images', prefix: 'datasets/cifar-100',
 *                 output: 's3://scones-images/training-jobs', job: 'scones-2026-11-27', onEpoch });
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ARTIFACT_FORMAT,
  type ModelMetadata,
  packModel,
  type TrainingOutput,
  writeTrainingOutput,
} from './artifact.ts';
import { INPUT_SHAPE } from './model.ts';
import { loadStagedSplit } from './staged-dataset.ts';
import { type EpochProgress, type TrainOptions, type TrainResult, trainModel } from './train.ts';

export interface TrainJobOptions {
  s3Client: S3Client;
  /** Bucket of the staged channels. */
  bucket: string;
  /** Base prefix that `stage` wrote under (e.g. `datasets/cifar-100`). */
  prefix: string;
  /** `s3://bucket/prefix` (SageMaker's S3OutputPath) or a key prefix in `bucket`. */
  output: string;
  /** Training job name: letters, digits, hyphens. */
  job: string;
  epochs?: number;
  seed?: number;
  onEpoch?: (progress: EpochProgress) => void;
  /** Other trainer settings (learning rate, batch size, model shape). */
  hyperparameters?: Omit<TrainOptions, 'train' | 'validation' | 'onEpoch' | 'epochs' | 'seed'>;
}

export interface TrainJobResult extends TrainingOutput {
  result: TrainResult;
  metrics: TrainingMetrics;
}

export interface TrainingMetrics {
  job: string;
  classNames: string[];
  images: { train: number; validation: number };
  epochs: EpochProgress[];
  final: { loss: number; trainAccuracy: number; validationAccuracy: number };
  trainSeconds: number;
  seed: number | undefined;
}

export function metadataFor(result: TrainResult, classNames: string[]): ModelMetadata {
  return {
    format: ARTIFACT_FORMAT,
    classNames,
    inputShape: [...INPUT_SHAPE],
    layout: 'NHWC',
    normalization: result.normalization,
    output: 'probabilities',
    createdAt: new Date().toISOString(),
  };
}

export async function train(options: TrainJobOptions): Promise<TrainJobResult> {
  const { s3Client, bucket, prefix } = options;
  const [trainImages, validation] = await Promise.all([
    loadStagedSplit(s3Client, bucket, prefix, 'train'),
    loadStagedSplit(s3Client, bucket, prefix, 'validation'),
  ]);
  const result = await trainModel({
    ...options.hyperparameters,
    train: trainImages,
    validation,
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
  });
  const last = result.history[result.history.length - 1];
  const metrics: TrainingMetrics = {
    job: options.job,
    classNames: trainImages.classNames,
    images: { train: trainImages.count, validation: validation.count },
    epochs: result.history,
    final: {
      loss: last?.loss ?? Number.NaN,
      trainAccuracy: last?.trainAccuracy ?? Number.NaN,
      validationAccuracy: last?.validationAccuracy ?? Number.NaN,
    },
    trainSeconds: result.trainSeconds,
    seed: options.seed,
  };
  const archive = await packModel(result.model, metadataFor(result, trainImages.classNames));
  const written = await writeTrainingOutput({
    s3Client,
    output: options.output,
    job: options.job,
    bucket,
    archive,
    metrics,
  });
  return { ...written, result, metrics };
}
