/**
 * The "Model versions" section's tables: a row per version (what it answered alone, its accuracy
 * on the reviewed ones, its mean confidence, its registry status, when it served) and a row per
 * rollout window, whose inferences are counted for the window with both versions named. When no
 * retraining ran, or none could be read, the section is the one line saying so.
 */
import { escapeHtml, formatCount, formatNumber, formatPercent, formatTime } from './format.ts';
import type { MonitorReport } from './types.ts';
import type { RolloutRow, VersionRow } from './versions/index.ts';

function when(ms: number | null, open: string, widthMs: number): string {
  return ms === null ? open : formatTime(ms, Math.min(widthMs || 1000, 60_000));
}

const accuracyCell = (accuracy: number | null, reviewed: number) =>
  reviewed ? `${formatPercent(accuracy)}` : '–';

function versionRow(v: VersionRow, widthMs: number): string {
  const serving = v.serving.length
    ? v.serving
        .map((p) => `${when(p.fromMs, 'start', widthMs)} – ${when(p.toMs, 'now', widthMs)}`)
        .join('<br>')
    : '<span class="muted">never served alone</span>';
  const title = v.modelPackageArn ? ` title="${escapeHtml(v.modelPackageArn)}"` : '';
  return `<tr class="version" data-version="${escapeHtml(v.id)}"><td${title}><strong>${escapeHtml(v.label)}</strong>${v.execution ? `<br><span class="muted">${escapeHtml(v.execution)}</span>` : ''}</td>
<td>${escapeHtml(v.status)}</td><td class="num">${formatCount(v.inferences)}</td><td class="num">${formatCount(v.reviewed)}</td>
<td class="num">${accuracyCell(v.accuracy, v.reviewed)}</td><td class="num">${formatNumber(v.meanConfidence)}</td><td>${serving}</td></tr>`;
}

function rolloutRow(r: RolloutRow, labels: Map<string, string>, widthMs: number): string {
  const from = labels.get(r.fromVersion) ?? r.fromVersion;
  const to = labels.get(r.toVersion) ?? r.toVersion;
  const start = r.startSource === 'history' ? '' : ` (start: ${r.startSource})`;
  return `<tr class="rollout" data-execution="${escapeHtml(r.execution)}"><td><strong>during rollout</strong> ${escapeHtml(from)} → ${escapeHtml(to)}<br><span class="muted">${escapeHtml(r.execution)}</span></td>
<td>${escapeHtml(r.outcome)}</td><td class="num">${formatCount(r.inferences)}</td><td class="num">${formatCount(r.reviewed)}</td>
<td class="num">${accuracyCell(r.accuracy, r.reviewed)}</td><td class="num">${formatNumber(r.meanConfidence)}</td>
<td>${when(r.fromMs, 'start', widthMs)} – ${when(r.toMs, 'now', widthMs)}${escapeHtml(start)}</td></tr>`;
}

/** The tables under the timeline chart (retrainings ran). */
export function versionsTables(report: MonitorReport): string {
  const section = report.modelVersions;
  const labels = new Map(section.versions.map((v) => [v.id, v.label]));
  const notes = section.notes.length
    ? `<ul class="notes">${section.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
    : '';
  return `<p class="caption">${escapeHtml(section.message)}</p>
<table class="versions"><thead><tr><th>version</th><th>status in registry</th><th class="num">inferences answered</th><th class="num">reviewed</th><th class="num">accuracy on reviewed</th><th class="num">mean confidence</th><th>serving from – to</th></tr></thead>
<tbody>${section.versions.map((v) => versionRow(v, report.windowMs)).join('\n')}
${section.rollouts.map((r) => rolloutRow(r, labels, report.windowMs)).join('\n')}</tbody></table>${notes}`;
}

/** The section as one line, when there is no timeline to draw. */
export function versionsOneLine(report: MonitorReport): string {
  const section = report.modelVersions;
  if (section.state === 'shown') return '';
  return `<section id="model-versions"><h2>Model versions</h2><p class="caption">${escapeHtml(section.message)}</p></section>\n`;
}
