/**
 * CloudWatch's "CloudWatch Alarm State Change" EventBridge event, built from an alarm's change of
 * state, as the user guide shows it for a single metric alarm ("Alarm events and EventBridge",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html):
 * `source: aws.cloudwatch`, the alarm's ARN in `resources`, and a `detail` of `alarmName`,
 * `state` and `previousState` (`value`, `reason`, `reasonData`, `timestamp`) and `configuration`
 * (`description`, `metrics`: one `metricStat` with the dimensions as an object). Rules match
 * `detail.alarmName` and `detail.state.value`.
 */
import { randomUUID } from 'node:crypto';
import { isoSeconds } from './input-transformer.ts';

export const CLOUDWATCH_EVENT_SOURCE = 'aws.cloudwatch';
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

export type AlarmStateName = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One side of a change: a state, why, and when (epoch milliseconds). */
export interface AlarmStateAt {
  value: AlarmStateName;
  reason: string;
  reasonData?: string;
  timestamp: number;
}

/** A metric alarm's configuration, as PutMetricAlarm took it (the fields the event and message use). */
export interface AlarmConfiguration {
  AlarmName: string;
  AlarmDescription?: string;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Statistic?: string;
  ExtendedStatistic?: string;
  Period: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  EvaluateLowSampleCountPercentile?: string;
}

/** An alarm's change of state (the local CloudWatch's `onStateChange` hands these). */
export interface AlarmChange {
  alarmName: string;
  alarmArn: string;
  region: string;
  accountId: string;
  /** Epoch milliseconds. */
  time: number;
  previousState: AlarmStateAt;
  state: AlarmStateAt;
  configuration: AlarmConfiguration;
}

interface EventState {
  value: AlarmStateName;
  reason: string;
  reasonData?: string;
  timestamp: string;
}

export interface AlarmStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': typeof ALARM_STATE_CHANGE;
  source: typeof CLOUDWATCH_EVENT_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    alarmName: string;
    state: EventState;
    previousState: EventState;
    configuration: {
      description?: string;
      metrics: {
        id: string;
        metricStat: {
          metric: { namespace: string; name: string; dimensions: Record<string, string> };
          period: number;
          stat: string;
          unit?: string;
        };
        returnData: true;
      }[];
    };
  };
}

/** `2019-10-02T17:04:40.985+0000`, as CloudWatch writes the states' times. */
export function cloudWatchTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function eventState(state: AlarmStateAt): EventState {
  return {
    value: state.value,
    reason: state.reason,
    ...(state.reasonData !== undefined ? { reasonData: state.reasonData } : {}),
    timestamp: cloudWatchTime(state.timestamp),
  };
}

export function alarmStateChangeEvent(change: AlarmChange): AlarmStateChangeEvent {
  const config = change.configuration;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': ALARM_STATE_CHANGE,
    source: CLOUDWATCH_EVENT_SOURCE,
    account: change.accountId,
    time: isoSeconds(new Date(change.time)),
    region: change.region,
    resources: [change.alarmArn],
    detail: {
      alarmName: change.alarmName,
      state: eventState(change.state),
      previousState: eventState(change.previousState),
      configuration: {
        ...(config.AlarmDescription !== undefined ? { description: config.AlarmDescription } : {}),
        metrics: [
          {
            id: randomUUID(),
            metricStat: {
              metric: {
                namespace: config.Namespace,
                name: config.MetricName,
                dimensions: Object.fromEntries(config.Dimensions.map((d) => [d.Name, d.Value])),
              },
              period: config.Period,
              stat: config.Statistic ?? config.ExtendedStatistic ?? '',
              ...(config.Unit !== undefined ? { unit: config.Unit } : {}),
            },
            returnData: true,
          },
        ],
      },
    },
  };
}
