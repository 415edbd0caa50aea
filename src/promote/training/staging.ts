/**
 * The staging step: CIFAR-100 images and `.lst` manifests into the bucket through the staging
 * code of training/stage.ts (uploads only what is missing or changed), then num_training_samples
 * read from the staged train manifest, so the hyperparameter matches what the job will read.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { stageDataset } from '../../../training/stage.ts';
import { action } from '../actions.ts';
import type { StepContext } from '../context.ts';
import { DATA_PREFIX, TRAIN_MANIFEST_KEY } from '../specs.ts';
import type { PromotionAction } from '../types.ts';

export interface StagingOutcome {
  action: PromotionAction;
  /** Lines of the staged train manifest; undefined when nothing is staged yet (plan mode). */
  numTrainingSamples?: number;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404;
}

/** Records in the staged train manifest (one non-empty line each). */
export async function stagedTrainingSamples(ctx: StepContext): Promise<number | undefined> {
  try {
    const object = await ctx.s3.send(
      new GetObjectCommand({ Bucket: ctx.target.bucket, Key: TRAIN_MANIFEST_KEY }),
    );
    const text = (await object.Body?.transformToString()) ?? '';
    return text.split('\n').filter((line) => line.trim() !== '').length;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

export async function stageTrainingData(ctx: StepContext): Promise<StagingOutcome> {
  const where = `s3://${ctx.target.bucket}/${DATA_PREFIX}`;
  const source = ctx.options.dataSource ?? 'the shipped CIFAR-100 subset';
  if (!ctx.apply) {
    const staged = await stagedTrainingSamples(ctx);
    const state =
      staged === undefined ? 'nothing staged yet' : `${staged} training samples staged; uploads only changes`;
    return {
      action: action(
        'stage-data',
        's3 objects',
        where,
        'run',
        `${source}: train, validation, test + .lst manifests (${state})`,
      ),
      numTrainingSamples: staged,
    };
  }
  const report = await stageDataset({
    s3Client: ctx.s3,
    bucket: ctx.target.bucket,
    prefix: DATA_PREFIX,
    ...(ctx.options.dataSource ? { source: ctx.options.dataSource } : {}),
  });
  const numTrainingSamples = await stagedTrainingSamples(ctx);
  if (!numTrainingSamples)
    throw new Error(`Staging wrote no training manifest at s3://${ctx.target.bucket}/${TRAIN_MANIFEST_KEY}`);
  const detail =
    `${report.uploaded} uploaded, ${report.unchanged} unchanged; ` +
    `${report.splits.train} train / ${report.splits.validation} validation / ${report.splits.test} test images`;
  return { action: action('stage-data', 's3 objects', where, 'run', detail), numTrainingSamples };
}
