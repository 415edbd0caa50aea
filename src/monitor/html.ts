/**
 * The report page: one self-contained HTML file (styles and SVG charts inlined, no script, no
 * request to anywhere), so it opens offline, can be mailed or kept as a CI artifact, and reads
 * the same in every browser. Alarms first, then one chart per view, then the figures per window.
 */
import type { AlarmResult } from './alarms/index.ts';
import { escapeHtml, formatCount, formatNumber, formatPercent, formatTime } from './format.ts';
import { versionsOneLine, versionsTables } from './html-versions.ts';
import { formatDuration } from './time-range.ts';
import type { MonitorReport, PageContext, RenderedChart, WindowSummary } from './types.ts';

const STYLE = `
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --ok:#16a34a; --alarm:#dc2626; --bg:#f9fafb; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.5 "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 28px 20px 60px; }
header h1 { font-size: 22px; margin: 0 0 4px; }
header p { margin: 2px 0; color: var(--muted); }
.cards { display:grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap:12px; margin:20px 0; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.card .figure { font-size:22px; font-weight:600; }
.card .label { color:var(--muted); font-size:12px; }
.card.alarm { border-color: var(--alarm); }
.card.alarm .figure { color: var(--alarm); }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:16px 18px; margin:16px 0; }
section h2 { font-size:16px; margin:0 0 4px; }
section p.caption { margin:0 0 10px; color:var(--muted); }
section p.note { margin:6px 0 0; color:var(--muted); font-size:12px; }
figure { margin:0; overflow-x:auto; }
figure svg { display:block; max-width:100%; height:auto; }
table { border-collapse: collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align: top; }
th { color:var(--muted); font-weight:600; font-size:12px; }
td.muted, .muted { color: var(--muted); }
td.num { text-align:right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.state { white-space:nowrap; display:inline-block; min-width:58px; text-align:center; border-radius:999px; padding:1px 10px; font-weight:600; font-size:12px; color:#fff; }
.state.OK { background: var(--ok); }
.state.ALARM { background: var(--alarm); }
.state.idle { background: #9ca3af; }
details summary { cursor:pointer; font-weight:600; }
ul.notes { margin: 6px 0 0; padding-left: 18px; color: var(--muted); }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
`;

const note = (chart: RenderedChart) => (chart.note ? `<p class="note">${escapeHtml(chart.note)}</p>` : '');

function alarmRow(alarm: AlarmResult): string {
  const state = alarm.value === null ? 'idle' : alarm.state;
  const label = alarm.value === null ? 'no data' : alarm.state;
  return `<tr><td><code>${escapeHtml(alarm.name)}</code><br><span class="label">${escapeHtml(alarm.description)}</span></td>
<td><span class="state ${state}">${label}</span></td>
<td class="num">${formatNumber(alarm.value)}</td><td class="num">${alarm.comparison} ${alarm.threshold}</td>
<td>${escapeHtml(alarm.evidence)}</td></tr>`;
}

function card(figure: string, label: string, alarm = false): string {
  return `<div class="card${alarm ? ' alarm' : ''}"><div class="figure">${escapeHtml(figure)}</div><div class="label">${escapeHtml(label)}</div></div>`;
}

function windowRow(w: WindowSummary, report: MonitorReport): string {
  const latency = w.metrics.latency;
  const mix = report.classNames.map(
    (name) => `${name} ${formatPercent(w.inferences ? (w.classCounts[name] ?? 0) / w.inferences : null, 0)}`,
  );
  return `<tr><td>${escapeHtml(formatTime(w.startMs, report.windowMs))}${w.inBaseline ? ' <span class="label">(baseline)</span>' : ''}</td>
<td class="num">${formatCount(w.inferences)}</td><td class="num">${formatNumber(w.meanConfidence)}</td>
<td class="num">${formatPercent(w.shareBelowThreshold)}</td><td>${escapeHtml(mix.join(', '))}</td>
<td class="num">${formatNumber(w.drift.confidence, 2)} / ${formatNumber(w.drift.classMix, 2)}</td>
<td class="num">${w.quality.labels ? `${formatPercent(w.quality.accuracy, 0)} (${w.quality.labels})` : '–'}</td>
<td class="num">${latency ? `${latency.p50.toFixed(1)} / ${latency.p99.toFixed(1)}` : '–'}</td></tr>`;
}

export function renderHtml(report: MonitorReport, charts: RenderedChart[], context: PageContext): string {
  const inAlarm = report.alarms.filter((a) => a.state === 'ALARM');
  const span = report.span
    ? `${formatTime(Date.parse(report.span.start), report.windowMs)} to ${formatTime(Date.parse(report.span.end), report.windowMs)}, ${report.windows.length} windows of ${formatDuration(report.windowMs)}`
    : 'no data in the range';
  const totals = report.totals;
  const alarmChart = charts.find((chart) => chart.id === 'alarms');
  const sections = charts
    .filter((chart) => chart !== alarmChart)
    .map((chart) => {
      const section = `<section id="${chart.id}"><h2>${escapeHtml(chart.title)}</h2><p class="caption">${escapeHtml(chart.caption)}</p>
<figure class="chart">${chart.svg}</figure>${note(chart)}${chart.id === 'model-versions' ? versionsTables(report) : ''}</section>`;
      // No chart when no retraining ran (or none was read): the section is one line, before traffic.
      return chart.id === 'traffic' ? `${versionsOneLine(report)}${section}` : section;
    })
    .join('\n');
  const notes = [...context.notes, ...report.notes];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>scones monitor: ${inAlarm.length ? `${inAlarm.length} in ALARM` : 'all OK'}</title>
<style>${STYLE}</style></head>
<body><main>
<header><h1>Model monitor${inAlarm.length ? ` <span class="state ALARM">${inAlarm.length} ALARM</span>` : ' <span class="state OK">OK</span>'}</h1>
<p>${escapeHtml(span)}</p>
<p>Generated ${escapeHtml(formatTime(Date.parse(report.generatedAt)))}; routing threshold ${report.threshold}; baseline: ${escapeHtml(report.baseline.rule || '–')}</p></header>
<div class="cards">
${card(formatCount(totals.inferences), 'captured inferences')}
${card(formatNumber(totals.meanConfidence), 'mean confidence')}
${card(formatPercent(totals.shareBelowThreshold), 'below the threshold (to review)')}
${card(totals.labels ? formatPercent(totals.accuracy) : '–', `accuracy on ${formatCount(totals.labels)} labels`)}
${card(`${inAlarm.length} of ${report.alarms.length}`, 'alarms in ALARM', inAlarm.length > 0)}
</div>
<section id="alarms"><h2>Alarms</h2><p class="caption">${escapeHtml(alarmChart?.caption ?? '')}</p>
${alarmChart ? `<figure class="chart">${alarmChart.svg}</figure>${note(alarmChart)}` : ''}
<table><thead><tr><th>rule</th><th>state</th><th class="num">value</th><th class="num">threshold</th><th>evidence</th></tr></thead>
<tbody>${report.alarms.map(alarmRow).join('\n')}</tbody></table></section>
${sections}
<section id="windows"><details><summary>Figures per window</summary>
<table><thead><tr><th>window</th><th class="num">inferences</th><th class="num">mean conf.</th><th class="num">below thr.</th><th>predicted mix</th><th class="num">drift conf. / mix</th><th class="num">accuracy (labels)</th><th class="num">latency p50 / p99 ms</th></tr></thead>
<tbody>${report.windows.map((w) => windowRow(w, report)).join('\n')}</tbody></table></details></section>
<section id="sources"><h2>Data</h2><ul class="notes">${context.sources.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
${notes.length ? `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}</section>
</main></body></html>
`;
}
