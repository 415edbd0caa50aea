/**
 * The locally trained model, as the CLI finds or makes it: staged data and a SageMaker-style
 * training output in the embedded store, trained once and reused afterwards. Staging (sharp),
 * training and the model (tfjs, onnxruntime) are loaded only when used: `classify --stub` and
 * the commands that only need `datasetPrefix` load none of them.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_PREFIX, normalizePrefix } from '../../training/staged-layout.ts';
import type { EpochProgress } from '../../training/train.ts';
import { parseS3Uri, type S3Location } from '../aws/s3-uri.ts';
import type { KitConfig } from '../config.ts';
import type { EmbeddedRuntime } from '../embedded/runtime.ts';
import { createStubPredictor } from '../embedded/sagemaker-runtime/index.ts';
import type { Predictor } from '../workflow/predictor.ts';
import { log } from './log.ts';

/** Prefix of captured endpoint traffic in the embedded bucket (as a DataCaptureConfig's). */
export const CAPTURE_PREFIX = 'data_capture';

/** Job name of the local training run, and where its output goes (as SageMaker's S3OutputPath). */
export const LOCAL_TRAINING_JOB = 'scones-local';
export const TRAINING_OUTPUT_PREFIX = 'training-jobs';

export const datasetPrefix = () => normalizePrefix(DEFAULT_PREFIX);

export function modelUri(bucket: string, job = LOCAL_TRAINING_JOB): string {
  return `s3://${bucket}/${TRAINING_OUTPUT_PREFIX}/${job}/output/model.tar.gz`;
}

export function formatEpoch(p: EpochProgress): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return (
    `epoch ${String(p.epoch).padStart(2)}/${p.epochs}  loss ${p.loss.toFixed(4)}  ` +
    `train ${pct(p.trainAccuracy)}  validation ${pct(p.validationAccuracy)}  ${p.seconds.toFixed(1)} s`
  );
}

/** Stages CIFAR-100 (default: the shipped subset, under the demo's prefix) and says what it did. */
export async function stageData(
  s3: S3Client,
  bucket: string,
  options: { source?: string; prefix?: string } = {},
) {
  const { stage } = await import('../../training/stage.ts');
  const prefix = options.prefix ?? datasetPrefix();
  log(
    `staging ${options.source ?? 'the shipped CIFAR-100 images'} into s3://${bucket}/${normalizePrefix(prefix)} ...`,
  );
  const report = await stage({
    bucket,
    prefix,
    s3Client: s3,
    ...(options.source ? { source: options.source } : {}),
  });
  log(`staged: ${report.uploaded} uploaded, ${report.unchanged} unchanged (${report.seconds.toFixed(2)} s)`);
  return report;
}

export async function trainLocalModel(
  s3: S3Client,
  bucket: string,
  options: { epochs?: number; seed?: number } = {},
) {
  log(`training job ${LOCAL_TRAINING_JOB} on the staged train/validation channels (CPU, tfjs-wasm) ...`);
  const { train } = await import('../../training/train-job.ts');
  const result = await train({
    s3Client: s3,
    bucket,
    prefix: datasetPrefix(),
    output: `s3://${bucket}/${TRAINING_OUTPUT_PREFIX}`,
    job: LOCAL_TRAINING_JOB,
    ...options,
    onEpoch: (progress) => log(formatEpoch(progress)),
  });
  log(`model: ${result.modelUri} (${result.metrics.trainSeconds.toFixed(1)} s)`);
  return result;
}

export async function exists(s3: S3Client, uri: string): Promise<boolean> {
  const { bucket, key } = parseS3Uri(uri) as S3Location;
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

/**
 * The trained model from the embedded store; when none exists yet, `trainIfMissing` (the demo)
 * trains it on the staged data, otherwise (classify) the stub answers instead.
 */
export function localModelPredictor(trainIfMissing: boolean) {
  return async (s3: S3Client, config: KitConfig): Promise<Predictor> => {
    const uri = modelUri(config.bucket);
    if (!(await exists(s3, uri))) {
      if (!trainIfMissing) {
        log('no trained model yet (run `scones demo` or `scones train`): using the stub endpoint');
        return createStubPredictor();
      }
      await trainLocalModel(s3, config.bucket);
    }
    log(`serving ${uri}`);
    const { ModelPredictor } = await import('../../training/predictor.ts');
    return ModelPredictor.load(uri, { s3Client: s3 });
  };
}

/**
 * What the runtime's endpoint serves, in the words of the commands' reports. The model's modules
 * (tfjs, onnxruntime) are loaded only when it may serve a model: not with --stub.
 */
export async function endpointServes(
  runtime: EmbeddedRuntime | undefined,
  mayServeModel: boolean,
): Promise<'trained model' | 'stub'> {
  if (!mayServeModel) return 'stub';
  const { ModelPredictor } = await import('../../training/predictor.ts');
  return runtime?.endpoint.predictor instanceof ModelPredictor ? 'trained model' : 'stub';
}
