/**
 * Hyperparameter tuning over a scripted runner whose accuracy depends on the learning rate: Random
 * search within the ranges and the training count, never more parallel trainings than allowed
 * (nor than cores), BestTrainingJob, Grid over the categorical values, Stop, and the lists.
 */
import { availableParallelism } from 'node:os';
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

let harness: Harness;
let runner: ScriptedRunner;
let running = 0;
let mostAtOnce = 0;
const call = (action: string, input: unknown) => harness.service.call(action, input);

type Tuning = {
  HyperParameterTuningJobStatus: string;
  TrainingJobStatusCounters: Record<string, number>;
  ObjectiveStatusCounters: Record<string, number>;
  BestTrainingJob?: {
    TrainingJobName: string;
    TunedHyperParameters: Record<string, string>;
    FinalHyperParameterTuningJobObjectiveMetric: { Value: number };
  };
  LocalSageMakerNote?: string;
};
const describeTuning = (name: string) =>
  call('DescribeHyperParameterTuningJob', { HyperParameterTuningJobName: name }) as Promise<Tuning>;
const ended = (name: string) =>
  until(
    () => describeTuning(name),
    (job) => !['InProgress', 'Stopping'].includes(job.HyperParameterTuningJobStatus),
    20_000,
  );

function tuningRequest(name: string, strategy: string, limits: object, ranges: object) {
  const { TrainingJobName: _name, HyperParameters, ...definition } = trainingJobRequest('unused');
  return {
    HyperParameterTuningJobName: name,
    HyperParameterTuningJobConfig: {
      Strategy: strategy,
      HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:accuracy' },
      ResourceLimits: limits,
      ParameterRanges: ranges,
    },
    TrainingJobDefinition: {
      ...definition,
      StaticHyperParameters: { ...HyperParameters, _tuning_objective_metric: 'validation:accuracy' },
    },
  };
}

beforeAll(async () => {
  runner = new ScriptedRunner();
  const run = runner.run.bind(runner);
  runner.run = async (job, progress, signal) => {
    mostAtOnce = Math.max(mostAtOnce, ++running);
    try {
      return await run(job, progress, signal);
    } finally {
      running--;
    }
  };
  // Accuracy peaks at learning_rate 0.01: the best training is the one closest to it.
  runner.accuracy = (job) => 1 - Math.abs(Math.log10(job.hyperparameters.learning_rate) + 2) / 10;
  harness = await startHarness({ runner, maxConcurrentTrainingJobs: 8 });
  await stageChannels(harness.s3);
});
afterAll(() => harness?.close());

describe('tuning jobs', () => {
  it('run Random search within the ranges, in parallel up to the limit, and name the best training', async () => {
    mostAtOnce = 0;
    const request = tuningRequest(
      'random-search',
      'Random',
      { MaxNumberOfTrainingJobs: 6, MaxParallelTrainingJobs: 8 },
      {
        ContinuousParameterRanges: [
          { Name: 'learning_rate', MinValue: '0.0001', MaxValue: '0.5', ScalingType: 'Logarithmic' },
        ],
        IntegerParameterRanges: [{ Name: 'mini_batch_size', MinValue: '8', MaxValue: '64' }],
      },
    );
    expect(await call('CreateHyperParameterTuningJob', request)).toEqual({
      HyperParameterTuningJobArn:
        'arn:aws:sagemaker:us-east-1:000000000000:hyper-parameter-tuning-job/random-search',
    });
    const job = await ended('random-search');
    expect(job.HyperParameterTuningJobStatus).toBe('Completed');
    expect(job.TrainingJobStatusCounters).toMatchObject({ Completed: 6, InProgress: 0 });
    expect(job.ObjectiveStatusCounters).toMatchObject({ Succeeded: 6 });
    expect(mostAtOnce).toBeLessThanOrEqual(Math.min(8, availableParallelism()));
    const listed = (await call('ListTrainingJobsForHyperParameterTuningJob', {
      HyperParameterTuningJobName: 'random-search',
      SortBy: 'FinalObjectiveMetricValue',
      SortOrder: 'Descending',
    })) as {
      TrainingJobSummaries: { TrainingJobName: string; TunedHyperParameters: Record<string, string> }[];
    };
    expect(listed.TrainingJobSummaries).toHaveLength(6);
    for (const summary of listed.TrainingJobSummaries) {
      expect(summary.TrainingJobName).toMatch(/^random-search-00[1-6]-[0-9a-f]{8}$/);
      const rate = Number(summary.TunedHyperParameters.learning_rate);
      expect(rate).toBeGreaterThanOrEqual(0.0001);
      expect(rate).toBeLessThanOrEqual(0.5);
      expect(Number.isInteger(Number(summary.TunedHyperParameters.mini_batch_size))).toBe(true);
    }
    expect(job.BestTrainingJob?.TrainingJobName).toBe(listed.TrainingJobSummaries[0]?.TrainingJobName);
    const training = (await call('DescribeTrainingJob', {
      TrainingJobName: job.BestTrainingJob?.TrainingJobName,
    })) as {
      TuningJobArn: string;
      HyperParameters: Record<string, string>;
    };
    expect(training.TuningJobArn).toContain('hyper-parameter-tuning-job/random-search');
    expect(training.HyperParameters).toMatchObject({
      num_classes: '2',
      learning_rate: job.BestTrainingJob?.TunedHyperParameters.learning_rate,
    });
  });

  it('walk every combination with Grid search; Bayesian runs as Random and says so', async () => {
    await call(
      'CreateHyperParameterTuningJob',
      tuningRequest(
        'grid-search',
        'Grid',
        { MaxParallelTrainingJobs: 2 },
        {
          CategoricalParameterRanges: [
            { Name: 'optimizer', Values: ['sgd', 'adam'] },
            { Name: 'learning_rate', Values: ['0.1', '0.01', '0.001'] },
          ],
        },
      ),
    );
    const grid = await ended('grid-search');
    expect(grid.TrainingJobStatusCounters.Completed).toBe(6);
    expect(grid.BestTrainingJob?.TunedHyperParameters.learning_rate).toBe('0.01');
    await call(
      'CreateHyperParameterTuningJob',
      tuningRequest(
        'bayesian',
        'Bayesian',
        { MaxNumberOfTrainingJobs: 1, MaxParallelTrainingJobs: 1 },
        {
          ContinuousParameterRanges: [{ Name: 'learning_rate', MinValue: '0.001', MaxValue: '0.1' }],
        },
      ),
    );
    expect((await ended('bayesian')).LocalSageMakerNote).toContain('Bayesian strategy as Random search');
  });

  it('refuse ranges the algorithm does not have, and Grid over numeric ranges', async () => {
    const unknown = await rejection(
      call(
        'CreateHyperParameterTuningJob',
        tuningRequest(
          'bad-range',
          'Random',
          { MaxNumberOfTrainingJobs: 2, MaxParallelTrainingJobs: 1 },
          {
            ContinuousParameterRanges: [{ Name: 'dropout', MinValue: '0', MaxValue: '0.5' }],
          },
        ),
      ),
      'ValidationException',
    );
    expect(unknown.message).toContain(
      'dropout is not a hyperparameter of the image-classification algorithm',
    );
    await rejection(
      call(
        'CreateHyperParameterTuningJob',
        tuningRequest(
          'bad-grid',
          'Grid',
          { MaxParallelTrainingJobs: 1 },
          {
            ContinuousParameterRanges: [{ Name: 'learning_rate', MinValue: '0.001', MaxValue: '0.1' }],
          },
        ),
      ),
      'ValidationException',
    );
    await rejection(
      call(
        'CreateHyperParameterTuningJob',
        tuningRequest(
          'random-search',
          'Random',
          { MaxNumberOfTrainingJobs: 1, MaxParallelTrainingJobs: 1 },
          {
            ContinuousParameterRanges: [{ Name: 'learning_rate', MinValue: '0.001', MaxValue: '0.1' }],
          },
        ),
      ),
      'ResourceInUse',
    );
  });

  it('stop: Stopping, the running trainings stopped, then Stopped', async () => {
    runner.hold();
    await call(
      'CreateHyperParameterTuningJob',
      tuningRequest(
        'to-stop',
        'Random',
        { MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 1 },
        {
          ContinuousParameterRanges: [{ Name: 'learning_rate', MinValue: '0.001', MaxValue: '0.1' }],
        },
      ),
    );
    await until(
      () => describeTuning('to-stop'),
      (job) => job.TrainingJobStatusCounters.InProgress === 1,
    );
    await call('StopHyperParameterTuningJob', { HyperParameterTuningJobName: 'to-stop' });
    const job = await ended('to-stop');
    expect(job.HyperParameterTuningJobStatus).toBe('Stopped');
    expect(job.TrainingJobStatusCounters).toMatchObject({ Stopped: 1, InProgress: 0, Completed: 0 });
    runner.release();
    const list = (await call('ListHyperParameterTuningJobs', { StatusEquals: 'Completed' })) as {
      HyperParameterTuningJobSummaries: { HyperParameterTuningJobName: string }[];
    };
    expect(list.HyperParameterTuningJobSummaries.map((s) => s.HyperParameterTuningJobName)).toEqual([
      'bayesian',
      'grid-search',
      'random-search',
    ]);
  });
});
