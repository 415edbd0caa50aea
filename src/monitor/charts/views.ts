/**
 * The report's views, in the order the page shows them: one chart each, rendered to SVG one after
 * the other.
 */
import { DEFAULT_ALARM_MINIMUMS } from '../alarms/index.ts';
import type { MonitorReport, RenderedChart } from '../types.ts';
import { classMixSpec, confidenceSpec, inferencesSpec } from './confidence.ts';
import { driftSpec, qualitySpec } from './health.ts';
import { alarmsSpec, trafficSpec } from './operations.ts';
import { renderSvg } from './render.ts';
import { versionsSpec } from './versions.ts';

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
    // Shown when retrainings ran; otherwise the page says why in one line (html.ts).
    ...(report.modelVersions.state === 'shown'
      ? [
          {
            id: 'model-versions',
            title: 'Model versions',
            caption:
              'Which model answered when: each version\u2019s time in service, the rollouts between them and how each retraining ended.',
            chart: versionsSpec(report),
          },
        ]
      : []),
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
