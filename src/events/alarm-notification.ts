/**
 * What CloudWatch publishes to an SNS topic of an alarm's actions when the alarm changes state:
 * the subject `ALARM: "<name>" in <Region name>` and a JSON message of `AlarmName`,
 * `AlarmDescription`, `AWSAccountId`, `NewStateValue`, `NewStateReason`, `StateChangeTime`,
 * `Region` (the region's long name, as CloudWatch writes it), `AlarmArn`, `OldStateValue`, the
 * actions, and `Trigger` (the metric, `StatisticType`, the statistic in capitals, dimensions as
 * `{value, name}`, the evaluation settings), as received by the topics' subscribers. Which topics:
 * those of the new state's actions (`AlarmActions`, `OKActions`, `InsufficientDataActions`), and
 * only while `ActionsEnabled`.
 */
import { type AlarmChange, cloudWatchTime } from './alarm-events.ts';

/** The regions' names as CloudWatch's messages give them; another region is shown by its code. */
const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-north-1': 'EU (Stockholm)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'sa-east-1': 'South America (Sao Paulo)',
};

export function regionName(region: string): string {
  return REGION_NAMES[region] ?? region;
}

/** The action ARNs of the change's new state, or none while the alarm's actions are disabled. */
export function actionsFor(change: AlarmChange): string[] {
  const config = change.configuration;
  if (!config.ActionsEnabled) return [];
  switch (change.state.value) {
    case 'ALARM':
      return config.AlarmActions;
    case 'OK':
      return config.OKActions;
    case 'INSUFFICIENT_DATA':
      return config.InsufficientDataActions;
  }
}

/** Whether an action ARN is an SNS topic (`arn:<partition>:sns:<region>:<account>:<topic>`). */
export function isTopicArn(arn: string): boolean {
  return /^arn:[^:]+:sns:[^:]*:[^:]*:[^:]+$/.test(arn);
}

export function alarmNotificationSubject(change: AlarmChange): string {
  return `${change.state.value}: "${change.alarmName}" in ${regionName(change.region)}`;
}

export function alarmNotificationMessage(change: AlarmChange): Record<string, unknown> {
  const config = change.configuration;
  const extended = config.Statistic === undefined && config.ExtendedStatistic !== undefined;
  return {
    AlarmName: change.alarmName,
    AlarmDescription: config.AlarmDescription ?? null,
    AWSAccountId: change.accountId,
    NewStateValue: change.state.value,
    NewStateReason: change.state.reason,
    StateChangeTime: cloudWatchTime(change.state.timestamp),
    Region: regionName(change.region),
    AlarmArn: change.alarmArn,
    OldStateValue: change.previousState.value,
    OKActions: config.OKActions,
    AlarmActions: config.AlarmActions,
    InsufficientDataActions: config.InsufficientDataActions,
    Trigger: {
      MetricName: config.MetricName,
      Namespace: config.Namespace,
      StatisticType: extended ? 'ExtendedStatistic' : 'Statistic',
      ...(extended
        ? { ExtendedStatistic: config.ExtendedStatistic }
        : { Statistic: (config.Statistic ?? '').toUpperCase() }),
      Unit: config.Unit ?? null,
      Dimensions: config.Dimensions.map((d) => ({ value: d.Value, name: d.Name })),
      Period: config.Period,
      EvaluationPeriods: config.EvaluationPeriods,
      ...(config.DatapointsToAlarm !== undefined ? { DatapointsToAlarm: config.DatapointsToAlarm } : {}),
      ComparisonOperator: config.ComparisonOperator,
      Threshold: config.Threshold,
      TreatMissingData: config.TreatMissingData ?? 'missing',
      EvaluateLowSampleCountPercentile: config.EvaluateLowSampleCountPercentile ?? '',
    },
  };
}
