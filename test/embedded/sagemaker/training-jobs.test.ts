/**
 * Training jobs through a scripted runner (no training): status and secondary-status transitions,
 * hyperparameters failing the job as the algorithm words it, StopTrainingJob, MaxRuntimeInSeconds,
 * the concurrency quota, and List* with filters, sorting and pagination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Harness,
  rejection,
  ScriptedRunner,
  stageChannels,
  startHarness,
  trainingJobRequest,
  until,
} from './support.ts';

type Job = {
  TrainingJobStatus: string;
  SecondaryStatus: string;
  FailureReason?: string;
  SecondaryStatusTransitions: {
    Status: string;
    StatusMessage: string;
    StartTime: number;
    EndTime?: number;
  }[];
  FinalMetricDataList: { MetricName: string; Value: number }[];
  ModelArtifacts?: { S3ModelArtifacts: string };
  TrainingTimeInSeconds?: number;
};

let harness: Harness;
let runner: ScriptedRunner;
let clock = 1_800_000_000_000;
const logs: string[] = [];
const call = (action: string, input: unknown) => harness.service.call(action, input);
const describeJob = (name: string) => call('DescribeTrainingJob', { TrainingJobName: name }) as Promise<Job>;
const ended = (name: string) =>
  until(
    () => describeJob(name),
    (job) => !['InProgress', 'Stopping'].includes(job.TrainingJobStatus),
  );

beforeAll(async () => {
  runner = new ScriptedRunner();
  harness = await startHarness({
    runner,
    now: () => (clock += 1000),
    maxConcurrentTrainingJobs: 2,
    onTrainingLog: (event) => logs.push(`${event.logStreamName} ${event.message}`),
  });
  await stageChannels(harness.s3);
});
afterAll(() => harness?.close());

describe('a training job', () => {
  it('goes Starting -> Downloading -> Training -> Uploading -> Completed with its metrics and artifact', async () => {
    const { TrainingJobArn } = (await call('CreateTrainingJob', trainingJobRequest('ok-job'))) as {
      TrainingJobArn: string;
    };
    expect(TrainingJobArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:training-job/ok-job');
    const job = await ended('ok-job');
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.SecondaryStatusTransitions.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    expect(job.SecondaryStatusTransitions.slice(0, -1).every((t) => t.EndTime !== undefined)).toBe(true);
    expect(job.SecondaryStatusTransitions[2]?.StatusMessage).toBe(
      'Training image download completed. Training in progress.',
    );
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(
      's3://sagemaker-test/models/ok-job/output/model.tar.gz',
    );
    expect(job.FinalMetricDataList.map((m) => [m.MetricName, m.Value])).toEqual([
      ['train:accuracy', 0.95],
      ['validation:accuracy', 0.9],
    ]);
    expect(job.TrainingTimeInSeconds).toBeGreaterThanOrEqual(1);
    const run = runner.runs.find((r) => r.jobName === 'ok-job');
    expect(run?.channels).toEqual({
      train: 's3://sagemaker-test/data/train/',
      validation: 's3://sagemaker-test/data/validation/',
      train_lst: 's3://sagemaker-test/data/train_lst/',
      validation_lst: 's3://sagemaker-test/data/validation_lst/',
    });
    expect(run?.hyperparameters).toMatchObject({
      num_classes: 2,
      epochs: 30,
      optimizer: 'sgd',
      image_shape: [3, 32, 32],
    });
    expect(logs.some((line) => /^ok-job\/algo-1-\d+ Epoch\[0\] Train-accuracy=0.9$/.test(line))).toBe(true);
  });

  it.each([
    [
      { num_classes: undefined },
      "ClientError: 'num_classes' is a required property (caused by ValidationError)",
    ],
    [
      { learning_rate: '1.5' },
      'ClientError: learning_rate: 1.5 is greater than the maximum of 1 (caused by ValidationError)',
    ],
    [{ epochs: 'ten' }, "ClientError: epochs: 'ten' is not of type 'integer' (caused by ValidationError)"],
    [
      { optimizer: 'lion' },
      "ClientError: optimizer: 'lion' is not one of ['sgd', 'adam', 'rmsprop', 'nag'] (caused by ValidationError)",
    ],
    [
      { use_lr_scheduler: '1' },
      "ClientError: Additional hyperparameters are not allowed ('use_lr_scheduler' was unexpected) (caused by ValidationError)",
    ],
  ])('fails when the algorithm refuses %o, worded as it words it', async (change, reason) => {
    const name = `hp-${Object.keys(change)[0]?.replaceAll('_', '-')}`;
    await call('CreateTrainingJob', trainingJobRequest(name, change));
    const job = await ended(name);
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.SecondaryStatus).toBe('Failed');
    expect(job.FailureReason).toBe(reason);
  });

  it('fails without a validation channel, as the algorithm does', async () => {
    const request = trainingJobRequest('no-validation');
    request.InputDataConfig = request.InputDataConfig.filter((c) => c.ChannelName !== 'validation');
    await call('CreateTrainingJob', request);
    expect((await ended('no-validation')).FailureReason).toContain("'validation' is a required property");
  });

  it('stops on StopTrainingJob: Stopping, then Stopped', async () => {
    runner.hold();
    await call('CreateTrainingJob', trainingJobRequest('to-stop'));
    await until(
      () => describeJob('to-stop'),
      (job) => job.SecondaryStatus === 'Training',
    );
    await call('StopTrainingJob', { TrainingJobName: 'to-stop' });
    const job = await ended('to-stop');
    expect(job.TrainingJobStatus).toBe('Stopped');
    expect(job.SecondaryStatusTransitions.map((t) => t.Status).slice(-2)).toEqual(['Stopping', 'Stopped']);
    expect(job.ModelArtifacts).toBeUndefined();
    const again = await rejection(
      call('StopTrainingJob', { TrainingJobName: 'to-stop' }),
      'ValidationException',
    );
    expect(again.message).toBe('The request was rejected because the training job is in status Stopped.');
    runner.release();
  });

  it('stops at StoppingCondition.MaxRuntimeInSeconds with MaxRuntimeExceeded', async () => {
    runner.hold();
    const request = { ...trainingJobRequest('too-long'), StoppingCondition: { MaxRuntimeInSeconds: 1 } };
    await call('CreateTrainingJob', request);
    const job = await ended('too-long');
    expect(job.TrainingJobStatus).toBe('Stopped');
    expect(job.SecondaryStatus).toBe('MaxRuntimeExceeded');
    expect(job.SecondaryStatusTransitions.at(-1)?.StatusMessage).toBe(
      'Training job runtime exceeded MaxRuntimeInSeconds provided',
    );
    runner.release();
  });

  it("refuses a training beyond the machine's quota with ResourceLimitExceeded", async () => {
    runner.hold();
    await call('CreateTrainingJob', trainingJobRequest('slot-1'));
    await call('CreateTrainingJob', trainingJobRequest('slot-2'));
    const error = await rejection(
      call('CreateTrainingJob', trainingJobRequest('slot-3')),
      'ResourceLimitExceeded',
    );
    expect(error.message).toContain('is 2 Instances, with current utilization of 2 Instances');
    runner.release();
    await ended('slot-1');
    await ended('slot-2');
  });
});

describe('ListTrainingJobs', () => {
  const list = (input: object) =>
    call('ListTrainingJobs', input) as Promise<{
      TrainingJobSummaries: { TrainingJobName: string; TrainingJobStatus: string; CreationTime: number }[];
      NextToken?: string;
    }>;

  it('pages with MaxResults and NextToken in creation order by default', async () => {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await list({ MaxResults: 3, ...(token ? { NextToken: token } : {}) });
      expect(page.TrainingJobSummaries.length).toBeLessThanOrEqual(3);
      names.push(...page.TrainingJobSummaries.map((s) => s.TrainingJobName));
      token = page.NextToken;
    } while (token);
    expect(names[0]).toBe('ok-job');
    expect(names).toHaveLength(new Set(names).size);
    expect(names).toEqual(expect.arrayContaining(['to-stop', 'too-long', 'slot-2']));
    await rejection(list({ NextToken: 'not-a-token' }), 'ValidationException');
  });

  it('filters on StatusEquals, NameContains and CreationTime, sorts by Name descending', async () => {
    const failed = await list({ StatusEquals: 'Failed', MaxResults: 100 });
    expect(failed.TrainingJobSummaries.every((s) => s.TrainingJobStatus === 'Failed')).toBe(true);
    expect(failed.TrainingJobSummaries.length).toBeGreaterThanOrEqual(6);
    const slots = await list({ NameContains: 'SLOT', SortBy: 'Name', SortOrder: 'Descending' });
    expect(slots.TrainingJobSummaries.map((s) => s.TrainingJobName)).toEqual(['slot-2', 'slot-1']);
    const all = (await list({ MaxResults: 100 })).TrainingJobSummaries;
    const middle = all[3]?.CreationTime as number;
    const after = await list({ CreationTimeAfter: middle, MaxResults: 100 });
    expect(after.TrainingJobSummaries).toHaveLength(all.length - 4);
    const before = await list({ CreationTimeBefore: new Date(middle * 1000).toISOString(), MaxResults: 100 });
    expect(before.TrainingJobSummaries).toHaveLength(3);
  });
});
