/**
 * `scones monitor` as a library: read a target's captured traffic, ground truth and the Lambdas'
 * metrics (collect.ts), sum them up per window with the alarms (report.ts), draw one chart per
 * view (charts-*.ts) into a self-contained page (html.ts).
 *
 *   const result = await runMonitor({ sources, settings: { threshold: 0.8, range: {} } });
 *   result.report.alarms     // [{ name, state: 'OK' | 'ALARM', value, threshold, evidence, ... }]
 *   await renderReportHtml(result)   // the HTML page
 */
import { DEFAULT_ALARM_MINIMUMS } from './alarms.ts';
import { renderSvg } from './chart-render.ts';
import { classMixSpec, confidenceSpec, inferencesSpec } from './charts-confidence.ts';
import { driftSpec, qualitySpec } from './charts-health.ts';
import { alarmsSpec, trafficSpec } from './charts-operations.ts';
import { type CloudWatchSource, readCloudWatchMetrics } from './cloudwatch-metrics.ts';
import { type Collected, collect, type MonitorSources } from './collect.ts';
import { formatCount } from './format.ts';
import { type PageContext, type RenderedChart, renderHtml } from './html.ts';
import { buildReport, type MonitorReport, type ReportSettings, windowGrid } from './report.ts';
import type { TimeRange } from './time-range.ts';
import type { WindowMetrics } from './window-metrics.ts';

export type { AlarmName, AlarmResult, AlarmThresholds } from './alarms.ts';
export {
  ALARM_NAMES,
  DEFAULT_ALARM_MINIMUMS,
  DEFAULT_ALARM_THRESHOLDS,
  parseAlarmThresholds,
} from './alarms.ts';
export type { CloudWatchSource } from './cloudwatch-metrics.ts';
export type { MonitorSources } from './collect.ts';
export type { MonitorReport, WindowSummary } from './report.ts';
export { parseDuration, parseTimeRange, TimeOptionError } from './time-range.ts';

export interface MonitorRequest {
  sources: MonitorSources;
  /** Ask CloudWatch for the Lambdas' metrics (AWS) instead of reading EMF log files. */
  cloudwatch?: CloudWatchSource;
  settings: ReportSettings & { range: TimeRange };
  /** Points of the per-inference chart (default 2,500). */
  samplePoints?: number;
}

export interface MonitorResult {
  report: MonitorReport;
  context: PageContext;
}

const s3Uri = (bucket: string, prefix: string) => `s3://${bucket}/${prefix}`;

function describeSources(request: MonitorRequest, collected: Collected, metrics: string): PageContext {
  const { sources } = request;
  const { capture, groundTruth } = collected;
  const notes: string[] = [];
  const skipped = Object.entries(capture.skipped);
  if (skipped.length) {
    notes.push(
      `capture lines skipped: ${skipped.map(([reason, n]) => `${formatCount(n)} ${reason}`).join(', ')}`,
    );
  }
  if (capture.withoutInferenceId) {
    notes.push(
      `${formatCount(capture.withoutInferenceId)} captured records carry no inferenceId (captured before the classify Lambda sent one): they join ground truth by event id only`,
    );
  }
  const unjoined = groundTruth.labels - groundTruth.joined;
  if (unjoined > 0) {
    notes.push(`${formatCount(unjoined)} ground-truth labels match no captured inference in the range`);
  }
  const gtSkipped = Object.entries(groundTruth.skipped);
  if (gtSkipped.length) {
    notes.push(
      `ground-truth lines skipped: ${gtSkipped.map(([reason, n]) => `${formatCount(n)} ${reason}`).join(', ')}`,
    );
  }
  return {
    sources: [
      `captured traffic: ${s3Uri(sources.bucket, sources.capturePrefix)} (${formatCount(capture.objects)} files, ${formatCount(capture.records)} inferences in the range)`,
      `ground truth: ${s3Uri(sources.bucket, sources.groundTruthPrefix)} (${formatCount(groundTruth.labels)} labels, ${formatCount(groundTruth.joined)} joined)`,
      `training mix: ${collected.training?.uri ?? 'not found'}`,
      `metrics: ${metrics}`,
    ],
    notes,
  };
}

export async function runMonitor(request: MonitorRequest): Promise<MonitorResult> {
  const { settings } = request;
  const collected = await collect(request.sources, {
    range: settings.range,
    threshold: settings.threshold,
    ...(request.samplePoints ? { samplePoints: request.samplePoints } : {}),
  });
  let external: Map<number, WindowMetrics> | undefined;
  let metrics = 'none read';
  if (collected.metricLogs) {
    const logs = collected.metricLogs;
    metrics = `EMF lines in ${request.sources.metricLogsDir} (${formatCount(logs.files)} files, ${formatCount(logs.datapoints)} datapoints in the range)`;
  }
  if (request.cloudwatch) {
    const grid = windowGrid(collected, settings);
    if (grid) {
      try {
        const read = await readCloudWatchMetrics(request.cloudwatch, grid);
        external = read.byWindow;
        metrics = `CloudWatch namespace ${request.cloudwatch.namespace} (${read.series} series, ${read.periodSeconds}-s periods)`;
      } catch (error) {
        // The report stands without metrics; say why they are missing.
        const err = error as Error;
        metrics = `CloudWatch namespace ${request.cloudwatch.namespace} unavailable: ${err.name}: ${err.message}`;
      }
    }
  }
  const report = buildReport(collected, settings, external);
  return { report, context: describeSources(request, collected, metrics) };
}

export async function renderCharts(
  report: MonitorReport,
  minimums = DEFAULT_ALARM_MINIMUMS,
): Promise<RenderedChart[]> {
  const views = [
    {
      id: 'alarms',
      title: 'Alarms',
      caption: 'Each rule is checked on every window with enough data; the value is the worst window\u2019s.',
      chart: alarmsSpec(report),
    },
    {
      id: 'inferences',
      title: 'Observed inferences',
      caption: 'Is the model still sure? Every dot is one inference; red ones went to manual review.',
      chart: inferencesSpec(report, minimums.windowInferences),
    },
    {
      id: 'confidence',
      title: 'Confidence distribution',
      caption:
        'How the confidences spread in each window, and how much of the traffic people have to review.',
      chart: confidenceSpec(report, minimums.windowInferences),
    },
    {
      id: 'class-mix',
      title: 'Class mix',
      caption: 'Does the traffic still look like what the model was trained on?',
      chart: classMixSpec(report, minimums.windowInferences),
    },
    {
      id: 'drift',
      title: 'Drift',
      caption: 'How far each window\u2019s confidences and predicted classes are from the baseline\u2019s.',
      chart: driftSpec(report, minimums.driftInferences),
    },
    {
      id: 'quality',
      title: 'Model quality',
      caption:
        'Is the model right? Accuracy and per-class precision / recall from the reviewers\u2019 labels.',
      chart: qualitySpec(report, minimums.labels),
    },
    {
      id: 'traffic',
      title: 'Traffic and latency',
      caption: 'How much traffic came, where it was routed, and how fast the endpoint answered.',
      chart: trafficSpec(report),
    },
  ];
  const charts: RenderedChart[] = [];
  // One at a time: each render is CPU-bound, and holding one view at once keeps memory flat.
  for (const view of views) {
    const { spec, note } = view.chart;
    charts.push({ id: view.id, title: view.title, caption: view.caption, note, svg: await renderSvg(spec) });
  }
  return charts;
}

export async function renderReportHtml(
  result: MonitorResult,
  minimums = DEFAULT_ALARM_MINIMUMS,
): Promise<string> {
  return renderHtml(result.report, await renderCharts(result.report, minimums), result.context);
}

/** The `--json` object: the alarms first (what scripts read), then the figures per window. */
export function reportJson(
  result: MonitorResult,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const { report, context } = result;
  const { sample, alarms, ...figures } = report;
  return {
    alarms,
    inAlarm: alarms.filter((alarm) => alarm.state === 'ALARM').map((alarm) => alarm.name),
    ...extra,
    ...figures,
    sampledPoints: sample.points.length,
    sources: context.sources,
    notes: [...context.notes, ...report.notes],
  };
}
