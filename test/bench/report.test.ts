/**
 * bench:report's table: rows from the result files, the rows of benchmarks not run here kept from
 * the README (the files stay on the machine that ran them), the bench:sagemaker row.
 */
import { describe, expect, it } from 'vitest';
import { END, previousRows, renderTable, replaceBlock, reportRows, START } from '../../bench/report.ts';
import type { BenchResults } from '../../bench/results.ts';

const machine = {
  cpus: 2,
  cpu_model: 'Test CPU',
  memory_gib: 24,
  node: 'v22.0.0',
  platform: 'linux-x64',
  load_start: 0.5,
  load_end: 0.7,
};

const sagemaker: BenchResults = {
  name: 'sagemaker',
  date: '2026-12-07T08:00:00.000Z',
  machine,
  figures: {
    training_wall_s: 98.4,
    training_epochs: 30,
    training_validation_accuracy: 0.93,
    in_service_runs: 5,
    in_service_min_ms: 61,
    in_service_median_ms: 70,
    in_service_max_ms: 95,
    routing_overhead_cpu_us: 3,
    routing_with_capture_overhead_cpu_us: -4,
    plain_noise_cpu_us: 40,
    plain_p50_ms: 0.3,
    routed_captured_p50_ms: 0.31,
    targets: { training_s: 120, validation_accuracy: 0.9, in_service_ms: 2000 },
    training: { status: 'Completed', hyperparameters: { num_training_samples: '900' } },
    invoke: {
      overhead: {
        raw_http: {
          routing: { cpu_us_per_request: 2, plain_noise_cpu_us: 30 },
          routing_with_capture: { cpu_us_per_request: 1 },
        },
      },
    },
  },
};

const README = [
  '# kit',
  START,
  '',
  '| benchmark | figures | machine; date; 1-min load average (start → end) |',
  '| --- | --- | --- |',
  '| `npm run bench` | 1000 executions \\| p50 2 ms | 2 cores, earlier |',
  '| `npm run bench:model` | not run |  |',
  '| `npm run bench:s3` (before) | GET 1 ms | 2 cores |',
  '| `npm run bench:s3` (after) | GET 2 ms | 2 cores |',
  '',
  END,
  'after',
].join('\n');

describe('bench:report', () => {
  it('keeps the README rows of benchmarks with no file here, and writes the ones that have one', () => {
    const previous = previousRows(README);
    expect(previous.get('`npm run bench`')).toEqual([
      '`npm run bench`',
      '1000 executions | p50 2 ms',
      '2 cores, earlier',
    ]);
    expect(previous.has('`npm run bench:model`')).toBe(false);
    const rows = reportRows([sagemaker], {}, previous);
    const byScript = new Map(rows.map((row) => [row[0], row]));
    expect(byScript.get('`npm run bench`')?.[1]).toBe('1000 executions | p50 2 ms');
    expect(byScript.get('`npm run bench:model`')?.[1]).toBe('not run');
    expect(rows.filter(([script]) => script?.startsWith('`npm run bench:s3`')).map((row) => row[1])).toEqual([
      'GET 1 ms',
      'GET 2 ms',
    ]);
    const table = renderTable(rows);
    // Rendered again, the kept rows read back the same: a second report changes nothing.
    const updated = replaceBlock(README, table);
    expect(replaceBlock(updated, renderTable(reportRows([sagemaker], {}, previousRows(updated))))).toBe(
      updated,
    );
    expect(updated).toContain('| `npm run bench` | 1000 executions \\| p50 2 ms | 2 cores, earlier |');
  });

  it('says what bench:sagemaker measured against its targets', () => {
    const row = reportRows([sagemaker], {}).find(([script]) => script === '`npm run bench:sagemaker`');
    expect(row?.[1]).toContain('Completed in 98.4 s, validation accuracy 0.93 (target 120 s, 0.9)');
    expect(row?.[1]).toContain('InService min 61, median 70, max 95 ms over 5 runs (target 2000 ms)');
    expect(row?.[1]).toContain(
      'SDK 3 µs, with capture -4 µs (noise 40 µs), bare HTTP 2 µs, with capture 1 µs (noise 30 µs)',
    );
    expect(row?.[1]).not.toMatch(/undefined|NaN/);
    expect(row?.[2]).toContain('2026-12-07 08:00 UTC');
  });
});
