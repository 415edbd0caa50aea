/** The load report as lines for people (stderr); `--json` prints the report itself. */
import type { LoadReport } from './report.ts';

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)} %`);
const ms = (x: number | null) => (x === null ? '-' : `${x.toFixed(x < 100 ? 1 : 0)} ms`);
const counts = (byName: Record<string, number>) =>
  Object.entries(byName)
    .sort(([, a], [, b]) => b - a)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');

const withCounts = (byName: Record<string, number>) =>
  Object.keys(byName).length ? `  ${counts(byName)}` : '';

export function formatLoadSummary(report: LoadReport): string {
  const lines = [
    `load ${report.run_id} on ${report.target}: ${report.uploaded} of ${report.planned} uploaded to ${report.key_prefix}` +
      (report.upload_failed
        ? ` (${report.upload_failed} uploads failed: ${counts(report.upload_errors)})`
        : ''),
    `  decided   ${String(report.decided).padStart(6)}${withCounts(report.decisions)}`,
    `  failed    ${String(report.failed).padStart(6)}${withCounts(report.errors)}`,
    `  lost      ${String(report.lost).padStart(6)}${report.lost ? `  ${report.lost_keys.slice(0, 5).join(', ')}${report.lost > 5 ? ', ...' : ''}` : ''}`,
    `  upload -> decision  p50 ${ms(report.e2e_p50_ms)}, p95 ${ms(report.e2e_p95_ms)}, p99 ${ms(report.e2e_p99_ms)}, max ${ms(report.e2e_max_ms)}`,
    `  throughput  ${report.uploads_per_s}/s uploaded over ${report.upload_s} s, ${report.decisions_per_s}/s decided` +
      (report.schedule_lag_max_ms !== null
        ? `; uploads behind schedule by at most ${ms(report.schedule_lag_max_ms)}`
        : ''),
    `  accuracy  ${pct(report.accuracy)} of ${report.routed} routed automatically; ${report.manual_review} to manual review (${pct(report.accuracy_with_review)} counting them)`,
  ];
  if (report.duplicate_executions) lines.push(`  ${report.duplicate_executions} keys had a second execution`);
  for (const segment of report.ramp ?? []) {
    const [from, to] = segment.strength;
    lines.push(
      `  ${report.drift} ${(100 * from).toFixed(0).padStart(3)}-${(100 * to).toFixed(0)} %: accuracy ${pct(segment.accuracy)}, ` +
        `manual review ${pct(segment.manual_review_share)}, mean confidence ${segment.mean_confidence?.toFixed(3) ?? '-'}`,
    );
  }
  for (const example of report.failed_examples.slice(0, 3)) {
    lines.push(
      `  failed: ${example.key}: ${example.error}${example.cause ? `: ${example.cause.slice(0, 160)}` : ''}`,
    );
  }
  return lines.join('\n');
}
