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
  ListHyperParameterTuningJobsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
} from '@aws-sdk/client-sagemaker';
import { TAG_KIT, TAG_STAGE } from '../deploy/index.ts';
import { action, type PromotionAction } from './actions.ts';
import type { StepContext } from './context.ts';
import { waitUntilDone } from './progress.ts';
import { trainingJobRequest, tuningJobRequest } from './specs.ts';

export interface TrainingOutcome {
  action: PromotionAction;
  jobName: string;
  /** s3://.../model.tar.gz of the trained (or best tuned) model; undefined in plan mode until trained. */
  modelDataUrl?: string;
}

const REUSABLE = ['Completed'];
const RUNNING = ['InProgress', 'Stopping'];

async function isOurs(ctx: StepContext, arn: string): Promise<boolean> {
  const { Tags = [] } = await ctx.sagemaker.send(new ListTagsCommand({ ResourceArn: arn }));
  const tags = new Map(Tags.map((tag) => [tag.Key, tag.Value]));
  return tags.get(TAG_KIT) === 'scones' && tags.get(TAG_STAGE) === ctx.target.stage;
}

export interface JobAttempt {
  name: string;
  arn: string;
  status: string;
}

export interface AttemptChoice {
  /** The job to reuse (Completed) or wait for (InProgress, Stopping); undefined: create `name`. */
  existing?: JobAttempt;
  name: string;
  /** Earlier attempts that cannot be reused, e.g. "job Failed, job-2 Stopped". */
  failed?: string;
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

export async function ensureTrainingJob(
  ctx: StepContext,
  roleArn: string,
  numTrainingSamples: number | undefined,
): Promise<TrainingOutcome> {
  const base = ctx.names.trainingJobBase;
  const { TrainingJobSummaries = [] } = await ctx.sagemaker.send(
    new ListTrainingJobsCommand({ NameContains: base, MaxResults: 100 }),
  );
  const attempts = TrainingJobSummaries.map((job) => ({
    name: job.TrainingJobName ?? '',
    arn: job.TrainingJobArn ?? '',
    status: job.TrainingJobStatus ?? '',
  }));
  const pick = await pickAttempt(ctx, base, attempts);
  const type = 'sagemaker training job' as const;

  if (pick.existing?.status === 'Completed') {
    const job = await describeTrainingJob(ctx, pick.name);
    return {
      action: action(
        'training',
        type,
        pick.name,
        'none',
        'completed earlier with the same settings: reused',
        pick.existing.arn,
      ),
      jobName: pick.name,
      modelDataUrl: job.ModelArtifacts?.S3ModelArtifacts,
    };
  }
  const planned = pick.existing
    ? action(
        'training',
        type,
        pick.name,
        'wait',
        `already ${pick.existing.status}: waiting for it`,
        pick.existing.arn,
      )
    : action(
        'training',
        type,
        pick.name,
        'create',
        `${trainingSettings(ctx)}${pick.failed ? ` (earlier attempts: ${pick.failed})` : ''}`,
      );
  if (!ctx.apply) return { action: planned, jobName: pick.name };

  if (!pick.existing) {
    if (numTrainingSamples === undefined)
      throw new Error('num_training_samples is unknown: stage the data first');
    const request = trainingJobRequest(
      { options: ctx.options, target: ctx.target, roleArn, numTrainingSamples },
      pick.name,
    );
    const created = await ctx.sagemaker.send(new CreateTrainingJobCommand(request));
    planned.arn = created.TrainingJobArn;
  }
  const done = await waitForTrainingJob(ctx, pick.name);
  return { action: planned, jobName: pick.name, modelDataUrl: done.ModelArtifacts?.S3ModelArtifacts };
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

export async function ensureTuningJob(
  ctx: StepContext,
  roleArn: string,
  numTrainingSamples: number | undefined,
): Promise<TrainingOutcome> {
  const base = ctx.names.tuningJobBase;
  const { HyperParameterTuningJobSummaries = [] } = await ctx.sagemaker.send(
    new ListHyperParameterTuningJobsCommand({ NameContains: base, MaxResults: 100 }),
  );
  const attempts = HyperParameterTuningJobSummaries.map((job) => ({
    name: job.HyperParameterTuningJobName ?? '',
    arn: job.HyperParameterTuningJobArn ?? '',
    status: job.HyperParameterTuningJobStatus ?? '',
  }));
  const pick = await pickAttempt(ctx, base, attempts);
  const type = 'sagemaker tuning job' as const;
  const o = ctx.options;

  if (pick.existing?.status === 'Completed') {
    const tuning = await describeTuningJob(ctx, pick.name);
    return {
      action: action(
        'training',
        type,
        pick.name,
        'none',
        'completed earlier with the same settings: reused',
        pick.existing.arn,
      ),
      jobName: pick.name,
      modelDataUrl: ctx.apply ? await bestModel(ctx, tuning) : undefined,
    };
  }
  const planned = pick.existing
    ? action(
        'training',
        type,
        pick.name,
        'wait',
        `already ${pick.existing.status}: waiting for it`,
        pick.existing.arn,
      )
    : action(
        'training',
        type,
        pick.name,
        'create',
        `up to ${o.maxTuningJobs} jobs (${Math.min(o.maxParallelTuningJobs, o.maxTuningJobs)} in parallel) on ${o.trainingInstanceType}, objective validation:accuracy (Maximize), ranges learning_rate, mini_batch_size, optimizer`,
      );
  if (!ctx.apply) return { action: planned, jobName: pick.name };

  if (!pick.existing) {
    if (numTrainingSamples === undefined)
      throw new Error('num_training_samples is unknown: stage the data first');
    const request = tuningJobRequest(
      { options: o, target: ctx.target, roleArn, numTrainingSamples },
      pick.name,
    );
    const created = await ctx.sagemaker.send(new CreateHyperParameterTuningJobCommand(request));
    planned.arn = created.HyperParameterTuningJobArn;
  }
  const done = await waitForTuningJob(ctx, pick.name);
  return { action: planned, jobName: pick.name, modelDataUrl: await bestModel(ctx, done) };
}
