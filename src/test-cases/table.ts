/**
 * The test-case results as a terminal table (case, expected, got, states, attempts, ms), then one
 * block per case that differs, naming each difference, then a one-line summary.
 */
import { resultOf } from './outcome.ts';
import type { CaseResult } from './run-cases.ts';

const HEADERS = ['case', 'expected', 'got', 'states', 'attempts', 'ms', ''] as const;

/** `ClassifyImage×4` for each Task state invoked more than once; `1 each` otherwise. */
function attemptsCell(attempts: Record<string, number>): string {
  const repeated = Object.entries(attempts).filter(([, count]) => count > 1);
  return repeated.length ? repeated.map(([state, count]) => `${state}×${count}`).join(' ') : '1 each';
}

function row(result: CaseResult): string[] {
  const { got } = result;
  return [
    result.name,
    resultOf(result.expected),
    result.skipped ? 'skipped' : got ? resultOf(got) : 'did not run',
    got ? String(got.states.length) : '-',
    got ? attemptsCell(got.attempts) : '-',
    result.ms.toFixed(0),
    result.skipped ? 'SKIPPED' : result.differences.length ? 'DIFFERS' : 'ok',
  ];
}

export function renderTable(results: CaseResult[], title: string): string {
  const rows = [HEADERS.slice(), ...results.map(row)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  const numeric = new Set([3, 5]);
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const failed = results.filter((result) => result.differences.length);
  const details = failed.map(
    (result) => `\n${result.name} differs:\n${result.differences.map((text) => `  - ${text}`).join('\n')}`,
  );
  const skipped = results.filter((result) => result.skipped);
  const skips = skipped.map((result) => `\n${result.name} skipped: ${result.skipped}`);
  const ran = results.length - skipped.length;
  const summary =
    (failed.length
      ? `${failed.length} of ${ran} cases differ from the expected outcome`
      : `all ${ran} cases run gave the expected outcome`) +
    (skipped.length ? `; ${skipped.length} skipped on this engine` : '');
  return [
    title,
    '',
    line(rows[0] as string[]),
    ...rows.slice(1).map(line),
    ...details,
    ...skips,
    '',
    summary,
  ].join('\n');
}
