/**
 * Retraining when enough reviewed labels have arrived. EventBridge matches single events and keeps
 * no count, so "N new labels" cannot be a rule's pattern: the count lives in CloudWatch instead.
 * Each ground truth a reviewer writes (`scones review`) is one `ReviewedLabels` datum (value 1,
 * namespace `Scones`, dimensions `service` and `stage`); the metric alarm
 * `scones-<stage>-reviewed-labels` sums it over a period and goes to ALARM at N; its state-change
 * event (`aws.cloudwatch`, `CloudWatch Alarm State Change`) is what `eventrules/retrain-on-reviewed-labels.json`
 * matches. An alarm goes to ALARM once per crossing, so one burst of labels starts one retraining.
 *
 * The window is the alarm's: labels are counted per period (default an hour), so N labels spread
 * over several periods do not add up; a slower review pace wants a longer period (up to a day).
 */

import { type CloudWatchCalls, ensureMetricAlarm } from './metric-alarm.ts';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from './metrics.ts';
import { retrainingNames } from './names.ts';

export interface ReviewedLabelsSettings {
  /** Labels within one period that start a retraining (N). */
  threshold: number;
  /** The period they are summed over, in seconds (a multiple of 60, at most a day). */
  periodSeconds: number;
}

export const REVIEWED_LABELS_DEFAULTS: ReviewedLabelsSettings = { threshold: 50, periodSeconds: 3600 };

export class ReviewedLabelsSettingsError extends Error {
  override name = 'ReviewedLabelsSettingsError';
}

/** The settings from SCONES_RETRAIN_LABELS (N) and SCONES_RETRAIN_LABELS_PERIOD (seconds). */
export function reviewedLabelsSettings(env: Record<string, string | undefined> = {}): ReviewedLabelsSettings {
  const read = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new ReviewedLabelsSettingsError(`${name} must be a whole number of at least 1; got "${raw}"`);
    return value;
  };
  const settings = {
    threshold: read('SCONES_RETRAIN_LABELS', REVIEWED_LABELS_DEFAULTS.threshold),
    periodSeconds: read('SCONES_RETRAIN_LABELS_PERIOD', REVIEWED_LABELS_DEFAULTS.periodSeconds),
  };
  if (settings.periodSeconds % 60 !== 0 || settings.periodSeconds > 86_400)
    throw new ReviewedLabelsSettingsError(
      `SCONES_RETRAIN_LABELS_PERIOD must be a multiple of 60 seconds, at most 86400; got ${settings.periodSeconds}`,
    );
  return settings;
}

/** The metric's dimensions: the stage's labels only (several stages may share an account). */
export function reviewedLabelsDimensions(stage: string) {
  return [
    { Name: 'service', Value: SERVICE_NAME },
    { Name: 'stage', Value: stage },
  ];
}

/** One PutMetricData request for `count` labels written at `time`. */
export function reviewedLabelsMetricData(stage: string, count: number, time = new Date()) {
  return {
    Namespace: METRICS_NAMESPACE,
    MetricData: [
      {
        MetricName: METRIC.reviewedLabels,
        Dimensions: reviewedLabelsDimensions(stage),
        Timestamp: time,
        Value: count,
        Unit: 'Count' as const,
      },
    ],
  };
}

/** The alarm as PutMetricAlarm takes it (without actions: its state-change event is the trigger). */
export function reviewedLabelsAlarmRequest(
  stage: string,
  settings: ReviewedLabelsSettings = REVIEWED_LABELS_DEFAULTS,
) {
  return {
    AlarmName: retrainingNames(stage).reviewedLabelsAlarm,
    AlarmDescription: `scones ${stage}: ${settings.threshold}+ reviewed labels in ${settings.periodSeconds / 60} min start a retraining (eventrules/retrain-on-reviewed-labels.json)`,
    Namespace: METRICS_NAMESPACE,
    MetricName: METRIC.reviewedLabels,
    Dimensions: reviewedLabelsDimensions(stage),
    Statistic: 'Sum' as const,
    Period: settings.periodSeconds,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: settings.threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold' as const,
    // No labels in a period is not a reason to retrain.
    TreatMissingData: 'notBreaching',
  };
}

/** The reviewed-labels alarm of the stage, created or brought back to its settings (metric-alarm.ts). */
export function ensureReviewedLabelsAlarm(
  cloudwatch: CloudWatchCalls,
  stage: string,
  settings: ReviewedLabelsSettings,
): Promise<'created' | 'updated' | 'unchanged'> {
  return ensureMetricAlarm(cloudwatch, { ...reviewedLabelsAlarmRequest(stage, settings) });
}
