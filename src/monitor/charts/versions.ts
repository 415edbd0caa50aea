/**
 * The model versions' timeline as a Vega-Lite spec: one row per version, a bar where it served
 * alone, the rollout windows shaded across every row (inferences there are not attributed to
 * either version), and each retraining's end marked by its outcome on its candidate's row.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { MonitorReport } from '../types.ts';
import type { ModelVersionsReport } from '../versions/index.ts';
import { CHART_WIDTH, COLORS, messageSpec } from './parts.ts';
import type { ChartView } from './types.ts';

const ROLLOUT_FILL = '#fdba74';
const OUTCOME_MARKS: [string, string, string][] = [
  ['promoted', '#15803d', 'triangle-up'],
  ['rolled-back', COLORS.alarm, 'cross'],
  ['rejected', COLORS.muted, 'circle'],
  ['failed', COLORS.ink, 'square'],
];

/** The chart's span: the report's, else the timeline's own extent (a day either side of one point). */
function domainOf(report: MonitorReport, versions: ModelVersionsReport): [number, number] {
  if (report.span) return [Date.parse(report.span.start), Date.parse(report.span.end)];
  const times = [
    ...versions.rollouts.flatMap((r) => [r.fromMs, ...(r.toMs === null ? [] : [r.toMs])]),
    ...versions.events.map((e) => e.timeMs),
  ];
  if (times.length === 0) return [Date.now() - 86_400_000, Date.now()];
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  return hi > lo ? [lo, hi] : [lo - 86_400_000, hi + 86_400_000];
}

export function versionsSpec(report: MonitorReport): ChartView {
  const versions = report.modelVersions;
  if (versions.state !== 'shown') return { spec: messageSpec(versions.message), note: '' };
  const [lo, hi] = domainOf(report, versions);
  const clamp = (ms: number | null, open: number) => Math.min(hi, Math.max(lo, ms ?? open));
  const labels = versions.versions.map((v) => v.label);
  const labelOf = new Map(versions.versions.map((v) => [v.id, v.label]));
  // Each version's colour given as is (scale: null), so the one colour scale is the outcomes'.
  const bars = versions.versions.flatMap((v, i) =>
    v.serving
      .map((p) => ({
        version: v.label,
        fill: COLORS.series[i % COLORS.series.length],
        start: clamp(p.fromMs, lo),
        end: clamp(p.toMs, hi),
      }))
      .filter((p) => p.end > p.start),
  );
  const windows = versions.rollouts
    .map((r) => ({
      start: clamp(r.fromMs, lo),
      end: clamp(r.toMs, hi),
      label: `${labelOf.get(r.fromVersion) ?? r.fromVersion} → ${labelOf.get(r.toVersion) ?? r.toVersion}`,
    }))
    .filter((w) => w.end >= w.start);
  const marks = versions.events
    .filter((e) => e.timeMs >= lo && e.timeMs <= hi && labelOf.has(e.versionId))
    .map((e) => ({ t: e.timeMs, version: labelOf.get(e.versionId), outcome: e.outcome }));
  const outcomes = OUTCOME_MARKS.filter(([outcome]) => marks.some((m) => m.outcome === outcome));
  const shapeSignal = `${JSON.stringify(Object.fromEntries(outcomes.map((o) => [o[0], o[2]])))}[datum.value]`;
  const length = hi - lo;
  const format = length <= 10 * 60_000 ? '%H:%M:%S' : length <= 2 * 86_400_000 ? '%H:%M' : '%b %d';
  const x = (field: string, title: string | null = 'time (UTC)') => ({
    field,
    type: 'temporal',
    title,
    scale: { type: 'utc', domain: { signal: `[${lo}, ${hi}]` } },
    axis: { grid: false, labelOverlap: true, tickCount: 8, format },
  });
  const y = { field: 'version', type: 'nominal', title: null, sort: labels, scale: { domain: labels } };
  const note = `Bars: when each version answered alone. Shaded: rollout windows (update started → retraining ended); their ${versions.duringRollout.toLocaleString('en-US')} inferences are counted for the window, not for either version. Marks: each retraining's end on its candidate's row.`;
  return {
    note,
    spec: {
      width: CHART_WIDTH,
      height: Math.max(60, 34 * labels.length),
      layer: [
        {
          data: { values: windows },
          mark: { type: 'rect', color: ROLLOUT_FILL, opacity: 0.45 },
          encoding: { x: x('start'), x2: { field: 'end' } },
        },
        {
          data: { values: windows },
          mark: {
            type: 'text',
            align: 'left',
            baseline: 'top',
            dx: 3,
            dy: -14,
            fontSize: 10,
            color: '#9a3412',
          },
          encoding: { x: { field: 'start', type: 'temporal' }, y: { value: 0 }, text: { field: 'label' } },
        },
        {
          data: { values: bars },
          mark: { type: 'bar', cornerRadius: 2, height: { band: 0.55 } },
          encoding: {
            x: x('start'),
            x2: { field: 'end' },
            y,
            color: { field: 'fill', type: 'nominal', scale: null },
          },
        },
        {
          data: { values: marks },
          mark: { type: 'point', filled: true, size: 150, stroke: '#ffffff', strokeWidth: 1.5, opacity: 1 },
          encoding: {
            x: { field: 't', type: 'temporal' },
            y,
            shape: {
              field: 'outcome',
              type: 'nominal',
              title: 'retraining ended',
              scale: { domain: outcomes.map((o) => o[0]), range: outcomes.map((o) => o[2]) },
              legend: null,
            },
            color: {
              field: 'outcome',
              type: 'nominal',
              title: 'retraining ended',
              scale: { domain: outcomes.map((o) => o[0]), range: outcomes.map((o) => o[1]) },
              // One legend for both channels: its symbols take each outcome's shape.
              legend: { encode: { symbols: { update: { shape: { signal: shapeSignal } } } } },
            },
          },
        },
      ],
    } as TopLevelSpec,
  };
}
