/**
 * The pieces every chart of the report is built from: colours, the shared time axis, the
 * percentage axis, window rectangles, threshold rules with their labels, and the empty chart.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { MonitorReport } from '../types.ts';

export const COLORS = {
  ok: '#2563eb',
  review: '#dc2626',
  alarm: '#dc2626',
  muted: '#6b7280',
  grid: '#e5e7eb',
  ink: '#1f2937',
  baseline: '#f3f4f6',
  /** Categorical, for classes and series (Tableau 10, colour-blind friendly enough for 2-4 series). */
  series: ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f'],
} as const;

/** Plot width; threshold labels sit in a margin to its right. */
export const CHART_WIDTH = 660;

/** A chart that only says why there is nothing to draw (keeps one picture per view). */
export function messageSpec(message: string, height = 60): TopLevelSpec {
  return {
    width: CHART_WIDTH,
    height,
    data: { values: [{ message }] },
    mark: { type: 'text', fontSize: 13, color: COLORS.muted, align: 'center', baseline: 'middle' },
    encoding: { text: { field: 'message' }, x: { value: CHART_WIDTH / 2 }, y: { value: height / 2 } },
  } as TopLevelSpec;
}

/** A dashed horizontal rule at `value` with its label in the right margin (layers of a chart). */
export function ruleLayers(value: number, label: string, color: string = COLORS.muted) {
  return [
    {
      data: { values: [{ y: value }] },
      mark: { type: 'rule', strokeDash: [6, 4], color, strokeWidth: 1.5 },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    },
    {
      data: { values: [{ y: value, label }] },
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: 6, color, fontSize: 11 },
      encoding: {
        y: { field: 'y', type: 'quantitative' },
        x: { value: CHART_WIDTH },
        text: { field: 'label' },
      },
    },
  ];
}

/** The time axis every chart shares: the report's span, in UTC, labelled as precisely as it needs. */
export function timeAxis(report: MonitorReport, field = 't', title: string | null = 'time (UTC)') {
  const span = report.span as { start: string; end: string };
  const length = Date.parse(span.end) - Date.parse(span.start);
  const format = length <= 10 * 60_000 ? '%H:%M:%S' : length <= 2 * 86_400_000 ? '%H:%M' : '%b %d';
  return {
    field,
    type: 'temporal',
    title,
    // As a signal: a literal domain on a rect's x/x2 makes Vega-Lite warn of a conflict with itself.
    scale: { type: 'utc', domain: { signal: `[${Date.parse(span.start)}, ${Date.parse(span.end)}]` } },
    axis: { grid: false, labelOverlap: true, tickCount: 8, format },
  };
}

/** Faded where a window holds fewer inferences than the alarms judge. */
export function opacityFor(field = 'thin') {
  return { condition: { test: `datum.${field}`, value: 0.35 }, value: 1 };
}

/** A y encoding for a share, 0-100 %. */
export function shareY(field: string, title: string) {
  return { field, type: 'quantitative', title, axis: { format: '.0%' }, scale: { domain: [0, 1] } };
}

/** A layer of one rectangle per datum, from its `start` to its `end` on the time axis. */
export function windowRects(
  report: MonitorReport,
  values: object[],
  encoding: Record<string, unknown>,
  options: { title?: string | null; mark?: Record<string, unknown> } = {},
) {
  return {
    data: { values },
    mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 0.5, ...options.mark },
    encoding: {
      x: timeAxis(report, 'start', options.title === undefined ? 'time (UTC)' : options.title),
      x2: { field: 'end' },
      ...encoding,
    },
  };
}

/** Charts one above the other on the same time axis, each with its own colours and legend. */
export function stacked(charts: object[]): TopLevelSpec {
  return { resolve: { scale: { color: 'independent' } }, vconcat: charts } as TopLevelSpec;
}
