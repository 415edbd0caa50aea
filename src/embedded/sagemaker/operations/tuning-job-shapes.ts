/** The request shapes of hyperparameter tuning jobs, with the API reference's constraints. */
import { listRequest, OPAQUE, TAGS, TUNING_JOB_NAME } from '../validation/common.ts';
import { int, list, oneOf, str, struct, timestamp } from '../validation/shapes.ts';
import { TRAINING_JOB_DEFINITION } from './training-job-shapes.ts';

const RANGE_VALUE = str({ max: 256, pattern: '.*' });
const SCALING = oneOf(['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic']);
const NUMERIC_RANGE = struct(
  { Name: RANGE_VALUE, MinValue: RANGE_VALUE, MaxValue: RANGE_VALUE, ScalingType: SCALING },
  ['Name', 'MinValue', 'MaxValue'],
);
const CONFIG = struct(
  {
    Strategy: oneOf(['Bayesian', 'Random', 'Hyperband', 'Grid']),
    StrategyConfig: OPAQUE,
    HyperParameterTuningJobObjective: struct(
      { Type: oneOf(['Maximize', 'Minimize']), MetricName: str({ min: 1, max: 255, pattern: '.+' }) },
      ['Type', 'MetricName'],
    ),
    ResourceLimits: struct(
      {
        MaxNumberOfTrainingJobs: int({ min: 1 }),
        MaxParallelTrainingJobs: int({ min: 1 }),
        MaxRuntimeInSeconds: int({ min: 120, max: 15768000 }),
      },
      ['MaxParallelTrainingJobs'],
    ),
    ParameterRanges: struct({
      IntegerParameterRanges: list(NUMERIC_RANGE, { max: 30 }),
      ContinuousParameterRanges: list(NUMERIC_RANGE, { max: 30 }),
      CategoricalParameterRanges: list(
        struct({ Name: RANGE_VALUE, Values: list(RANGE_VALUE, { min: 1, max: 30 }) }, ['Name', 'Values']),
        {
          max: 30,
        },
      ),
      AutoParameters: OPAQUE,
    }),
    TrainingJobEarlyStoppingType: oneOf(['Off', 'Auto']),
    TuningJobCompletionCriteria: OPAQUE,
    RandomSeed: int({ min: 0 }),
  },
  ['Strategy', 'ResourceLimits'],
);
export const CREATE_TUNING_JOB = struct(
  {
    HyperParameterTuningJobName: TUNING_JOB_NAME,
    HyperParameterTuningJobConfig: CONFIG,
    TrainingJobDefinition: TRAINING_JOB_DEFINITION,
    TrainingJobDefinitions: OPAQUE,
    WarmStartConfig: OPAQUE,
    Tags: TAGS,
    Autotune: OPAQUE,
  },
  ['HyperParameterTuningJobName', 'HyperParameterTuningJobConfig'],
);
export const TUNING_JOB_NAME_ONLY = struct({ HyperParameterTuningJobName: TUNING_JOB_NAME }, [
  'HyperParameterTuningJobName',
]);
const STATUS = oneOf([
  'Completed',
  'InProgress',
  'Failed',
  'Stopped',
  'Stopping',
  'Deleting',
  'DeleteFailed',
]);
export const LIST_TUNING_JOBS = listRequest(['Name', 'Status', 'CreationTime'], {
  StatusEquals: STATUS,
  LastModifiedTimeAfter: timestamp,
  LastModifiedTimeBefore: timestamp,
});
export const LIST_TUNING_TRAININGS = struct(
  {
    HyperParameterTuningJobName: TUNING_JOB_NAME,
    NextToken: str({ max: 8192, pattern: '.*' }),
    MaxResults: int({ min: 1, max: 100 }),
    StatusEquals: oneOf(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped', 'Deleting']),
    SortBy: oneOf(['Name', 'CreationTime', 'Status', 'FinalObjectiveMetricValue']),
    SortOrder: oneOf(['Ascending', 'Descending']),
  },
  ['HyperParameterTuningJobName'],
);
