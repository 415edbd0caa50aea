/**
 * `scones load` as people run it: the real CLI in a child process, starting the embedded tier in a
 * temporary data folder (staging the shipped data there first), with the stub endpoint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { endpointEnvironment, loadConfig } from '../../src/config.ts';
import { startLocalS3 } from '../../src/embedded/s3/index.ts';
import type { LoadReport } from '../../src/load/report.ts';
import { readCapturedInferences } from '../../src/monitor/sources/index.ts';
import { startTestStack } from '../up/support.ts';
import { lastJsonLine, scones } from './scones-cli.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-load-cli-'));
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// Concurrent: each test has its own data folder or stack, and most of each is waiting on a child process.
describe.concurrent('scones load (CLI)', () => {
  it('--json ends stdout with the report: every upload decided, none lost', {
    timeout: 180_000,
  }, async () => {
    const { code, stdout, stderr } = await scones([
      'load',
      '--stub',
      '--count',
      '80',
      '--drift',
      'brightness',
      '--seed',
      '4',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(code, stderr).toBe(0);
    const report = lastJsonLine<LoadReport>(stdout);
    expect(report).toMatchObject({ uploaded: 80, lost: 0, drift: 'brightness', seed: 4, mode: 'burst' });
    expect(report.decided + report.failed).toBe(80);
    for (const field of ['uploads_per_s', 'e2e_p50_ms', 'e2e_p99_ms'] as const)
      expect(report[field], field).toBeGreaterThan(0);
    expect(report.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.target).toBe('embedded (stub endpoint)');
    // The summary for people goes to stderr; the traffic was captured for `scones monitor`.
    expect(stderr).toContain(`load ${report.run_id} on embedded (stub endpoint): 80 of 80 uploaded`);
    expect(stderr).toMatch(/lost\s+0/);
    const local = await startLocalS3({ directory: path.join(dataDir, 's3') });
    const s3 = createS3Client(
      loadConfig({ SCONES_TARGET: 'embedded', ...endpointEnvironment({ s3: local.endpoint }) }),
    );
    try {
      // One capture per invocation, as SageMaker captures: an invocation the Lambda gave up on (its
      // 10 s request timeout, on a starved machine) was still answered and captured, and the ASL's
      // retry is captured again under the same InferenceId. Every upload's decision is there once.
      const captured = await readCapturedInferences(s3, 'scones-images', 'data_capture/');
      expect(captured.length).toBeGreaterThanOrEqual(80);
      expect(new Set(captured.map((record) => record.inferenceId)).size).toBe(80);
    } finally {
      s3.destroy();
      await local.stop();
    }
  });

  it('streams into a running `scones up` and finds each outcome through its Step Functions API', {
    timeout: 180_000,
  }, async () => {
    const up = await startTestStack();
    try {
      const { code, stdout, stderr } = await scones([
        'load',
        '--endpoint-url',
        up.stack.endpoint,
        '--rate',
        '20/s',
        '--duration',
        '3s',
        '--json',
      ]);
      expect(code, stderr).toBe(0);
      const report = lastJsonLine<LoadReport>(stdout);
      expect(report).toMatchObject({ uploaded: 60, lost: 0, mode: 'stream' });
      expect(report.decided + report.failed).toBe(60);
      expect(report.target).toBe(`embedded stack at ${up.stack.endpoint}`);
      expect(report.outcomes_from).toMatch(
        /^Step Functions API \(arn:aws:states:.*:stateMachine:scones-dev-image-classification\)$/,
      );
      // The stack saw the same uploads: one decision line each.
      await up.lineWith(`${report.key_prefix}59-`);
      expect(up.printed.filter((line) => line.includes(report.key_prefix))).toHaveLength(60);
    } finally {
      await up.close();
    }
  });

  it('refuses contradictory pacing options and unknown drift kinds before starting anything', async () => {
    const both = await scones([
      'load',
      '--count',
      '5',
      '--rate',
      '5/s',
      '--duration',
      '1s',
      '--data-dir',
      dataDir,
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain(
      'give either --count (a burst) or --rate with --duration (a stream), not both',
    );
    const drift = await scones(['load', '--count', '5', '--drift', 'fog', '--data-dir', dataDir]);
    expect(drift.code).not.toBe(0);
    expect(drift.stderr).toMatch(/--drift.*fog/);
  });
});
