/**
 * `scones monitor` as a library: read a target's captured traffic, ground truth and the Lambdas'
 * metrics (sources/), sum them up per window with the alarms (report.ts, alarms/), draw one chart
 * per view (charts/) into a self-contained page (html.ts).
 *
 *   const result = await runMonitor({ sources, settings: { threshold: 0.8, range: {} } });
 *   result.report.alarms     // [{ name, state: 'OK' | 'ALARM', value, threshold, evidence, ... }]
 *   await renderReportHtml(result)   // the HTML page
 */
export {
  ALARM_NAMES,
  type AlarmName,
  type AlarmResult,
  type AlarmThresholds,
  DEFAULT_ALARM_MINIMUMS,
  DEFAULT_ALARM_THRESHOLDS,
  parseAlarmThresholds,
} from './alarms/index.ts';
export { renderCharts } from './charts/index.ts';
export { renderReportHtml, reportJson, runMonitor } from './run.ts';
export {
  type CloudWatchSource,
  type MonitorSources,
  type RetrainingHistoryOptions,
  sdkRetrainingHistory,
} from './sources/index.ts';
export { parseDuration, parseTimeRange, TimeOptionError } from './time-range.ts';
export type { MonitorReport, MonitorRequest, MonitorResult, WindowSummary } from './types.ts';
export {
  attributeInferences,
  buildTimeline,
  type ModelVersionsReport,
  modelVersionLines,
  type RetrainingHistory,
  type RetrainingHistorySource,
  type RolloutTimeline,
} from './versions/index.ts';
