/**
 * The confidence views as Vega-Lite specs: every inference over time (the starter's "Observed
 * Recent Inferences", done well), the confidence distribution with the share below the threshold
 * per window, and the predicted class mix against the training baseline. Windows with too few
 * inferences for the alarms to judge are drawn faded.
 */
import type { TopLevelSpec } from 'vega-lite';
import { formatCount } from '../format.ts';
import { CONFIDENCE_BINS } from '../statistics/index.ts';
import type { MonitorReport, WindowSummary } from '../types.ts';
import {
  CHART_WIDTH,
  COLORS,
  messageSpec,
  opacityFor,
  ruleLayers,
  shareY,
  stacked,
  timeAxis,
  windowRects,
} from './parts.ts';
import type { ChartView } from './types.ts';

const NO_INFERENCES = 'No captured inferences in this range.';

/** Bottom of the confidence axis: the lowest bin with data, and room below the threshold line. */
function confidenceFloor(report: MonitorReport): number {
  let lowest = report.threshold - 0.1;
  for (const w of report.windows) {
    const bin = w.confidenceHistogram.findIndex((n) => n > 0);
    if (bin >= 0) lowest = Math.min(lowest, bin / CONFIDENCE_BINS);
  }
  return Math.max(0, Math.floor(lowest * 10 + 1e-9) / 10);
}

const withData = (report: MonitorReport) => report.windows.filter((w) => w.inferences > 0);

export function inferencesSpec(report: MonitorReport, minInferences: number): ChartView {
  if (report.sample.points.length === 0) return { spec: messageSpec(NO_INFERENCES), note: '' };
  const floor = confidenceFloor(report);
  const points = report.sample.points.map((p) => ({
    t: p.timeMs,
    c: p.confidence,
    route: p.confidence < report.threshold ? 'below the threshold: manual review' : 'routed automatically',
    predicted: report.classNames[p.predicted] ?? `class${p.predicted}`,
  }));
  const means = withData(report)
    .filter((w) => w.inferences >= minInferences)
    .map((w) => ({ t: (w.startMs + w.endMs) / 2, mean: w.meanConfidence }));
  const shown =
    report.sample.points.length < report.sample.of
      ? `${formatCount(report.sample.points.length)} of ${formatCount(report.sample.of)} inferences (a uniform sample)`
      : `All ${formatCount(report.sample.of)} inferences`;
  const note = `${shown}. The line is each window's mean (windows of ${minInferences}+ inferences).`;
  return {
    note,
    spec: {
      width: CHART_WIDTH,
      height: 280,
      layer: [
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 22, opacity: 0.6 },
          encoding: {
            x: timeAxis(report),
            y: { field: 'c', type: 'quantitative', title: 'top probability', scale: { domain: [floor, 1] } },
            color: {
              field: 'route',
              type: 'nominal',
              title: null,
              scale: {
                domain: ['routed automatically', 'below the threshold: manual review'],
                range: [COLORS.ok, COLORS.review],
              },
            },
            shape: { field: 'predicted', type: 'nominal', title: 'predicted' },
          },
        },
        {
          data: { values: means },
          mark: { type: 'line', color: COLORS.ink, strokeWidth: 1.5, point: { size: 14, color: COLORS.ink } },
          encoding: { x: { field: 't', type: 'temporal' }, y: { field: 'mean', type: 'quantitative' } },
        },
        ...ruleLayers(report.threshold, `threshold ${report.threshold}`),
      ],
    } as TopLevelSpec,
  };
}

function alarmThreshold(report: MonitorReport, name: string, fallback: number): number {
  return report.alarms.find((alarm) => alarm.name === name)?.threshold ?? fallback;
}

export function confidenceSpec(report: MonitorReport, minInferences: number): ChartView {
  const windows = withData(report);
  if (windows.length === 0) return { spec: messageSpec(NO_INFERENCES), note: '' };
  const floor = confidenceFloor(report);
  const cells = windows.flatMap((w) =>
    w.confidenceHistogram.flatMap((n, bin) =>
      n > 0 && (bin + 1) / CONFIDENCE_BINS > floor
        ? [
            {
              start: w.startMs,
              end: w.endMs,
              lo: bin / CONFIDENCE_BINS,
              hi: (bin + 1) / CONFIDENCE_BINS,
              share: n / w.inferences,
              thin: w.inferences < minInferences,
            },
          ]
        : [],
    ),
  );
  const limit = alarmThreshold(report, 'low-confidence-share', 0.4);
  const thin = `fewer than ${minInferences} inferences`;
  const shares = windows.map((w) => ({
    start: w.startMs,
    end: w.endMs,
    share: w.shareBelowThreshold,
    state:
      w.inferences < minInferences
        ? thin
        : (w.shareBelowThreshold ?? 0) > limit
          ? 'over the alarm threshold'
          : 'within',
  }));
  const note =
    'Top: how the top probabilities spread in each window (darker: more of the window). Bottom: the share sent to review.';
  return {
    note,
    spec: stacked([
      {
        width: CHART_WIDTH,
        height: 200,
        layer: [
          windowRects(
            report,
            cells,
            {
              y: {
                field: 'lo',
                type: 'quantitative',
                title: 'top probability',
                scale: { domain: [floor, 1] },
              },
              y2: { field: 'hi' },
              color: {
                field: 'share',
                type: 'quantitative',
                title: 'share of the window',
                scale: { scheme: 'blues', domain: [0, 1] },
                legend: { format: '.0%', gradientLength: 160 },
              },
              opacity: opacityFor(),
            },
            { title: null },
          ),
          ...ruleLayers(report.threshold, `threshold ${report.threshold}`, COLORS.review),
        ],
      },
      {
        width: CHART_WIDTH,
        height: 130,
        layer: [
          windowRects(report, shares, {
            y: shareY('share', 'below threshold'),
            y2: { datum: 0 },
            color: {
              field: 'state',
              type: 'nominal',
              title: null,
              scale: {
                domain: ['within', 'over the alarm threshold', thin],
                range: ['#93c5fd', COLORS.alarm, '#e5e7eb'],
              },
            },
          }),
          ...ruleLayers(limit, `alarm over ${Math.round(limit * 100)} %`, COLORS.alarm),
        ],
      },
    ]),
  };
}

export function classMixSpec(report: MonitorReport, minInferences: number): ChartView {
  const windows = withData(report);
  if (windows.length === 0) return { spec: messageSpec(NO_INFERENCES), note: '' };
  const rects = windows.flatMap((w: WindowSummary) => {
    let lo = 0;
    return report.classNames.map((name) => {
      const share = (w.classCounts[name] ?? 0) / w.inferences;
      const rect = {
        start: w.startMs,
        end: w.endMs,
        predicted: name,
        lo,
        hi: lo + share,
        thin: w.inferences < minInferences,
      };
      lo += share;
      return rect;
    });
  });
  const training = report.training;
  let cumulative = 0;
  const boundaries = training
    ? report.classNames.slice(0, -1).map((name) => {
        cumulative += training.classShares[name] ?? 0;
        return { y: cumulative, label: `training: ${Math.round(cumulative * 100)} % ${name}` };
      })
    : [];
  const note = training
    ? `Dashes: the class mix of the training split (${training.uri}).`
    : 'No training manifest found: stage the data (scones stage) to compare with the training mix.';
  return {
    note,
    spec: {
      width: CHART_WIDTH,
      height: 200,
      layer: [
        windowRects(report, rects, {
          y: shareY('lo', 'share of the window'),
          y2: { field: 'hi' },
          color: {
            field: 'predicted',
            type: 'nominal',
            title: 'predicted',
            scale: {
              domain: report.classNames,
              range: COLORS.series.slice(0, Math.max(1, report.classNames.length)),
            },
          },
          opacity: opacityFor(),
        }),
        ...boundaries.flatMap((b) => ruleLayers(b.y, b.label, COLORS.ink)),
      ],
    } as TopLevelSpec,
  };
}
