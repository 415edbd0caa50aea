/**
 * The operational views as Vega-Lite specs: traffic and model latency from the Lambdas' metrics,
 * and the alarms at a glance.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { MonitorReport } from '../types.ts';
import { CHART_WIDTH, COLORS, messageSpec, stacked, timeAxis, windowRects } from './parts.ts';
import type { ChartView } from './types.ts';

const mid = (w: { startMs: number; endMs: number }) => (w.startMs + w.endMs) / 2;

/** Stacking order and colours of the traffic bars: routes as the class mix colours them, review red. */
const TRAFFIC_KINDS: [string, string][] = [
  ['short-range', COLORS.series[0]],
  ['long-range', COLORS.series[1]],
  ['manual-review', '#e15759'],
  ['failed', COLORS.ink],
  ['captured inferences', '#93c5fd'],
];

export function trafficSpec(report: MonitorReport): ChartView {
  const windows = report.windows;
  if (windows.length === 0) return { spec: messageSpec('No traffic in this range.'), note: '' };
  const hasDecisions = windows.some((w) => Object.keys(w.metrics.decisions).length > 0);
  const bars = windows.flatMap((w) => {
    const errors = Object.values(w.metrics.errors).reduce((sum, n) => sum + n, 0);
    const parts: Record<string, number> = hasDecisions
      ? { ...w.metrics.decisions, ...(errors ? { failed: errors } : {}) }
      : { 'captured inferences': w.inferences };
    const known = TRAFFIC_KINDS.map(([kind]) => kind);
    const order = [
      ...known.filter((k) => k in parts),
      ...Object.keys(parts).filter((k) => !known.includes(k)),
    ];
    let lo = 0;
    return order.map((kind) => {
      const bar = { start: w.startMs, end: w.endMs, kind, lo, hi: lo + (parts[kind] ?? 0) };
      lo = bar.hi;
      return bar;
    });
  });
  const latency = windows.flatMap((w) =>
    w.metrics.latency
      ? (['p50', 'p90', 'p99'] as const).map((p) => ({
          t: mid(w),
          percentile: p,
          ms: w.metrics.latency?.[p],
        }))
      : [],
  );
  const kinds = [...new Set(bars.map((b) => b.kind))];
  const colorOf = new Map(TRAFFIC_KINDS);
  const trafficChart = {
    width: CHART_WIDTH,
    height: 150,
    ...windowRects(
      report,
      bars,
      {
        y: { field: 'lo', type: 'quantitative', title: hasDecisions ? 'decisions' : 'inferences' },
        y2: { field: 'hi' },
        color: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: { domain: kinds, range: kinds.map((k) => colorOf.get(k) ?? COLORS.muted) },
        },
      },
      { title: latency.length ? null : 'time (UTC)' },
    ),
  };
  const latencyChart = latency.length
    ? {
        width: CHART_WIDTH,
        height: 150,
        data: { values: latency },
        mark: { type: 'line', point: { size: 20 }, strokeWidth: 1.5 },
        encoding: {
          x: timeAxis(report),
          y: { field: 'ms', type: 'quantitative', title: 'model latency (ms)' },
          color: {
            field: 'percentile',
            type: 'nominal',
            title: null,
            scale: { range: ['#93c5fd', '#3b82f6', '#1e3a8a'] },
          },
        },
      }
    : messageSpec('No ModelLatency metrics in this range (the classify Lambda publishes them).', 40);
  const note = hasDecisions
    ? 'Decisions by route and failed invocations (the Lambdas\u2019 metrics), then ModelLatency percentiles per window.'
    : 'Captured inferences per window (no Decisions metrics in this range).';
  return {
    note,
    spec: stacked([trafficChart, latencyChart]),
  };
}

export function alarmsSpec(report: MonitorReport): ChartView {
  const rows = report.alarms.map((a) => ({
    name: a.name,
    value: a.value,
    threshold: a.threshold,
    state: a.value === null ? 'not evaluated' : a.state,
    label:
      a.value === null
        ? 'not evaluated'
        : `${a.state}: ${a.value.toFixed(3)} (alarm ${a.comparison === '>' ? 'over' : 'under'} ${a.threshold})`,
  }));
  const note = 'Bars: the worst figure of any window with enough data. Ticks: the thresholds.';
  return {
    note,
    spec: {
      width: CHART_WIDTH - 160,
      height: { step: 30 },
      data: { values: rows },
      encoding: {
        y: {
          field: 'name',
          type: 'nominal',
          title: null,
          sort: null,
          axis: { labelFontSize: 12, labelLimit: 200 },
        },
      },
      layer: [
        {
          mark: { type: 'bar', height: 16, cornerRadiusEnd: 2 },
          encoding: {
            x: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 1] } },
            color: {
              field: 'state',
              type: 'nominal',
              title: null,
              scale: {
                domain: ['OK', 'ALARM', 'not evaluated'],
                range: ['#16a34a', COLORS.alarm, '#d1d5db'],
              },
            },
          },
        },
        {
          mark: { type: 'tick', thickness: 3, size: 24, color: COLORS.ink },
          encoding: { x: { field: 'threshold', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 10, fontSize: 11, color: COLORS.ink },
          encoding: { x: { datum: 1 }, text: { field: 'label' } },
        },
      ],
    } as TopLevelSpec,
  };
}
