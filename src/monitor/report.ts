/**
 * The report's figures, from what was collected: the windows (statistics/windows.ts), each summed up
 * (confidence, class mix, drift against the baseline, quality from ground truth, traffic and
 * latency), the baseline, and the alarms. Everything here is plain data: the HTML, the charts
 * and `--json` are views of it.
 *
 * The baseline is the first quarter of the range's inferences, rounded up to whole windows (at
 * least the first window with data), or every window before `baselineUntil`: drift and the
 * confidence drop compare each later window with it.
 */

import { METRIC } from '../workflow/metrics.ts';
import { evaluateAlarms } from './alarms/index.ts';
import type { Collected } from './sources/index.ts';
import {
  accuracyOf,
  chooseWindowMs,
  classQuality,
  emptyWindowMetrics,
  jensenShannonDistance,
  metricsOfAggregate,
  shares,
  WindowAggregate,
  type WindowGrid,
  type WindowMetrics,
  windowCount,
} from './statistics/index.ts';
import type { MonitorReport, ReportSettings, WindowSummary } from './types.ts';
import { type ModelVersionsReport, versionsNotShown } from './versions/index.ts';

/** The section when the run was given no retraining history to read. */
export const VERSIONS_NOT_READ = versionsNotShown(
  'not-read',
  'Model versions not read: no retraining history was given for this target.',
);

const byName = (counts: readonly number[], names: readonly string[]) =>
  Object.fromEntries(names.map((name, i) => [name, counts[i] ?? 0]));

/** Which windows form the baseline (indices into the window list). */
function baselineWindows(aggregates: WindowAggregate[], starts: number[], settings: ReportSettings): number {
  if (settings.baselineUntil !== undefined) {
    const until = settings.baselineUntil;
    return Math.max(1, starts.filter((start) => start < until).length);
  }
  const total = aggregates.reduce((sum, a) => sum + a.inferences, 0);
  let seen = 0;
  for (let i = 0; i < aggregates.length; i++) {
    seen += (aggregates[i] as WindowAggregate).inferences;
    if (seen > 0 && seen >= total / 4) return i + 1;
  }
  return Math.max(1, aggregates.length);
}

function summarizeWindow(
  startMs: number,
  widthMs: number,
  aggregate: WindowAggregate,
  baseline: WindowAggregate,
  inBaseline: boolean,
  classNames: readonly string[],
  metrics: WindowMetrics,
): WindowSummary {
  const quality = accuracyOf(aggregate.confusion);
  const n = aggregate.inferences;
  return {
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + widthMs).toISOString(),
    startMs,
    endMs: startMs + widthMs,
    inBaseline,
    inferences: n,
    meanConfidence: n ? aggregate.confidenceSum / n : null,
    belowThreshold: aggregate.belowThreshold,
    shareBelowThreshold: n ? aggregate.belowThreshold / n : null,
    confidenceHistogram: [...aggregate.confidenceBins],
    classCounts: byName(aggregate.classCounts, classNames),
    drift: {
      confidence: n
        ? (jensenShannonDistance(baseline.confidenceBins, aggregate.confidenceBins) ?? null)
        : null,
      classMix: n ? (jensenShannonDistance(baseline.classCounts, aggregate.classCounts) ?? null) : null,
    },
    quality: {
      labels: quality.labels,
      unusable: aggregate.unusableLabels,
      correct: quality.correct,
      accuracy: quality.accuracy,
      classes: classQuality(aggregate.confusion, classNames),
    },
    metrics,
    withoutInferenceId: aggregate.withoutInferenceId,
  };
}

/** More windows than this is a mistake in --window, not a report. */
export const MAX_WINDOWS = 1000;

/** Decisions the Lambdas counted (for a span with metrics but no capture, e.g. a serverless endpoint). */
function decisionsCounted(aggregate: WindowAggregate): number {
  let decisions = 0;
  for (const metric of aggregate.metrics.values())
    if (metric.name === METRIC.decisions) decisions += metric.count;
  return decisions;
}

/** The report's windows: from --since/--until or the data's span, width from the span unless given. */
export function windowGrid(collected: Collected, settings: ReportSettings): WindowGrid | undefined {
  const { buckets } = collected;
  const first = settings.range?.since ?? buckets.firstMs;
  const last = settings.range?.until !== undefined ? settings.range.until - 1 : buckets.lastMs;
  if (first === undefined || last === undefined || last < first) return undefined;
  const records = collected.capture.records || decisionsCounted(WindowAggregate.mergeAll(buckets.values()));
  const widthMs = settings.windowMs ?? chooseWindowMs(first, last, records, { minWidthMs: buckets.widthMs });
  const count = windowCount(first, last, widthMs);
  if (count > MAX_WINDOWS) {
    throw new RangeError(
      `a ${widthMs / 1000}-s window over this span makes ${count} windows (at most ${MAX_WINDOWS}): choose a wider --window`,
    );
  }
  return { firstStartMs: Math.floor(first / widthMs) * widthMs, widthMs, count };
}

function emptyReport(
  collected: Collected,
  settings: ReportSettings,
  modelVersions: ModelVersionsReport,
): MonitorReport {
  const { classNames } = collected;
  return {
    generatedAt: new Date().toISOString(),
    threshold: settings.threshold,
    classNames,
    windowMs: 0,
    span: null,
    totals: {
      inferences: 0,
      meanConfidence: null,
      shareBelowThreshold: null,
      labels: 0,
      accuracy: null,
      unusableLabels: 0,
    },
    baseline: {
      rule: '',
      windows: 0,
      until: null,
      inferences: 0,
      meanConfidence: null,
      confidenceHistogram: [],
      classCounts: {},
    },
    training: collected.training
      ? {
          uri: collected.training.uri,
          classShares: byName(
            shares(collected.training.classCounts).map((s) => s ?? 0),
            classNames,
          ),
        }
      : null,
    windows: [],
    alarms: evaluateAlarms(
      [],
      { inferences: 0, meanConfidence: null },
      { labels: 0, accuracy: null },
      settings,
    ),
    sample: { points: [], of: 0 },
    modelVersions,
    notes: [...collected.notes],
  };
}

const meanOf = (aggregate: WindowAggregate) =>
  aggregate.inferences ? aggregate.confidenceSum / aggregate.inferences : null;

/**
 * The report. `external` holds the Lambdas' metrics per window start when they were asked of
 * CloudWatch (for the grid `windowGrid` gives); otherwise they come from the collected EMF lines.
 * `modelVersions`: the section run.ts made from the retraining history, when it read one.
 */
export function buildReport(
  collected: Collected,
  settings: ReportSettings,
  external?: Map<number, WindowMetrics>,
  modelVersions: ModelVersionsReport = VERSIONS_NOT_READ,
): MonitorReport {
  const empty = emptyReport(collected, settings, modelVersions);
  const grid = windowGrid(collected, settings);
  if (!grid) return empty;
  const { firstStartMs, widthMs, count } = grid;
  const grouped = collected.buckets.windows(widthMs);
  const starts = Array.from({ length: count }, (_, i) => firstStartMs + i * widthMs);
  const aggregates = starts.map((start) => grouped.get(start) ?? new WindowAggregate());
  const baselineCount = baselineWindows(aggregates, starts, settings);
  const baseline = WindowAggregate.mergeAll(aggregates.slice(0, baselineCount));
  const windows = aggregates.map((aggregate, i) => {
    const start = starts[i] as number;
    const metrics = external ? (external.get(start) ?? emptyWindowMetrics()) : metricsOfAggregate(aggregate);
    return summarizeWindow(
      start,
      widthMs,
      aggregate,
      baseline,
      i < baselineCount,
      collected.classNames,
      metrics,
    );
  });
  const total = WindowAggregate.mergeAll(aggregates);
  const totalQuality = accuracyOf(total.confusion);
  return {
    ...empty,
    windowMs: widthMs,
    span: {
      start: new Date(firstStartMs).toISOString(),
      end: new Date(firstStartMs + count * widthMs).toISOString(),
    },
    totals: {
      inferences: total.inferences,
      meanConfidence: meanOf(total),
      shareBelowThreshold: total.inferences ? total.belowThreshold / total.inferences : null,
      labels: totalQuality.labels,
      accuracy: totalQuality.accuracy,
      unusableLabels: total.unusableLabels,
    },
    baseline: {
      rule:
        settings.baselineUntil !== undefined
          ? 'the windows before --baseline-until'
          : 'the first quarter of the inferences, in whole windows',
      windows: baselineCount,
      until: new Date(firstStartMs + baselineCount * widthMs).toISOString(),
      inferences: baseline.inferences,
      meanConfidence: meanOf(baseline),
      confidenceHistogram: [...baseline.confidenceBins],
      classCounts: byName(baseline.classCounts, collected.classNames),
    },
    windows,
    alarms: evaluateAlarms(
      windows,
      { inferences: baseline.inferences, meanConfidence: meanOf(baseline) },
      { labels: totalQuality.labels, accuracy: totalQuality.accuracy },
      settings,
    ),
    sample: { points: collected.sample.items.sort((a, b) => a.timeMs - b.timeMs), of: collected.sample.seen },
  };
}
