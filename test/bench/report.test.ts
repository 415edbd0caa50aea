/**
 * `npm run bench:report` rebuilds the README's figures table from the result files on this
 * machine; a benchmark that has no file here keeps the row its last run wrote (the files are not
 * in git, so running one benchmark must not blank the others' figures).
 */
import { describe, expect, it } from 'vitest';
import { keepEarlierRows, renderTable, reportRows, tableRows } from '../../bench/report.ts';
import type { BenchResults, MachineInfo } from '../../bench/results.ts';

const machine: MachineInfo = {
  cpus: 2,
  cpu_model: 'AMD EPYC',
  memory_gib: 24,
  node: 'v22.23.3',
  platform: 'linux',
  load_start: 0.5,
  load_end: 0.6,
};

function endpointResult(p50: number): BenchResults {
  return {
    name: 'endpoint',
    date: '2026-12-07T08:00:00.000Z',
    machine,
    figures: {
      sdk_sequential: { p50_ms: p50 },
      sdk_concurrency8: { per_s: 2000, cpu_us_per_request: 570 },
      raw_http_concurrency8: { per_s: 5000, cpu_us_per_request: 180 },
    },
  };
}

describe('bench:report', () => {
  it('keeps the earlier row of a benchmark without a result file, and replaces the one that has one', () => {
    const first = renderTable(reportRows([endpointResult(0.5)], {}));
    const earlier = tableRows(first);
    const endpointRow = earlier.get('`npm run bench:endpoint`');
    expect(endpointRow?.[1]).toContain('p50 0.5 ms');
    expect(earlier.get('`npm run bench`')?.[1]).toBe('not run');

    // Another machine ran nothing: every row of the earlier run stays as it was.
    expect(renderTable(keepEarlierRows(reportRows([], {}), earlier))).toBe(first);
    // A new run of the endpoint bench replaces its row only.
    const next = tableRows(renderTable(keepEarlierRows(reportRows([endpointResult(0.7)], {}), earlier)));
    expect(next.get('`npm run bench:endpoint`')?.[1]).toContain('p50 0.7 ms');
    expect(next.get('`npm run bench`')?.[1]).toBe('not run');
  });

  it('reads a row whose figures hold an escaped pipe back as the same text', () => {
    const rows = [['`npm run bench:x`', 'a | b', 'machine']];
    expect(tableRows(renderTable(rows)).get('`npm run bench:x`')).toEqual(rows[0]);
  });

  it('keeps every labelled row of a benchmark that ran under labels (bench:s3 before / after)', () => {
    const earlier = new Map([
      ['`npm run bench:s3` (before)', ['`npm run bench:s3` (before)', 'old figures', 'm']],
      ['`npm run bench:s3` (after)', ['`npm run bench:s3` (after)', 'new figures', 'm']],
    ]);
    const rows = keepEarlierRows([['`npm run bench:s3`', 'not run', '']], earlier);
    expect(rows.map((row) => row[1])).toEqual(['old figures', 'new figures']);
  });
});
