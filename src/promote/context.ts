/** What every promotion step gets: settings, target, names, clients, and whether to change anything. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createS3Client, createSageMakerClient } from '../aws/clients.ts';
import type { ResolvedPromoteOptions } from './options.ts';
import type { ProgressListener } from './progress.ts';
import { type PromotionNames, promotionNames } from './specs.ts';
import type { PromotionTarget } from './target.ts';

export interface StepContext {
  options: ResolvedPromoteOptions;
  target: PromotionTarget;
  names: PromotionNames;
  sagemaker: SageMakerClient;
  s3: S3Client;
  /** False in plan mode: steps only read. */
  apply: boolean;
  onProgress: ProgressListener;
}

export function stepContext(
  options: ResolvedPromoteOptions,
  target: PromotionTarget,
  apply: boolean,
  onProgress: ProgressListener,
): StepContext {
  return {
    options,
    target,
    names: promotionNames(options, target),
    sagemaker: createSageMakerClient(target.config),
    s3: createS3Client(target.config),
    apply,
    onProgress,
  };
}

/** SageMaker answers a describe of something missing with a ValidationException ("Could not find ..."). */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return (
    e.name === 'ResourceNotFound' ||
    (e.name === 'ValidationException' && /could not find|does not exist|not found/i.test(e.message ?? ''))
  );
}

export async function describeOrUndefined<T>(describe: () => Promise<T>): Promise<T | undefined> {
  try {
    return await describe();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
