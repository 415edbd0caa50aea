/**
 * `scones monitor` as cron and CI run it: the real CLI in a child process over embedded data dirs
 * (and over a running stack's S3), `--json` on one line, `--fail-on-alarm` exit codes, the HTML
 * file, and bad input answered with a clear error.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3 } from '../../src/embedded/s3/index.ts';
import { type SyntheticDataDir, syntheticDataDir, T0 } from './support/synthetic-data-dir.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'scones.js');
const STREAM = { count: 3000, startMs: T0, spanMs: 5 * 60_000, labelShare: 0.05 };

let clean: SyntheticDataDir;
let degrading: SyntheticDataDir;
let cwd: string;

/** The environment without endpoint overrides of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_ENDPOINT_URL')),
  );
  return { ...env, ...extra };
}

function scones(args: string[], env = cleanEnv()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'monitor', ...args],
      { cwd, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'scones-monitor-cwd-'));
  [clean, degrading] = await Promise.all([
    syntheticDataDir({ ...STREAM, seed: 31 }),
    syntheticDataDir({ ...STREAM, seed: 32, driftOnset: 0.3 }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([clean?.remove(), degrading?.remove(), cwd && rm(cwd, { recursive: true, force: true })]);
});

describe('scones monitor', () => {
  it('--json --fail-on-alarm: one JSON line with the alarms, exit 2 when one is in ALARM, 0 when none is', async () => {
    const [bad, good] = await Promise.all([
      scones(['--json', '--fail-on-alarm', '--data-dir', degrading.dir]),
      scones(['--json', '--fail-on-alarm', '--data-dir', clean.dir]),
    ]);
    expect(bad.code, bad.stderr).toBe(2);
    const lines = bad.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] as string);
    expect(result.alarms).toHaveLength(5);
    for (const alarm of result.alarms) {
      expect(Object.keys(alarm)).toEqual(expect.arrayContaining(['name', 'state', 'value', 'threshold']));
      expect(['OK', 'ALARM']).toContain(alarm.state);
    }
    expect(result.inAlarm).toContain('low-confidence-share');
    expect(result.totals.inferences).toBe(3000);
    expect(bad.stderr).toMatch(/alarms? in ALARM: .*low-confidence-share/);
    // With --json and no --out, no file is written.
    expect(existsSync(path.join(cwd, '.scones'))).toBe(false);

    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout).inAlarm).toEqual([]);
  }, 90_000);

  it('writes the HTML report and sums the alarms up on stderr', async () => {
    const out = path.join(cwd, 'reports', 'report.html');
    const run = await scones(['--out', out, '--data-dir', degrading.dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/ALARM\s+low-confidence-share/);
    expect(run.stderr).toContain(`report: ${out}`);
    const html = await readFile(out, 'utf8');
    expect(html.match(/<figure class="chart"><svg/g)).toHaveLength(7);
  }, 60_000);

  it('reports only the --since / --until range, and takes alarm thresholds', async () => {
    const run = await scones([
      '--json',
      '--data-dir',
      clean.dir,
      '--since',
      '2026-11-26T10:01:00Z',
      '--until',
      '2026-11-26T10:02:00Z',
      '--alarm',
      'low-confidence-share=0.01',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    // 3000 inferences evenly over 5 minutes: 600 in that minute.
    expect(result.totals.inferences).toBe(600);
    expect(result.span).toEqual({ start: '2026-11-26T10:01:00.000Z', end: '2026-11-26T10:02:00.000Z' });
    expect(result.alarms.find((a: { name: string }) => a.name === 'low-confidence-share')).toMatchObject({
      state: 'ALARM',
      threshold: 0.01,
    });
  }, 60_000);

  it('reads a running stack\u2019s S3 when AWS_ENDPOINT_URL_S3 points at it', async () => {
    const local = await startLocalS3({ directory: path.join(clean.dir, 's3') });
    try {
      const run = await scones(
        ['--json', '--data-dir', path.join(cwd, 'nothing-here')],
        cleanEnv({ AWS_ENDPOINT_URL_S3: local.endpoint }),
      );
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).totals.inferences).toBe(3000);
    } finally {
      await local.stop();
    }
  }, 60_000);

  it('--target emulator reads that target\u2019s S3, and reports metrics it cannot reach as unavailable', async () => {
    const local = await startLocalS3({ directory: path.join(clean.dir, 's3') });
    try {
      const env = cleanEnv({
        AWS_ENDPOINT_URL_S3: local.endpoint,
        AWS_ENDPOINT_URL_CLOUDWATCH: 'http://127.0.0.1:9',
      });
      const run = await scones(['--json', '--target', 'emulator'], env);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result.totals.inferences).toBe(3000);
      expect(result.sources.join('\n')).toMatch(/metrics: CloudWatch namespace Scones unavailable/);
    } finally {
      await local.stop();
    }
  }, 60_000);

  it('answers bad input with an error that names it, exit 1', async () => {
    const [since, dir, alarm, window, threshold] = await Promise.all([
      scones(['--since', 'yesterday', '--data-dir', clean.dir]),
      scones(['--data-dir', path.join(cwd, 'no-such-dir')]),
      scones(['--alarm', 'latency=2', '--data-dir', clean.dir]),
      scones(['--window', '90ms', '--data-dir', clean.dir]),
      scones(['--threshold', '1.5', '--data-dir', clean.dir]),
    ]);
    expect(since).toMatchObject({ code: 1 });
    expect(since.stderr).toMatch(/--since must be an ISO-8601 time .*got "yesterday"/);
    expect(dir.code).toBe(1);
    expect(dir.stderr).toMatch(/no embedded data under .*no-such-dir.*scones demo/);
    expect(alarm.code).toBe(1);
    expect(alarm.stderr).toMatch(/--alarm takes <rule>=<threshold>/);
    expect(window.code).toBe(1);
    expect(window.stderr).toMatch(/--window must be a whole number of seconds/);
    expect(threshold.code).toBe(1);
    expect(threshold.stderr).toMatch(/--threshold.*must be a number between 0 and 1/);
  }, 60_000);
});
