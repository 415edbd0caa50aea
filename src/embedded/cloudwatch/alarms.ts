/**
 * Metric alarms: PutMetricAlarm (create or overwrite; a new alarm starts INSUFFICIENT_DATA,
 * "Unchecked: Initial alarm creation"; an overwritten one keeps its state), DescribeAlarms
 * (`AlarmNames` or `AlarmNamePrefix`, `StateValue`, `ActionPrefix`, pages of `MaxRecords` up to
 * 100, by name), DeleteAlarms (every name must exist, else ResourceNotFound and none is deleted),
 * SetAlarmState (until the next evaluation). Each change is in the alarm history (history.ts). Metric math alarms (`Metrics`) and anomaly detection
 * operators are refused by name.
 */
import {
  InvalidFormatFault,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  LimitExceededFault,
  MissingRequiredParameterException,
  ResourceNotFound,
  ValidationException,
} from './errors.ts';
import { recordConfigurationUpdate } from './history.ts';
import { checkPeriod } from './read-metrics.ts';
import type { CloudWatchState } from './state.ts';
import { isPercentile, isStandardStatistic } from './statistics.ts';
import type {
  AlarmDefinition,
  AlarmStateValue,
  ComparisonOperator,
  StoredAlarm,
  TreatMissingData,
} from './types.ts';
import { STANDARD_UNITS } from './units.ts';
import {
  asInput,
  bool,
  decodeToken,
  dimensions,
  encodeToken,
  int,
  list,
  num,
  object,
  oneOf,
  str,
} from './validation.ts';

/** The local bound on alarms (AWS's default quota is per region, far above what a kit needs). */
const MAX_ALARMS = 5000;
const STATES: readonly AlarmStateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
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

export interface AlarmsContext {
  state: CloudWatchState;
  region: string;
  accountId: string;
  now(): number;
  /** Evaluates one alarm now (after it is put). */
  evaluate(name: string): void;
  /** Sets an alarm's state, telling the listeners when it changes. */
  setState(name: string, value: AlarmStateValue, reason: string, reasonData?: string): void;
}

export function alarmArn(context: Pick<AlarmsContext, 'region' | 'accountId'>, name: string): string {
  return `arn:aws:cloudwatch:${context.region}:${context.accountId}:alarm:${name}`;
}

function actions(input: Record<string, unknown>, member: string): string[] {
  return (list(input, member, 5) ?? []).map((item, i) => {
    if (typeof item !== 'string' || item.length < 1 || item.length > 1024)
      throw new ValidationException(
        `1 validation error detected: Value '${String(item)}' at '${member}.${i + 1}' failed to satisfy constraint: Member must have length between 1 and 1024`,
      );
    return item;
  });
}

function definitionOf(raw: unknown): AlarmDefinition {
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

/** An alarm as DescribeAlarms answers it (timestamps in epoch seconds, as JSON 1.0 writes them). */
export function describeAlarm(context: AlarmsContext, alarm: StoredAlarm) {
  const { Tags: _tags, ...definition } = alarm.definition;
  return {
    ...definition,
    AlarmArn: alarmArn(context, alarm.definition.AlarmName),
    AlarmConfigurationUpdatedTimestamp: alarm.configurationUpdated / 1000,
    StateValue: alarm.status.StateValue,
    StateReason: alarm.status.StateReason,
    ...(alarm.status.StateReasonData !== undefined ? { StateReasonData: alarm.status.StateReasonData } : {}),
    StateUpdatedTimestamp: alarm.status.StateUpdatedTimestamp / 1000,
    StateTransitionedTimestamp: alarm.status.StateTransitionedTimestamp / 1000,
  };
}

export function alarmOperations(context: AlarmsContext) {
  const { state } = context;
  return {
    PutMetricAlarm(raw: unknown) {
      const definition = definitionOf(raw);
      const existing = state.alarms.get(definition.AlarmName);
      if (!existing && state.alarms.size >= MAX_ALARMS)
        throw new LimitExceededFault(`The maximum number of alarms (${MAX_ALARMS}) has been reached.`);
      const now = context.now();
      recordConfigurationUpdate(state, existing ? 'Update' : 'Create', definition, now);
      state.record({
        kind: 'alarm',
        alarm: {
          definition,
          configurationUpdated: now,
          status: existing?.status ?? {
            StateValue: 'INSUFFICIENT_DATA',
            StateReason: 'Unchecked: Initial alarm creation',
            StateUpdatedTimestamp: now,
            StateTransitionedTimestamp: now,
          },
        },
      });
      context.evaluate(definition.AlarmName);
      return {};
    },
    DescribeAlarms(raw: unknown) {
      const input = asInput(raw);
      const names = list(input, 'AlarmNames', 100)?.map(String);
      const prefix = str(input, 'AlarmNamePrefix', 1, 255);
      if (names !== undefined && prefix !== undefined)
        throw new InvalidParameterCombinationException(
          'AlarmNames and AlarmNamePrefix cannot be specified together.',
        );
      const stateValue = oneOf(input, 'StateValue', STATES);
      const actionPrefix = str(input, 'ActionPrefix', 1, 1024);
      const types = list(input, 'AlarmTypes')?.map(String);
      const max = int(input, 'MaxRecords', 1, 100) ?? 50;
      const token = str(input, 'NextToken', 0, 4096);
      const after = token === undefined ? undefined : decodeToken(token);
      const wantsMetricAlarms = types === undefined || types.includes('MetricAlarm');
      const matching = wantsMetricAlarms
        ? [...state.alarms.values()]
            .filter((alarm) => {
              const name = alarm.definition.AlarmName;
              if (names !== undefined && !names.includes(name)) return false;
              if (prefix !== undefined && !name.startsWith(prefix)) return false;
              if (stateValue !== undefined && alarm.status.StateValue !== stateValue) return false;
              const { OKActions, AlarmActions, InsufficientDataActions } = alarm.definition;
              if (
                actionPrefix !== undefined &&
                ![...OKActions, ...AlarmActions, ...InsufficientDataActions].some((a) =>
                  a.startsWith(actionPrefix),
                )
              )
                return false;
              return after === undefined || name > after;
            })
            .sort((a, b) => (a.definition.AlarmName < b.definition.AlarmName ? -1 : 1))
        : [];
      const page = matching.slice(0, max);
      return {
        MetricAlarms: page.map((alarm) => describeAlarm(context, alarm)),
        CompositeAlarms: [],
        ...(matching.length > max
          ? { NextToken: encodeToken((page.at(-1) as StoredAlarm).definition.AlarmName) }
          : {}),
      };
    },
    DeleteAlarms(raw: unknown) {
      const input = asInput(raw);
      const names = list(input, 'AlarmNames', 100);
      if (names === undefined)
        throw new MissingRequiredParameterException('The parameter AlarmNames is required.');
      const unknown = names.map(String).filter((name) => !state.alarms.has(name));
      if (unknown.length > 0)
        throw new ResourceNotFound(
          `${unknown.length === 1 ? 'Alarm' : 'Alarms'} ${unknown.join(', ')} not found`,
        );
      const time = context.now();
      for (const name of names.map(String)) {
        const alarm = state.alarms.get(name);
        if (alarm) recordConfigurationUpdate(state, 'Delete', alarm.definition, time);
      }
      state.record({ kind: 'delete', names: names.map(String) });
      return {};
    },
    SetAlarmState(raw: unknown) {
      const input = asInput(raw);
      const name = str(input, 'AlarmName', 1, 255, true);
      const value = oneOf(input, 'StateValue', STATES);
      if (value === undefined)
        throw new MissingRequiredParameterException('The parameter StateValue is required.');
      const reason = str(input, 'StateReason', 0, 1023, true);
      const reasonData = str(input, 'StateReasonData', 0, 4000);
      if (reasonData !== undefined) {
        try {
          JSON.parse(reasonData);
        } catch {
          throw new InvalidFormatFault('StateReasonData is not valid JSON.');
        }
      }
      if (!state.alarms.has(name)) throw new ResourceNotFound(`Alarm ${name} not found`);
      context.setState(name, value, reason, reasonData);
      return {};
    },
  };
}
