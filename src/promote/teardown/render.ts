/** The text of a teardown report, as `scones teardown` prints it. */
import type { TeardownReport } from './types.ts';

export function renderTeardown(report: TeardownReport): string {
  const where = `stage "${report.stage}" in account ${report.accountId}, ${report.region}`;
  if (report.deleted.length === 0 && report.stopped.length === 0) {
    const kept =
      report.kept.length > 0
        ? ` (kept: ${report.kept.map((item) => `${item.type} ${item.name}`).join(', ')})`
        : '';
    return `Nothing to tear down for ${where}: no resource of the kit found${kept}.`;
  }
  const [stopped, deleted] = report.planned ? ['would stop', 'would delete'] : ['stopped', 'deleted'];
  const lines = [`${report.planned ? 'Teardown plan' : 'Teardown'} of ${where}:`];
  for (const item of report.stopped)
    lines.push(`  ${stopped.padEnd(12)} ${item.type.padEnd(29)} ${item.name}`);
  for (const item of report.deleted)
    lines.push(`  ${deleted.padEnd(12)} ${item.type.padEnd(29)} ${item.name}`);
  for (const item of report.kept)
    lines.push(`  ${'kept'.padEnd(12)} ${item.type.padEnd(29)} ${item.name}  (${item.reason})`);
  return lines.join('\n');
}
