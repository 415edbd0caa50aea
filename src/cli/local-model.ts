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
import type { EmbeddedRuntime, WorkflowEndpointFactory } from '../embedded/runtime.ts';
import { createStubPredictor } from '../embedded/sagemaker-runtime/index.ts';
import { DEFAULT_CAPTURE_PREFIX } from '../workflow/definition.ts';
import { log } from './log.ts';

/** Prefix of captured endpoint traffic in the embedded bucket (as a DataCaptureConfig's). */
export const CAPTURE_PREFIX = DEFAULT_CAPTURE_PREFIX;

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
 * The workflow's endpoint for a run of the embedded tier: the trained model of the embedded store,
 * which the runtime deploys through the local SageMaker API (CreateModel, CreateEndpointConfig,
 * CreateEndpoint; reused when already InService). When none exists yet, `trainIfMissing` (the
 * demo) trains it on the staged data, otherwise (classify, load) the stub answers instead.
 */
export function localModelEndpoint(trainIfMissing: boolean): WorkflowEndpointFactory {
  return async (s3, config) => {
    const uri = modelUri(config.bucket);
    if (!(await exists(s3, uri))) {
      if (!trainIfMissing) {
        log('no trained model yet (run `scones demo` or `scones train`): using the stub endpoint');
        return { predictor: createStubPredictor() };
      }
      await trainLocalModel(s3, config.bucket);
    }
    log(`serving ${uri} as endpoint ${config.endpointName} (through the local SageMaker API)`);
    return { modelDataUrl: uri };
  };
}

/** What the runtime's workflow endpoint serves, in the words of the commands' reports. */
export function endpointServes(runtime: EmbeddedRuntime | undefined): 'trained model' | 'stub' {
  return runtime?.modelEndpoint ? 'trained model' : 'stub';
}
