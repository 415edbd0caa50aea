/**
 * CreateHyperParameterTuningJob, DescribeHyperParameterTuningJob, ListHyperParameterTuningJobs,
 * StopHyperParameterTuningJob, ListTrainingJobsForHyperParameterTuningJob.
 */
import { arnOf } from '../arns.ts';
import { ResourceInUse, ResourceNotFound, ValidationException } from '../errors.ts';
import { checkTrainingDefinition, type TrainingDefinition } from '../jobs/admission.ts';
import type { TuningExecutor } from '../jobs/tuning-executor.ts';
import { checkTuningConfig } from '../jobs/tuning-strategy.ts';
import { type ListQuery, page } from '../listing.ts';
import type { Operation, ServiceContext, Tag, TrainingJobRecord, TuningJobRecord } from '../types.ts';
import { validate } from '../validation/shapes.ts';
import {
  CREATE_TUNING_JOB,
  LIST_TUNING_JOBS,
  LIST_TUNING_TRAININGS,
  TUNING_JOB_NAME_ONLY,
} from './tuning-job-shapes.ts';

export const BAYESIAN_NOTE =
  'The local SageMaker runs the Bayesian strategy as Random search (no surrogate model).';

type CreateInput = Pick<TuningJobRecord, 'HyperParameterTuningJobName' | 'HyperParameterTuningJobConfig'> & {
  TrainingJobDefinition?: TuningJobRecord['TrainingJobDefinition'];
  TrainingJobDefinitions?: unknown;
  Tags?: Tag[];
  [member: string]: unknown;
};

export function tuningJobOperations(
  context: ServiceContext,
  executor: TuningExecutor,
): Record<string, Operation> {
  const jobs = context.tables.tuningJobs;
  const trainings = context.tables.trainingJobs;
  const existing = (name: string) => {
    const job = jobs.get(name);
    if (!job) throw new ResourceNotFound(`Amazon SageMaker can't find a tuning job with name ${name}`);
    return job;
  };
  const objective = (job: TuningJobRecord, training: TrainingJobRecord | undefined) => {
    const goal = job.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective;
    const metric = training?.FinalMetricDataList.find((datum) => datum.MetricName === goal?.MetricName);
    return metric && goal ? { Type: goal.Type, MetricName: goal.MetricName, Value: metric.Value } : undefined;
  };
  const summary = (job: TuningJobRecord, entry: TuningJobRecord['Trainings'][number]) => {
    const training = trainings.get(entry.TrainingJobName);
    const final = objective(job, training);
    return {
      TrainingJobName: entry.TrainingJobName,
      TrainingJobArn: arnOf(context.region, 'training-job', entry.TrainingJobName),
      TuningJobName: job.HyperParameterTuningJobName,
      CreationTime: training?.CreationTime ?? job.CreationTime,
      ...(training?.TrainingStartTime !== undefined ? { TrainingStartTime: training.TrainingStartTime } : {}),
      ...(training?.TrainingEndTime !== undefined ? { TrainingEndTime: training.TrainingEndTime } : {}),
      TrainingJobStatus: training?.TrainingJobStatus ?? 'Failed',
      TunedHyperParameters: entry.TunedHyperParameters,
      ...(training?.FailureReason ? { FailureReason: training.FailureReason } : {}),
      ...(final ? { FinalHyperParameterTuningJobObjectiveMetric: final } : {}),
      ObjectiveStatus: final
        ? 'Succeeded'
        : training?.TrainingJobStatus === 'InProgress'
          ? 'Pending'
          : 'Failed',
    };
  };
  const counters = (job: TuningJobRecord) => {
    const all = job.Trainings.map((entry) => summary(job, entry));
    const count = (test: (s: (typeof all)[number]) => boolean) => all.filter(test).length;
    return {
      TrainingJobStatusCounters: {
        Completed: count((s) => s.TrainingJobStatus === 'Completed'),
        InProgress: count((s) => s.TrainingJobStatus === 'InProgress' || s.TrainingJobStatus === 'Stopping'),
        RetryableError: 0,
        NonRetryableError: count((s) => s.TrainingJobStatus === 'Failed'),
        Stopped: count((s) => s.TrainingJobStatus === 'Stopped'),
      },
      ObjectiveStatusCounters: {
        Succeeded: count((s) => s.ObjectiveStatus === 'Succeeded'),
        Pending: count((s) => s.ObjectiveStatus === 'Pending'),
        Failed: count((s) => s.ObjectiveStatus === 'Failed'),
      },
      all,
    };
  };
  const best = (job: TuningJobRecord, all: ReturnType<typeof counters>['all']) => {
    const sign =
      job.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective?.Type === 'Minimize' ? -1 : 1;
    return all
      .filter((s) => s.FinalHyperParameterTuningJobObjectiveMetric)
      .sort(
        (a, b) =>
          sign *
          ((b.FinalHyperParameterTuningJobObjectiveMetric?.Value ?? 0) -
            (a.FinalHyperParameterTuningJobObjectiveMetric?.Value ?? 0)),
      )[0];
  };

  return {
    async CreateHyperParameterTuningJob(input) {
      const request = validate<CreateInput>(CREATE_TUNING_JOB, input);
      const name = request.HyperParameterTuningJobName;
      const arn = arnOf(context.region, 'hyper-parameter-tuning-job', name);
      if (jobs.has(name)) {
        throw new ResourceInUse(
          'Hyperparameter tuning job names must be unique within an AWS account and region, and a tuning job ' +
            `with this name already exists (${arn})`,
        );
      }
      if (request.TrainingJobDefinitions !== undefined || request.WarmStartConfig !== undefined)
        throw new ValidationException(
          'The local SageMaker tunes one TrainingJobDefinition, without warm start.',
        );
      const definition = request.TrainingJobDefinition;
      if (!definition) throw new ValidationException('TrainingJobDefinition is required.');
      const config = request.HyperParameterTuningJobConfig;
      checkTuningConfig(config, definition.StaticHyperParameters ?? {});
      await checkTrainingDefinition(context, definition as unknown as TrainingDefinition);
      if (jobs.has(name)) throw new ResourceInUse(`Tuning job ${name} is being created by another request.`);
      const {
        HyperParameterTuningJobName,
        HyperParameterTuningJobConfig,
        TrainingJobDefinition,
        Tags,
        ...rest
      } = request;
      const now = context.seconds();
      const job: TuningJobRecord = {
        HyperParameterTuningJobName,
        HyperParameterTuningJobArn: arn,
        HyperParameterTuningJobConfig,
        TrainingJobDefinition: definition,
        HyperParameterTuningJobStatus: 'InProgress',
        CreationTime: now,
        LastModifiedTime: now,
        Trainings: [],
        Echo: rest,
        Tags: Tags ?? [],
      };
      jobs.put(name, job);
      executor.start(job);
      return { HyperParameterTuningJobArn: arn };
    },

    DescribeHyperParameterTuningJob(input) {
      const job = existing(
        validate<{ HyperParameterTuningJobName: string }>(TUNING_JOB_NAME_ONLY, input)
          .HyperParameterTuningJobName,
      );
      const { all, ...counts } = counters(job);
      const top = best(job, all);
      const { Echo: echo, Tags: _tags, Trainings: _trainings, ...described } = job;
      return {
        ...echo,
        ...described,
        ...counts,
        ...(top ? { BestTrainingJob: top } : {}),
        // Not a member of the API (clients drop it); here for whoever reads the JSON.
        ...(job.HyperParameterTuningJobConfig.Strategy === 'Bayesian'
          ? { LocalSageMakerNote: BAYESIAN_NOTE }
          : {}),
      };
    },

    ListHyperParameterTuningJobs(input) {
      const query = validate<ListQuery>(LIST_TUNING_JOBS, input);
      const { items, NextToken } = page(
        jobs.values(),
        query,
        (job) => ({
          name: job.HyperParameterTuningJobName,
          creationTime: job.CreationTime,
          lastModifiedTime: job.LastModifiedTime,
          status: job.HyperParameterTuningJobStatus,
        }),
        { sortBy: 'Name', sortOrder: 'Ascending' },
      );
      return {
        HyperParameterTuningJobSummaries: items.map((job) => {
          const { all: _all, ...counts } = counters(job);
          return {
            HyperParameterTuningJobName: job.HyperParameterTuningJobName,
            HyperParameterTuningJobArn: job.HyperParameterTuningJobArn,
            HyperParameterTuningJobStatus: job.HyperParameterTuningJobStatus,
            Strategy: job.HyperParameterTuningJobConfig.Strategy,
            CreationTime: job.CreationTime,
            ...(job.HyperParameterTuningEndTime !== undefined
              ? { HyperParameterTuningEndTime: job.HyperParameterTuningEndTime }
              : {}),
            LastModifiedTime: job.LastModifiedTime,
            ...counts,
            ResourceLimits: job.HyperParameterTuningJobConfig.ResourceLimits,
          };
        }),
        ...(NextToken ? { NextToken } : {}),
      };
    },

    StopHyperParameterTuningJob(input) {
      const job = existing(
        validate<{ HyperParameterTuningJobName: string }>(TUNING_JOB_NAME_ONLY, input)
          .HyperParameterTuningJobName,
      );
      if (job.HyperParameterTuningJobStatus === 'Stopping') return {};
      if (job.HyperParameterTuningJobStatus !== 'InProgress') {
        throw new ValidationException(
          `The request was rejected because the tuning job is in status ${job.HyperParameterTuningJobStatus}.`,
        );
      }
      executor.stop(job);
      return {};
    },

    ListTrainingJobsForHyperParameterTuningJob(input) {
      const query = validate<ListQuery & { HyperParameterTuningJobName: string }>(
        LIST_TUNING_TRAININGS,
        input,
      );
      const job = existing(query.HyperParameterTuningJobName);
      let all = counters(job).all;
      // As documented: sorted by the objective, trainings without one are not listed.
      if (query.SortBy === 'FinalObjectiveMetricValue')
        all = all.filter((s) => s.FinalHyperParameterTuningJobObjectiveMetric);
      const { items, NextToken } = page(
        all,
        query,
        (s) => ({
          name: s.TrainingJobName,
          creationTime: s.CreationTime,
          status: s.TrainingJobStatus,
          sortValues: { FinalObjectiveMetricValue: s.FinalHyperParameterTuningJobObjectiveMetric?.Value },
        }),
        { sortBy: 'Name', sortOrder: 'Ascending' },
      );
      return { TrainingJobSummaries: items, ...(NextToken ? { NextToken } : {}) };
    },
  };
}
