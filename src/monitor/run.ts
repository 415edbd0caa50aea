/**
 * One monitor run: read a target's captured traffic, ground truth and the Lambdas' metrics
 * (sources/), sum them up per window with the alarms (report.ts), and give the report as a page
 * (html.ts with the charts of charts/) or as the `--json` object.
 */
import { DEFAULT_ALARM_MINIMUMS } from './alarms/index.ts';
import { renderCharts } from './charts/index.ts';
import { formatCount } from './format.ts';
import { renderHtml } from './html.ts';
import { buildReport, windowGrid } from './report.ts';
import { type Collected, collect, readCloudWatchMetrics } from './sources/index.ts';
import type { WindowMetrics } from './statistics/index.ts';
import type { MonitorRequest, MonitorResult, PageContext } from './types.ts';
import {
  buildTimeline,
  type ModelVersionsReport,
  type RetrainingHistory,
  type RetrainingHistorySource,
  type RolloutTimeline,
  summarizeVersions,
  versionsNotShown,
} from './versions/index.ts';

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

type HistoryRead =
  | { source: RetrainingHistorySource; history: RetrainingHistory; timeline: RolloutTimeline }
  | { unavailable: ModelVersionsReport }
  | undefined;

/** The retraining history and its timeline; the report stands without it and says why. */
async function readHistory(source: RetrainingHistorySource | undefined): Promise<HistoryRead> {
  if (!source) return undefined;
  try {
    const history = await source.read();
    return { source, history, timeline: buildTimeline(history) };
  } catch (error) {
    const err = error as Error;
    return {
      unavailable: versionsNotShown(
        'unavailable',
        `Model versions unavailable: ${source.describe} could not be read (${err.name}: ${err.message}).`,
        source.describe,
      ),
    };
  }
}

function modelVersionsOf(read: HistoryRead, collected: Collected): ModelVersionsReport | undefined {
  if (!read) return undefined;
  if ('unavailable' in read) return read.unavailable;
  return summarizeVersions(
    read.timeline,
    collected.versions?.byKey ?? new Map(),
    read.history.executions.length,
    read.source.describe,
    read.history.notes,
  );
}

export async function runMonitor(request: MonitorRequest): Promise<MonitorResult> {
  const { settings } = request;
  const history = await readHistory(request.retrainingHistory);
  const collected = await collect(request.sources, {
    range: settings.range,
    threshold: settings.threshold,
    ...(request.samplePoints ? { samplePoints: request.samplePoints } : {}),
    ...(history && 'timeline' in history ? { timeline: history.timeline } : {}),
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
  const report = buildReport(collected, settings, external, modelVersionsOf(history, collected));
  const context = describeSources(request, collected, metrics);
  if (request.retrainingHistory)
    context.sources.push(`model versions: ${request.retrainingHistory.describe}`);
  return { report, context };
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
