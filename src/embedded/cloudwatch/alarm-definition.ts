/**
 * A metric alarm's definition from PutMetricAlarm's input, with the API reference's rules: one
 * metric (`Namespace`, `MetricName`, `Dimensions`), exactly one of `Statistic` and
 * `ExtendedStatistic`, a period CloudWatch takes, `DatapointsToAlarm` at most
 * `EvaluationPeriods`, at most 5 actions per state, 50 tags. Metric math alarms (`Metrics`) and
 * anomaly detection operators are refused by name.
 */
import {
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  MissingRequiredParameterException,
  ValidationException,
} from './errors.ts';
import { checkPeriod } from './read-metrics.ts';
import { isPercentile, isStandardStatistic } from './statistics.ts';
import type { AlarmDefinition, ComparisonOperator, TreatMissingData } from './types.ts';
import { STANDARD_UNITS } from './units.ts';
import { asInput, bool, dimensions, int, list, num, object, oneOf, str } from './validation.ts';

const OPERATORS: readonly ComparisonOperator[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
const ANOMALY_OPERATORS = [
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
];
const TREATMENTS: readonly TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];

function actions(input: Record<string, unknown>, member: string): string[] {
  return (list(input, member, 5) ?? []).map((item, i) => {
    if (typeof item !== 'string' || item.length < 1 || item.length > 1024)
      throw new ValidationException(
        `1 validation error detected: Value '${String(item)}' at '${member}.${i + 1}' failed to satisfy constraint: Member must have length between 1 and 1024`,
      );
    return item;
  });
}

export function definitionOf(raw: unknown): AlarmDefinition {
  const input = asInput(raw);
  const name = str(input, 'AlarmName', 1, 255, true);
  if (input.Metrics !== undefined && input.Metrics !== null)
    throw new ValidationException(
      'Metric math alarms (Metrics) are not supported by the local CloudWatch; give MetricName, Namespace and Statistic.',
    );
  const operatorText = str(input, 'ComparisonOperator', 1, 255);
  if (operatorText !== undefined && ANOMALY_OPERATORS.includes(operatorText))
    throw new ValidationException(
      `Anomaly detection alarms (${operatorText}) are not supported by the local CloudWatch.`,
    );
  const operator = oneOf(input, 'ComparisonOperator', OPERATORS);
  if (operator === undefined)
    throw new MissingRequiredParameterException('The parameter ComparisonOperator is required.');
  const evaluationPeriods = int(input, 'EvaluationPeriods', 1);
  if (evaluationPeriods === undefined)
    throw new MissingRequiredParameterException('The parameter EvaluationPeriods is required.');
  const namespace = str(input, 'Namespace', 1, 255);
  const metricName = str(input, 'MetricName', 1, 255);
  if (namespace === undefined)
    throw new MissingRequiredParameterException('The parameter Namespace is required.');
  if (metricName === undefined)
    throw new MissingRequiredParameterException('The parameter MetricName is required.');
  const period = int(input, 'Period', 1);
  if (period === undefined) throw new MissingRequiredParameterException('The parameter Period is required.');
  checkPeriod(period, 'Period');
  const statistic = str(input, 'Statistic', 1, 255);
  const extended = str(input, 'ExtendedStatistic', 1, 255);
  if (statistic !== undefined && extended !== undefined)
    throw new InvalidParameterCombinationException(
      'Exactly one of Statistic and ExtendedStatistic must be specified, not both.',
    );
  if (statistic === undefined && extended === undefined)
    throw new MissingRequiredParameterException(
      'One of the parameters Statistic or ExtendedStatistic is required.',
    );
  if (statistic !== undefined && !isStandardStatistic(statistic))
    throw new InvalidParameterValueException(`The value ${statistic} for parameter Statistic is invalid.`);
  if (extended !== undefined && !isPercentile(extended))
    throw new InvalidParameterValueException(
      `The value ${extended} for parameter ExtendedStatistic is invalid: the local CloudWatch serves percentiles pNN.`,
    );
  const threshold = num(input, 'Threshold');
  if (threshold === undefined)
    throw new MissingRequiredParameterException('The parameter Threshold is required.');
  const toAlarm = int(input, 'DatapointsToAlarm', 1);
  if (toAlarm !== undefined && toAlarm > evaluationPeriods)
    throw new ValidationException(
      `DatapointsToAlarm (${toAlarm}) must be less than or equal to EvaluationPeriods (${evaluationPeriods}).`,
    );
  if (period * evaluationPeriods > 86_400 * 7)
    throw new ValidationException(
      'The evaluation period (Period x EvaluationPeriods) must not exceed 7 days.',
    );
  const treat = oneOf(input, 'TreatMissingData', TREATMENTS);
  const lowSamples = oneOf(input, 'EvaluateLowSampleCountPercentile', ['evaluate', 'ignore'] as const);
  if (lowSamples !== undefined && extended === undefined)
    throw new InvalidParameterCombinationException(
      'EvaluateLowSampleCountPercentile can only be used with a percentile ExtendedStatistic.',
    );
  const unit = oneOf(input, 'Unit', STANDARD_UNITS);
  const description = str(input, 'AlarmDescription', 0, 1024);
  const tags = (list(input, 'Tags', 50) ?? []).map((item, i) => {
    const tag = object(item, `Tags.member.${i + 1}`);
    return { Key: str(tag, 'Key', 1, 128, true), Value: str(tag, 'Value', 0, 256, true) };
  });
  return {
    AlarmName: name,
    ...(description !== undefined ? { AlarmDescription: description } : {}),
    ActionsEnabled: bool(input, 'ActionsEnabled') ?? true,
    OKActions: actions(input, 'OKActions'),
    AlarmActions: actions(input, 'AlarmActions'),
    InsufficientDataActions: actions(input, 'InsufficientDataActions'),
    Namespace: namespace,
    MetricName: metricName,
    Dimensions: dimensions(input),
    ...(statistic !== undefined ? { Statistic: statistic } : {}),
    ...(extended !== undefined ? { ExtendedStatistic: extended } : {}),
    Period: period,
    ...(unit ? { Unit: unit } : {}),
    EvaluationPeriods: evaluationPeriods,
    ...(toAlarm !== undefined ? { DatapointsToAlarm: toAlarm } : {}),
    Threshold: threshold,
    ComparisonOperator: operator,
    ...(treat ? { TreatMissingData: treat } : {}),
    ...(lowSamples ? { EvaluateLowSampleCountPercentile: lowSamples } : {}),
    ...(tags.length > 0 ? { Tags: tags } : {}),
  };
}
