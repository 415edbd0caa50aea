/**
 * The model-health views as Vega-Lite specs: drift against the baseline window, and model quality
 * from ground truth.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { MonitorReport } from '../types.ts';
import {
  CHART_WIDTH,
  COLORS,
  messageSpec,
  ruleLayers,
  shareY,
  stacked,
  timeAxis,
  windowRects,
} from './parts.ts';
import type { ChartView } from './types.ts';

const mid = (w: { startMs: number; endMs: number }) => (w.startMs + w.endMs) / 2;
const thresholdOf = (report: MonitorReport, name: string, fallback: number) =>
  report.alarms.find((alarm) => alarm.name === name)?.threshold ?? fallback;

export function driftSpec(report: MonitorReport, minInferences: number): ChartView {
  if (report.totals.inferences === 0)
    return { spec: messageSpec('No captured inferences in this range.'), note: '' };
  const points = report.windows.flatMap((w) => {
    if (w.inBaseline || w.inferences === 0) return [];
    const judged = w.inferences >= minInferences && report.baseline.inferences >= minInferences;
    return [
      { t: mid(w), series: 'confidence histogram', value: w.drift.confidence, judged },
      { t: mid(w), series: 'predicted class mix', value: w.drift.classMix, judged },
    ].filter((p) => p.value !== null);
  });
  const confidenceLimit = thresholdOf(report, 'confidence-drift', 0.2);
  const mixLimit = thresholdOf(report, 'class-mix-drift', 0.2);
  const top = Math.min(
    1,
    Math.max(0.5, Math.max(confidenceLimit, mixLimit) * 1.5, ...points.map((p) => p.value as number)),
  );
  const spanStart = Date.parse(report.span?.start ?? '');
  const rules =
    confidenceLimit === mixLimit
      ? ruleLayers(confidenceLimit, `alarm over ${confidenceLimit}`, COLORS.alarm)
      : [
          ...ruleLayers(confidenceLimit, `confidence alarm ${confidenceLimit}`, COLORS.alarm),
          ...ruleLayers(mixLimit, `class-mix alarm ${mixLimit}`, COLORS.alarm),
        ];
  const note = `0: the baseline's distribution, 1: nothing in common. Hollow: fewer than ${minInferences} inferences, not judged.`;
  return {
    note,
    spec: {
      width: CHART_WIDTH,
      height: 200,
      layer: [
        windowRects(
          report,
          [{ start: spanStart, end: Date.parse(report.baseline.until ?? '') }],
          {},
          {
            mark: { color: COLORS.baseline, strokeWidth: 0 },
          },
        ),
        {
          data: {
            values: [{ start: spanStart, label: `baseline (${report.baseline.inferences} inferences)` }],
          },
          mark: {
            type: 'text',
            align: 'left',
            baseline: 'top',
            dx: 4,
            dy: 4,
            color: COLORS.muted,
            fontSize: 11,
          },
          encoding: { x: { field: 'start', type: 'temporal' }, y: { value: 0 }, text: { field: 'label' } },
        },
        {
          data: { values: points },
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: {
            x: { field: 't', type: 'temporal' },
            y: { field: 'value', type: 'quantitative', title: 'JS distance', scale: { domain: [0, top] } },
            color: {
              field: 'series',
              type: 'nominal',
              title: null,
              scale: { range: [COLORS.series[0], COLORS.series[1]] },
            },
          },
        },
        {
          data: { values: points },
          mark: { type: 'point', size: 40, strokeWidth: 1.5 },
          encoding: {
            x: { field: 't', type: 'temporal' },
            y: { field: 'value', type: 'quantitative' },
            color: { field: 'series', type: 'nominal' },
            fill: {
              condition: { test: 'datum.judged', field: 'series', type: 'nominal', legend: null },
              value: '#ffffff',
            },
          },
        },
        ...rules,
      ],
    } as TopLevelSpec,
  };
}

export function qualitySpec(report: MonitorReport, minLabels: number): ChartView {
  const labelled = report.windows.filter((w) => w.quality.labels > 0);
  if (labelled.length === 0) {
    return {
      spec: messageSpec(
        'No ground-truth labels joined to inferences in this range yet: label review items with `scones review`.',
      ),
      note: '',
    };
  }
  const limit = thresholdOf(report, 'accuracy', 0.85);
  const accuracy = labelled.map((w) => ({
    t: mid(w),
    accuracy: w.quality.accuracy,
    n: `${w.quality.labels}`,
    judged: w.quality.labels >= minLabels,
  }));
  const perClass = labelled.flatMap((w) =>
    w.quality.classes.flatMap((c) => [
      ...(c.precision !== null
        ? [{ t: mid(w), series: `${c.label} precision`, value: c.precision, measure: 'precision' }]
        : []),
      ...(c.recall !== null
        ? [{ t: mid(w), series: `${c.label} recall`, value: c.recall, measure: 'recall' }]
        : []),
    ]),
  );
  const series = report.classNames.flatMap((name) => [`${name} precision`, `${name} recall`]);
  const note = `Labels from manual review, joined on the inference id. Numbers: labels behind each accuracy point (hollow: fewer than ${minLabels}). Below: precision (solid) and recall (dashed) per class.`;
  return {
    note,
    spec: stacked([
      {
        width: CHART_WIDTH,
        height: 170,
        layer: [
          {
            data: { values: accuracy },
            mark: { type: 'line', color: COLORS.ink, strokeWidth: 1.5 },
            encoding: {
              x: timeAxis(report, 't', null),
              y: shareY('accuracy', 'accuracy'),
            },
          },
          {
            data: { values: accuracy },
            mark: { type: 'point', size: 50, strokeWidth: 1.5, color: COLORS.ink },
            encoding: {
              x: { field: 't', type: 'temporal' },
              y: { field: 'accuracy', type: 'quantitative' },
              fill: { condition: { test: 'datum.judged', value: COLORS.ink }, value: '#ffffff' },
            },
          },
          {
            data: { values: accuracy },
            mark: { type: 'text', dy: 14, fontSize: 10, color: COLORS.muted },
            encoding: {
              x: { field: 't', type: 'temporal' },
              y: { field: 'accuracy', type: 'quantitative' },
              text: { field: 'n' },
            },
          },
          ...ruleLayers(limit, `alarm under ${Math.round(limit * 100)} %`, COLORS.alarm),
        ],
      },
      {
        width: CHART_WIDTH,
        height: 150,
        data: { values: perClass },
        mark: { type: 'line', point: { size: 24 }, strokeWidth: 1.5 },
        encoding: {
          x: timeAxis(report),
          y: shareY('value', 'precision, recall'),
          // Colour by class (as in the class mix), dashes for recall.
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: {
              domain: series,
              range: report.classNames.flatMap((_, i) => [COLORS.series[i % 8], COLORS.series[i % 8]]),
            },
          },
          strokeDash: {
            field: 'measure',
            type: 'nominal',
            legend: null,
            scale: {
              domain: ['precision', 'recall'],
              range: [
                [1, 0],
                [5, 3],
              ],
            },
          },
        },
      },
    ]),
  };
}
