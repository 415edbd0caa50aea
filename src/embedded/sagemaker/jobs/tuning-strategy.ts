/**
 * Which hyperparameters each training of a tuning job gets. Random search samples every range
 * (Linear, Logarithmic, ReverseLogarithmic scaling; Auto is Linear) from a generator seeded by
 * RandomSeed (or the job's name), so a tuning job is reproducible. Grid search walks every
 * combination of the categorical ranges, as SageMaker's Grid takes only those. Bayesian runs as
 * Random (no surrogate model here); Hyperband is not available.
 */
import { seededRandom } from '../../../../training/dataset.ts';
import { HYPERPARAMETER_SPEC } from '../algorithm/hyperparameters.ts';
import { ValidationException } from '../errors.ts';
import type { ParameterRangesRecord, TuningJobRecord } from '../types.ts';

/** The algorithm's metrics a tuning job can aim at. */
export const OBJECTIVE_METRICS = ['validation:accuracy', 'train:accuracy'] as const;

export interface TuningPlan {
  /** Trainings to run. */
  count: number;
  /** The tuned hyperparameters of training `index` (0-based). */
  choose(index: number): Record<string, string>;
}

function hashSeed(text: string): number {
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ (char.codePointAt(0) as number), 16777619) >>> 0;
  return hash;
}

function rangeNames(ranges: ParameterRangesRecord): string[] {
  return [
    ...(ranges.IntegerParameterRanges ?? []),
    ...(ranges.ContinuousParameterRanges ?? []),
    ...(ranges.CategoricalParameterRanges ?? []),
  ].map((range) => range.Name);
}

/** Throws the ValidationException a tuning job's ranges and objective earn. */
export function checkTuningConfig(
  config: TuningJobRecord['HyperParameterTuningJobConfig'],
  staticHyperParameters: Record<string, string>,
): void {
  const ranges = config.ParameterRanges ?? {};
  const names = rangeNames(ranges);
  if (config.Strategy === 'Hyperband')
    throw new ValidationException(
      'The Hyperband strategy is not available in the local SageMaker; use Random, Grid or Bayesian.',
    );
  const metric = config.HyperParameterTuningJobObjective?.MetricName;
  if (!metric) throw new ValidationException('HyperParameterTuningJobObjective is required.');
  if (!(OBJECTIVE_METRICS as readonly string[]).includes(metric))
    throw new ValidationException(
      `The objective metric ${metric} is not one the image-classification algorithm emits: ${OBJECTIVE_METRICS.join(', ')}.`,
    );
  if (names.length === 0)
    throw new ValidationException('ParameterRanges must name at least one hyperparameter.');
  for (const name of names) {
    if (!(name in HYPERPARAMETER_SPEC))
      throw new ValidationException(`${name} is not a hyperparameter of the image-classification algorithm.`);
    if (name in staticHyperParameters)
      throw new ValidationException(`${name} is both a static hyperparameter and a tuned one.`);
  }
  if (new Set(names).size !== names.length)
    throw new ValidationException('Each hyperparameter may have one range only.');
  for (const range of [
    ...(ranges.IntegerParameterRanges ?? []),
    ...(ranges.ContinuousParameterRanges ?? []),
  ]) {
    const min = Number(range.MinValue);
    const max = Number(range.MaxValue);
    if (!Number.isFinite(min) || !Number.isFinite(max) || min > max)
      throw new ValidationException(`The range of ${range.Name} must have numeric MinValue <= MaxValue.`);
    if (range.ScalingType === 'Logarithmic' && min <= 0)
      throw new ValidationException(`Logarithmic scaling of ${range.Name} needs MinValue > 0.`);
    if (range.ScalingType === 'ReverseLogarithmic' && (min < 0 || max >= 1))
      throw new ValidationException(
        `ReverseLogarithmic scaling of ${range.Name} needs 0 <= MinValue <= MaxValue < 1.`,
      );
  }
  if (config.Strategy === 'Grid') {
    if (ranges.IntegerParameterRanges?.length || ranges.ContinuousParameterRanges?.length)
      throw new ValidationException('Grid search takes categorical parameter ranges only.');
  } else if (config.ResourceLimits.MaxNumberOfTrainingJobs === undefined) {
    throw new ValidationException(`${config.Strategy} search needs ResourceLimits.MaxNumberOfTrainingJobs.`);
  }
}

function sample(
  range: { MinValue: string; MaxValue: string; ScalingType?: string },
  random: () => number,
): number {
  const min = Number(range.MinValue);
  const max = Number(range.MaxValue);
  const u = random();
  if (range.ScalingType === 'Logarithmic')
    return Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)));
  if (range.ScalingType === 'ReverseLogarithmic')
    return 1 - Math.exp(Math.log(1 - max) + u * (Math.log(1 - min) - Math.log(1 - max)));
  return min + u * (max - min);
}

export function tuningPlan(job: TuningJobRecord): TuningPlan {
  const config = job.HyperParameterTuningJobConfig;
  const ranges = config.ParameterRanges ?? {};
  const limit = config.ResourceLimits.MaxNumberOfTrainingJobs;
  if (config.Strategy === 'Grid') {
    const categorical = ranges.CategoricalParameterRanges ?? [];
    const size = categorical.reduce((product, range) => product * range.Values.length, 1);
    return {
      count: Math.min(size, limit ?? size),
      choose(index) {
        const chosen: Record<string, string> = {};
        let rest = index;
        for (const range of categorical) {
          chosen[range.Name] = range.Values[rest % range.Values.length] as string;
          rest = Math.floor(rest / range.Values.length);
        }
        return chosen;
      },
    };
  }
  const random = seededRandom(config.RandomSeed ?? hashSeed(job.HyperParameterTuningJobName));
  const drawn: Record<string, string>[] = [];
  const draw = (): Record<string, string> => {
    const chosen: Record<string, string> = {};
    for (const range of ranges.IntegerParameterRanges ?? [])
      chosen[range.Name] = String(Math.round(sample(range, random)));
    for (const range of ranges.ContinuousParameterRanges ?? [])
      chosen[range.Name] = String(sample(range, random));
    for (const range of ranges.CategoricalParameterRanges ?? [])
      chosen[range.Name] = range.Values[Math.floor(random() * range.Values.length)] as string;
    return chosen;
  };
  return {
    count: limit ?? 1,
    choose(index) {
      while (drawn.length <= index) drawn.push(draw());
      return drawn[index] as Record<string, string>;
    },
  };
}
