/**
 * CloudWatch alarms of a stage, each notifying the failure topic on ALARM and again on OK:
 * - low-confidence share: the Average of the filter Lambda's `LowConfidence` metric (1 per decision
 *   below the routing threshold, else 0; Powertools EMF, src/workflow/metrics.ts) over a window,
 *   above the monitor's default of 40 % in 2 of the last 3 windows (one doubtful image in a quiet
 *   window is not an alarm; a single-metric alarm cannot ask for a minimum number of decisions);
 * - classification failures and intake failures: the Sum of Step Functions' own `ExecutionsFailed`
 *   (namespace AWS/States, dimension StateMachineArn) of each state machine, at least one in a
 *   window. The Lambdas' `Errors` metric has the error name as a dimension, so no single series
 *   counts them all; a failed execution is what a user loses. An intake that fails means an upload
 *   was never classified, and the failure rule only watches the classification: hence its own alarm.
 * Missing data (no traffic) is not breaching. Metric alarms bill per alarm-month (prices.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import {
  type CloudWatchClient,
  type ComparisonOperator,
  DescribeAlarmsCommand,
  type Dimension,
  ListTagsForResourceCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  type Statistic,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { DEFAULT_ALARM_THRESHOLDS } from '../monitor/alarms/index.ts';
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../workflow/metrics.ts';
import { type ReviewedLabelsSettings, reviewedLabelsAlarmRequest } from '../workflow/reviewed-labels.ts';
import { rolloutAlarmRequest } from '../workflow/rollout-alarm.ts';
import { missingTags, type ResourceChange } from './report.ts';

export interface AlarmSettings {
  /** Share of decisions below the routing threshold (0-1) above which the low-confidence alarm fires. */
  lowConfidenceShare: number;
  /** Length of one evaluation window in minutes (CloudWatch periods: multiples of 1 minute). */
  periodMinutes: number;
  /** Failed executions in one window that raise a failure alarm. */
  failures: number;
}

export const ALARM_DEFAULTS: AlarmSettings = {
  lowConfidenceShare: DEFAULT_ALARM_THRESHOLDS['low-confidence-share'],
  periodMinutes: 5,
  failures: 1,
};

export class AlarmSettingsError extends Error {
  override name = 'AlarmSettingsError';
}

export function resolveAlarmSettings(settings: Partial<AlarmSettings> = {}): AlarmSettings {
  const resolved = {
    ...ALARM_DEFAULTS,
    ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
  };
  if (!(resolved.lowConfidenceShare > 0 && resolved.lowConfidenceShare < 1))
    throw new AlarmSettingsError(
      `--alarm-low-confidence must be a share between 0 and 1; got ${resolved.lowConfidenceShare}`,
    );
  // A period over a day would leave the 3-window alarm blind for days; CloudWatch's limit is 1 day too.
  if (
    !Number.isInteger(resolved.periodMinutes) ||
    resolved.periodMinutes < 1 ||
    resolved.periodMinutes > 1440
  )
    throw new AlarmSettingsError(
      `--alarm-period must be whole minutes from 1 to 1440; got ${resolved.periodMinutes}`,
    );
  if (!Number.isInteger(resolved.failures) || resolved.failures < 1)
    throw new AlarmSettingsError(
      `--alarm-failures must be a positive whole number; got ${resolved.failures}`,
    );
  return resolved;
}

/** The fields of PutMetricAlarm the kit sets (single-metric alarms only). */
export interface AlarmSpec {
  name: string;
  arn: string;
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  statistic: Statistic;
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: ComparisonOperator;
  /** SNS topics notified on ALARM (and on OK unless `okActions` says otherwise). */
  actions: string[];
  /** Topics notified on OK; default `actions`. */
  okActions?: string[];
  tags: Record<string, string>;
}

export interface StageAlarmInput {
  names: { lowConfidenceShare: string; classificationFailures: string; intakeFailures: string };
  arnOf(name: string): string;
  filterFunctionName: string;
  stateMachineArn: string;
  intakeStateMachineArn: string;
  topicArn: string;
  settings: AlarmSettings;
  stage: string;
  tags: Record<string, string>;
}

export function stageAlarms(input: StageAlarmInput): AlarmSpec[] {
  const { settings } = input;
  const periodSeconds = settings.periodMinutes * 60;
  const common = { periodSeconds, actions: [input.topicArn], tags: input.tags };
  const failures = (name: string, what: string, stateMachineArn: string): AlarmSpec => ({
    ...common,
    name,
    arn: input.arnOf(name),
    description: `scones ${input.stage}: ${settings.failures}+ failed ${what} execution(s) in ${settings.periodMinutes} min`,
    namespace: 'AWS/States',
    metricName: 'ExecutionsFailed',
    dimensions: [{ Name: 'StateMachineArn', Value: stateMachineArn }],
    statistic: 'Sum',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: settings.failures,
    comparison: 'GreaterThanOrEqualToThreshold',
  });
  return [
    {
      ...common,
      name: input.names.lowConfidenceShare,
      arn: input.arnOf(input.names.lowConfidenceShare),
      description: `scones ${input.stage}: over ${Math.round(settings.lowConfidenceShare * 100)} % of decisions below the routing threshold in 2 of 3 windows of ${settings.periodMinutes} min`,
      namespace: METRICS_NAMESPACE,
      metricName: METRIC.lowConfidence,
      // Exactly the dimension set the Lambda's EMF documents carry (Powertools adds `service`).
      dimensions: [
        { Name: 'service', Value: SERVICE_NAME },
        { Name: DIMENSION.functionName, Value: input.filterFunctionName },
      ],
      statistic: 'Average',
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      threshold: settings.lowConfidenceShare,
      comparison: 'GreaterThanThreshold',
    },
    failures(input.names.classificationFailures, 'classification', input.stateMachineArn),
    failures(input.names.intakeFailures, 'intake', input.intakeStateMachineArn),
  ];
}

/**
 * The reviewed-labels alarm (src/workflow/reviewed-labels.ts): the Sum of `ReviewedLabels` at or
 * above N in one period. Its ALARM state-change event starts a retraining through
 * eventrules/retrain-on-reviewed-labels.json; `actions` may stay empty.
 */
export function reviewedLabelsAlarm(input: {
  stage: string;
  arnOf(name: string): string;
  settings?: ReviewedLabelsSettings;
  actions?: string[];
  tags: Record<string, string>;
}): AlarmSpec {
  const request = reviewedLabelsAlarmRequest(input.stage, input.settings);
  return alarmSpecOf(request, { arnOf: input.arnOf, actions: input.actions ?? [], tags: input.tags });
}

/** The configuration of an alarm in one comparable shape (services reorder dimensions and lists). */
function comparable(alarm: Partial<MetricAlarm>) {
  const sorted = (values: string[] | undefined) => [...(values ?? [])].sort();
  return {
    AlarmDescription: alarm.AlarmDescription ?? '',
    Namespace: alarm.Namespace,
    MetricName: alarm.MetricName,
    Dimensions: [...(alarm.Dimensions ?? [])]
      .map((d) => ({ Name: d.Name, Value: d.Value }))
      .sort((a, b) => String(a.Name).localeCompare(String(b.Name))),
    Statistic: alarm.Statistic,
    Period: alarm.Period,
    EvaluationPeriods: alarm.EvaluationPeriods,
    DatapointsToAlarm: alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods,
    Threshold: alarm.Threshold,
    ComparisonOperator: alarm.ComparisonOperator,
    TreatMissingData: alarm.TreatMissingData ?? 'missing',
    ActionsEnabled: alarm.ActionsEnabled ?? true,
    AlarmActions: sorted(alarm.AlarmActions),
    OKActions: sorted(alarm.OKActions),
  };
}

/** PutMetricAlarm's fields of a spec (the template's AWS::CloudWatch::Alarm properties are the same). */
export function alarmRequest(spec: AlarmSpec) {
  return {
    AlarmName: spec.name,
    AlarmDescription: spec.description,
    Namespace: spec.namespace,
    MetricName: spec.metricName,
    Dimensions: spec.dimensions,
    Statistic: spec.statistic,
    Period: spec.periodSeconds,
    EvaluationPeriods: spec.evaluationPeriods,
    DatapointsToAlarm: spec.datapointsToAlarm,
    Threshold: spec.threshold,
    ComparisonOperator: spec.comparison,
    TreatMissingData: 'notBreaching',
    ActionsEnabled: true,
    AlarmActions: spec.actions,
    OKActions: spec.okActions ?? spec.actions,
  };
}

/**
 * The stage's rollout alarm as deploy puts it (the request every tier shares:
 * src/workflow/rollout-alarm.ts): a retrained candidate's canary is rolled back while it is in ALARM.
 */
export function rolloutAlarmSpec(input: {
  stage: string;
  endpointName: string;
  topicArn: string;
  arnOf(name: string): string;
  tags: Record<string, string>;
}): AlarmSpec {
  const request = rolloutAlarmRequest({
    stage: input.stage,
    endpointName: input.endpointName,
    notificationTopicArn: input.topicArn,
  });
  return alarmSpecOf(request, {
    arnOf: input.arnOf,
    actions: request.AlarmActions,
    okActions: [],
    tags: input.tags,
  });
}

export async function ensureAlarm(
  cloudwatch: CloudWatchClient,
  spec: AlarmSpec,
  apply: boolean,
): Promise<ResourceChange> {
  const change: ResourceChange = {
    kind: 'alarm',
    name: spec.name,
    arn: spec.arn,
    change: 'none',
    reasons: [],
  };
  const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [spec.name] }));
  const existing = MetricAlarms.find((alarm) => alarm.AlarmName === spec.name);
  const settings = alarmRequest(spec);
  const tagList = Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value }));
  if (!existing) {
    change.change = 'create';
    change.reasons.push(
      `${spec.namespace} ${spec.metricName} ${spec.statistic} ${spec.comparison} ${spec.threshold}`,
    );
    if (!apply) return change;
    await cloudwatch.send(new PutMetricAlarmCommand({ ...settings, Tags: tagList }));
    return change;
  }
  change.arn = existing.AlarmArn ?? spec.arn;
  const configurationDiffers = !isDeepStrictEqual(comparable(existing), comparable(settings));
  const { Tags = [] } = await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: change.arn }));
  const tagsToAdd = missingTags(spec.tags, Object.fromEntries(Tags.map((tag) => [tag.Key ?? '', tag.Value])));
  if (configurationDiffers) change.reasons.push('configuration');
  if (Object.keys(tagsToAdd).length > 0) change.reasons.push('tags');
  if (change.reasons.length === 0) return change;
  change.change = 'update';
  if (!apply) return change;
  // PutMetricAlarm replaces the whole configuration; its Tags apply only when it creates the alarm.
  if (configurationDiffers) await cloudwatch.send(new PutMetricAlarmCommand(settings));
  if (Object.keys(tagsToAdd).length > 0) {
    const Tags = Object.entries(tagsToAdd).map(([Key, Value]) => ({ Key, Value }));
    await cloudwatch.send(new TagResourceCommand({ ResourceARN: change.arn, Tags }));
  }
  return change;
}

/** The fields of a PutMetricAlarm request every tier shares (src/workflow/), as deploy's spec. */
interface SharedAlarmRequest {
  AlarmName: string;
  AlarmDescription: string;
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
  Statistic: Statistic;
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: ComparisonOperator;
}

function alarmSpecOf(
  request: SharedAlarmRequest,
  deployed: {
    arnOf(name: string): string;
    actions: string[];
    okActions?: string[];
    tags: Record<string, string>;
  },
): AlarmSpec {
  return {
    name: request.AlarmName,
    arn: deployed.arnOf(request.AlarmName),
    description: request.AlarmDescription,
    namespace: request.Namespace,
    metricName: request.MetricName,
    dimensions: request.Dimensions,
    statistic: request.Statistic,
    periodSeconds: request.Period,
    evaluationPeriods: request.EvaluationPeriods,
    datapointsToAlarm: request.DatapointsToAlarm,
    threshold: request.Threshold,
    comparison: request.ComparisonOperator,
    actions: deployed.actions,
    ...(deployed.okActions ? { okActions: deployed.okActions } : {}),
    tags: deployed.tags,
  };
}
