/**
 * The training step: one training job of the built-in image-classification algorithm, or with
 * `--tune` a hyperparameter tuning job whose best training job makes the model. Resumable: a job of
 * the same settings (same name fingerprint, kit tags) that completed is reused, one in progress is
 * waited for; only a failed or stopped one leads to a new attempt (`-2`, `-3`, ...).
 */
import {
  CreateHyperParameterTuningJobCommand,
  CreateTrainingJobCommand,
  DescribeHyperParameterTuningJobCommand,
  type DescribeHyperParameterTuningJobCommandOutput,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
  paginateListHyperParameterTuningJobs,
  paginateListTrainingJobs,
} from '@aws-sdk/client-sagemaker';
import { action } from '../actions.ts';
import type { StepContext } from '../context.ts';
import { allPages, isKitTagged, sageMakerResourceTags } from '../pages.ts';
import { waitUntilDone } from '../progress.ts';
import { trainingJobRequest, tuningJobRequest } from '../specs.ts';
import type { AttemptChoice, JobAttempt, TrainingOutcome } from './types.ts';

const REUSABLE = ['Completed'];
const RUNNING = ['InProgress', 'Stopping'];

async function isOurs(ctx: StepContext, arn: string): Promise<boolean> {
  return isKitTagged(await sageMakerResourceTags(ctx.sagemaker, arn), ctx.target.stage);
}

/**
 * Attempts of the same settings are `base`, `base-2`, ...: reuse a completed one, else wait for a
 * running one (only if it carries the kit's tags), else the next free name (SageMaker job names
 * cannot be reused, even by a failed job).
 */
export async function chooseAttempt(
  base: string,
  attempts: JobAttempt[],
  isOurs: (arn: string) => Promise<boolean>,
): Promise<AttemptChoice> {
  const mine = attempts.filter(
    (job) => job.name === base || (job.name.startsWith(base) && /^-\d+$/.test(job.name.slice(base.length))),
  );
  for (const statuses of [REUSABLE, RUNNING]) {
    for (const job of mine.filter((candidate) => statuses.includes(candidate.status))) {
      if (await isOurs(job.arn)) return { existing: job, name: job.name };
    }
  }
  const taken = new Set(attempts.map((job) => job.name));
  let name = base;
  for (let attempt = 2; taken.has(name); attempt++) name = `${base}-${attempt}`;
  const failed = mine.map((job) => `${job.name} ${job.status}`).join(', ');
  return failed ? { name, failed } : { name };
}

function pickAttempt(ctx: StepContext, base: string, attempts: JobAttempt[]): Promise<AttemptChoice> {
  return chooseAttempt(base, attempts, (arn) => isOurs(ctx, arn));
}

function describeTrainingJob(ctx: StepContext, name: string) {
  return ctx.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
}

/** SageMaker's finer status and its latest message, e.g. "Training: Training image download completed...". */
function secondaryStatus(job: DescribeTrainingJobCommandOutput): string | undefined {
  const latest = job.SecondaryStatusTransitions?.at(-1)?.StatusMessage;
  if (!job.SecondaryStatus) return undefined;
  return latest ? `${job.SecondaryStatus}: ${latest}` : job.SecondaryStatus;
}

function waitForTrainingJob(ctx: StepContext, name: string): Promise<DescribeTrainingJobCommandOutput> {
  return waitUntilDone({
    resource: `training job ${name}`,
    describe: () => describeTrainingJob(ctx, name),
    observe: (job) => ({
      status: job.TrainingJobStatus ?? 'Unknown',
      detail: secondaryStatus(job),
      metrics: (job.FinalMetricDataList ?? []).flatMap((metric) =>
        metric.MetricName && metric.Value !== undefined
          ? [{ name: metric.MetricName, value: metric.Value }]
          : [],
      ),
      failureReason: job.FailureReason,
    }),
    succeeded: ['Completed'],
    failed: ['Failed', 'Stopped'],
    intervalMs: ctx.options.pollIntervalMs,
    onProgress: ctx.onProgress,
  });
}

function trainingSettings(ctx: StepContext): string {
  const o = ctx.options;
  return `${o.trainingInstanceType}, ${o.epochs} epochs, learning_rate ${o.learningRate}, mini_batch_size ${o.miniBatchSize}, at most ${o.maxTrainingMinutes} min`;
}

/** What differs between a training job and a tuning job; the resume logic is shared. */
interface JobKind {
  type: 'sagemaker training job' | 'sagemaker tuning job';
  base: string;
  list(): Promise<JobAttempt[]>;
  /** The model of a job that completed earlier (undefined where it cannot be known yet). */
  reusedModel(name: string): Promise<string | undefined>;
  createDetail: string;
  create(name: string): Promise<string | undefined>;
  /** Waits until the job is done; returns its model. */
  finish(name: string): Promise<string | undefined>;
}

async function ensureJob(ctx: StepContext, kind: JobKind): Promise<TrainingOutcome> {
  const pick = await pickAttempt(ctx, kind.base, await kind.list());
  if (pick.existing?.status === 'Completed') {
    return {
      action: action(
        'training',
        kind.type,
        pick.name,
        'none',
        'completed earlier with the same settings: reused',
        pick.existing.arn,
      ),
      jobName: pick.name,
      modelDataUrl: await kind.reusedModel(pick.name),
    };
  }
  const planned = pick.existing
    ? action(
        'training',
        kind.type,
        pick.name,
        'wait',
        `already ${pick.existing.status}: waiting for it`,
        pick.existing.arn,
      )
    : action(
        'training',
        kind.type,
        pick.name,
        'create',
        `${kind.createDetail}${pick.failed ? ` (earlier attempts: ${pick.failed})` : ''}`,
      );
  if (!ctx.apply) return { action: planned, jobName: pick.name };
  if (!pick.existing) planned.arn = await kind.create(pick.name);
  return { action: planned, jobName: pick.name, modelDataUrl: await kind.finish(pick.name) };
}

function requireSamples(numTrainingSamples: number | undefined): number {
  if (numTrainingSamples === undefined)
    throw new Error('num_training_samples is unknown: stage the data first');
  return numTrainingSamples;
}

export function ensureTrainingJob(
  ctx: StepContext,
  roleArn: string,
  numTrainingSamples: number | undefined,
): Promise<TrainingOutcome> {
  return ensureJob(ctx, {
    type: 'sagemaker training job',
    base: ctx.names.trainingJobBase,
    async list() {
      const jobs = await allPages(
        paginateListTrainingJobs(
          { client: ctx.sagemaker, pageSize: 100 },
          { NameContains: ctx.names.trainingJobBase },
        ),
        (page) => page.TrainingJobSummaries,
      );
      return jobs.map((job) => ({
        name: job.TrainingJobName ?? '',
        arn: job.TrainingJobArn ?? '',
        status: job.TrainingJobStatus ?? '',
      }));
    },
    reusedModel: async (name) => (await describeTrainingJob(ctx, name)).ModelArtifacts?.S3ModelArtifacts,
    createDetail: trainingSettings(ctx),
    async create(name) {
      const request = trainingJobRequest(
        {
          options: ctx.options,
          target: ctx.target,
          roleArn,
          numTrainingSamples: requireSamples(numTrainingSamples),
        },
        name,
      );
      return (await ctx.sagemaker.send(new CreateTrainingJobCommand(request))).TrainingJobArn;
    },
    finish: async (name) => (await waitForTrainingJob(ctx, name)).ModelArtifacts?.S3ModelArtifacts,
  });
}

function describeTuningJob(ctx: StepContext, name: string) {
  return ctx.sagemaker.send(
    new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }),
  );
}

function waitForTuningJob(
  ctx: StepContext,
  name: string,
): Promise<DescribeHyperParameterTuningJobCommandOutput> {
  return waitUntilDone({
    resource: `tuning job ${name}`,
    describe: () => describeTuningJob(ctx, name),
    observe: (job) => {
      const counts = job.TrainingJobStatusCounters;
      const best = job.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric;
      return {
        status: job.HyperParameterTuningJobStatus ?? 'Unknown',
        detail: counts
          ? `${counts.Completed ?? 0} completed, ${counts.InProgress ?? 0} in progress, ${(counts.NonRetryableError ?? 0) + (counts.RetryableError ?? 0)} failed`
          : undefined,
        metrics:
          best?.MetricName && best.Value !== undefined
            ? [{ name: `best ${best.MetricName}`, value: best.Value }]
            : [],
        failureReason: job.FailureReason,
      };
    },
    succeeded: ['Completed'],
    failed: ['Failed', 'Stopped'],
    intervalMs: ctx.options.pollIntervalMs,
    onProgress: ctx.onProgress,
  });
}

export class BestTrainingJobError extends Error {
  override name = 'BestTrainingJobError';
}

/** The model artifact of the tuning job's best training job. */
async function bestModel(
  ctx: StepContext,
  tuning: DescribeHyperParameterTuningJobCommandOutput,
): Promise<string> {
  const best = tuning.BestTrainingJob?.TrainingJobName;
  if (!best)
    throw new BestTrainingJobError(
      `Tuning job ${tuning.HyperParameterTuningJobName} has no best training job`,
    );
  let job: DescribeTrainingJobCommandOutput;
  try {
    job = await describeTrainingJob(ctx, best);
  } catch (error) {
    throw new BestTrainingJobError(
      `Best training job "${best}" of tuning job ${tuning.HyperParameterTuningJobName} cannot be described: ${(error as Error).message}`,
    );
  }
  const url = job.ModelArtifacts?.S3ModelArtifacts;
  if (!url) throw new BestTrainingJobError(`Best training job ${best} has no model artifact`);
  ctx.onProgress({ type: 'info', message: `  best training job: ${best} (${url})` });
  return url;
}

export function ensureTuningJob(
  ctx: StepContext,
  roleArn: string,
  numTrainingSamples: number | undefined,
): Promise<TrainingOutcome> {
  const o = ctx.options;
  return ensureJob(ctx, {
    type: 'sagemaker tuning job',
    base: ctx.names.tuningJobBase,
    async list() {
      const jobs = await allPages(
        paginateListHyperParameterTuningJobs(
          { client: ctx.sagemaker, pageSize: 100 },
          { NameContains: ctx.names.tuningJobBase },
        ),
        (page) => page.HyperParameterTuningJobSummaries,
      );
      return jobs.map((job) => ({
        name: job.HyperParameterTuningJobName ?? '',
        arn: job.HyperParameterTuningJobArn ?? '',
        status: job.HyperParameterTuningJobStatus ?? '',
      }));
    },
    // The best job's model is looked up only when applying (plan mode stays read-only and cheap).
    reusedModel: async (name) => (ctx.apply ? bestModel(ctx, await describeTuningJob(ctx, name)) : undefined),
    createDetail: `up to ${o.maxTuningJobs} jobs (${Math.min(o.maxParallelTuningJobs, o.maxTuningJobs)} in parallel) on ${o.trainingInstanceType}, objective validation:accuracy (Maximize), ranges learning_rate, mini_batch_size, optimizer`,
    async create(name) {
      const request = tuningJobRequest(
        { options: o, target: ctx.target, roleArn, numTrainingSamples: requireSamples(numTrainingSamples) },
        name,
      );
      return (await ctx.sagemaker.send(new CreateHyperParameterTuningJobCommand(request)))
        .HyperParameterTuningJobArn;
    },
    finish: async (name) => bestModel(ctx, await waitForTuningJob(ctx, name)),
  });
}
