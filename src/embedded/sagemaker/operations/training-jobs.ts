/** CreateTrainingJob, DescribeTrainingJob, ListTrainingJobs, StopTrainingJob. */
import { arnOf } from '../arns.ts';
import { ResourceInUse, ResourceNotFound, ValidationException } from '../errors.ts';
import {
  checkTrainingCapacity,
  checkTrainingDefinition,
  newTrainingJobRecord,
  type TrainingDefinition,
} from '../jobs/admission.ts';
import type { TrainingExecutor } from '../jobs/training-executor.ts';
import { type ListQuery, page } from '../listing.ts';
import type { Echo, Operation, ServiceContext, Tag, TrainingJobRecord } from '../types.ts';
import { listRequest, TRAINING_JOB_NAME } from '../validation/common.ts';
import { oneOf, struct, timestamp, validate } from '../validation/shapes.ts';
import { CREATE_TRAINING_JOB, ECHOED_MEMBERS } from './training-job-shapes.ts';

const TRAINING_JOB_STATUS = oneOf(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped', 'Deleting']);

const NAME_ONLY = struct({ TrainingJobName: TRAINING_JOB_NAME }, ['TrainingJobName']);
const LIST = listRequest(['Name', 'CreationTime', 'Status'], {
  StatusEquals: TRAINING_JOB_STATUS,
  LastModifiedTimeAfter: timestamp,
  LastModifiedTimeBefore: timestamp,
  WarmPoolStatusEquals: oneOf(['Available', 'Terminated', 'Reused', 'InUse']),
});

type CreateTrainingJobInput = TrainingDefinition & {
  TrainingJobName: string;
  HyperParameters?: Record<string, string>;
  Tags?: Tag[];
} & Echo;

/** DescribeTrainingJob's answer: the record, its echoed members, without the tags. */
export function describeTrainingJob(job: TrainingJobRecord): Record<string, unknown> {
  const { Echo: echo, Tags: _tags, ...described } = job;
  return { ...echo, ...described };
}

export interface TrainingJobLimits {
  maxConcurrent: number;
  /** Cores the next training may use. */
  cores: () => number;
}

export function trainingJobOperations(
  context: ServiceContext,
  executor: TrainingExecutor,
  limits: TrainingJobLimits,
): Record<string, Operation> {
  const jobs = context.tables.trainingJobs;
  const find = (name: string) => jobs.get(name);

  return {
    async CreateTrainingJob(input) {
      const request = validate<CreateTrainingJobInput>(CREATE_TRAINING_JOB, input);
      const name = request.TrainingJobName;
      if (jobs.has(name)) {
        throw new ResourceInUse(
          'Training job names must be unique within an AWS account and region, and a training job with this ' +
            `name already exists (${arnOf(context.region, 'training-job', name)})`,
        );
      }
      await checkTrainingDefinition(context, request);
      checkTrainingCapacity(executor.active, limits.maxConcurrent);
      // Checked again: the S3 look-ups above let another request take the name meanwhile.
      if (jobs.has(name))
        throw new ResourceInUse(`Training job ${name} is being created by another request.`);
      const echo: Echo = {};
      for (const member of ECHOED_MEMBERS) if (request[member] !== undefined) echo[member] = request[member];
      const job = newTrainingJobRecord(context, name, request, {
        hyperParameters: request.HyperParameters ?? {},
        tags: request.Tags ?? [],
        echo,
      });
      jobs.put(name, job);
      executor.start(job, limits.cores());
      return { TrainingJobArn: job.TrainingJobArn };
    },

    DescribeTrainingJob(input) {
      const { TrainingJobName } = validate<{ TrainingJobName: string }>(NAME_ONLY, input);
      const job = find(TrainingJobName);
      // As on AWS (and what boto3's training-job waiter expects): ValidationException.
      if (!job) throw new ValidationException('Requested resource not found.');
      return describeTrainingJob(job);
    },

    ListTrainingJobs(input) {
      const query = validate<ListQuery>(LIST, input);
      const { items, NextToken } = page(
        jobs.values(),
        query,
        (job) => ({
          name: job.TrainingJobName,
          creationTime: job.CreationTime,
          lastModifiedTime: job.LastModifiedTime,
          status: job.TrainingJobStatus,
        }),
        { sortBy: 'CreationTime', sortOrder: 'Ascending' },
      );
      return {
        TrainingJobSummaries: items.map((job) => ({
          TrainingJobName: job.TrainingJobName,
          TrainingJobArn: job.TrainingJobArn,
          CreationTime: job.CreationTime,
          ...(job.TrainingEndTime !== undefined ? { TrainingEndTime: job.TrainingEndTime } : {}),
          LastModifiedTime: job.LastModifiedTime,
          TrainingJobStatus: job.TrainingJobStatus,
          SecondaryStatus: job.SecondaryStatus,
        })),
        ...(NextToken ? { NextToken } : {}),
      };
    },

    StopTrainingJob(input) {
      const { TrainingJobName } = validate<{ TrainingJobName: string }>(NAME_ONLY, input);
      const job = find(TrainingJobName);
      if (!job) throw new ResourceNotFound('Requested resource not found.');
      if (job.TrainingJobStatus !== 'InProgress') {
        if (job.TrainingJobStatus === 'Stopping') return {};
        throw new ValidationException(
          `The request was rejected because the training job is in status ${job.TrainingJobStatus}.`,
        );
      }
      executor.stop(job);
      return {};
    },
  };
}
