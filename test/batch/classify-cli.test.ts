/** `scones classify s3://bucket/prefix/` as a user runs it: a separate process on the embedded tier. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/cli/classify-batch.ts';
import { startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';

const run = promisify(execFile);
const SCONES = path.resolve('bin/scones.js');
let dir: string;
let dataDir: string;

async function scones(...args: string[]) {
  return run(process.execPath, [SCONES, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
}

/** stdout, stderr and the exit code of a run that may fail. */
async function sconesOutcome(...args: string[]) {
  try {
    return { ...(await scones(...args)), code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scones-batch-cli-'));
  dataDir = path.join(dir, 'data');
  // The images are in the embedded store before the command runs, as after `aws s3 sync`.
  const runtime = await startEmbeddedRuntime({ dataDir });
  try {
    const png = await rgbToPng((await readCifarRecord(1)).rgb);
    for (let i = 0; i < 6; i++) {
      await runtime.s3.send(
        new PutObjectCommand({
          Bucket: runtime.config.bucket,
          Key: `cli-batch/photo-${i}.png`,
          Body: i === 4 ? 'a note, not a photo' : png,
        }),
      );
    }
  } finally {
    await runtime.stop();
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scones classify s3://bucket/prefix/', () => {
  it('classifies every image under the prefix as one batch; --json prints one JSON object', async () => {
    const { stdout } = await scones(
      'classify',
      's3://scones-images/cli-batch/',
      '--stub',
      '--json',
      '--data-dir',
      dataDir,
      '--max-concurrency',
      '3',
      '--tolerated-failure-percentage',
      '20',
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] as string) as BatchReport;
    expect(report).toMatchObject({
      status: 'SUCCEEDED',
      execution: expect.stringMatching(/^batch-\d{8}T\d{6}Z-[0-9a-f]{6}$/),
    });
    expect(report.summary).toMatchObject({
      total: 6,
      succeeded: 5,
      failed: 1,
      errors: { InvalidImage: 1 },
      max_concurrency: 3,
      tolerated_failure_percentage: 20,
    });
    expect(Object.values(report.summary?.decisions ?? {}).reduce((a, b) => a + b, 0)).toBe(5);
    expect(report.summary?.failures.map((f) => f.s3_key)).toEqual(['cli-batch/photo-4.png']);
  }, 90_000);

  it('prints the summary and exits 1 when more images failed than tolerated', async () => {
    const { stdout, code } = await sconesOutcome(
      'classify',
      's3://scones-images/cli-batch/',
      '--stub',
      '--data-dir',
      dataDir,
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^batch batch-\S+ on embedded .*: FAILED, 6 images in /);
    expect(stdout).toContain(
      'States.ExceedToleratedFailureThreshold: The specified tolerated failure threshold was exceeded',
    );
    expect(stdout).toMatch(/failed +1 +16\.67% \(tolerated 0%\)/);
    expect(stdout).toMatch(/cli-batch\/photo-4\.png {2}InvalidImage/);
    expect(stdout).toMatch(/summary +s3:\/\/scones-images\/batch-results\/batch-\S+\/summary\.json/);
  }, 90_000);

  it('refuses a prefix among other images, and batch options without a prefix', async () => {
    const mixed = await sconesOutcome(
      'classify',
      's3://scones-images/cli-batch/',
      'photo.png',
      '--stub',
      '--data-dir',
      dataDir,
    );
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toContain(
      'a prefix (s3://bucket/prefix/) classifies every image under it as one batch: give it alone',
    );
    const option = await sconesOutcome(
      'classify',
      'photo.png',
      '--max-concurrency',
      '4',
      '--stub',
      '--data-dir',
      dataDir,
    );
    expect(option.code).not.toBe(0);
    expect(option.stderr).toContain(
      '--max-concurrency and --tolerated-failure-percentage apply to a batch over a prefix',
    );
    const range = await sconesOutcome(
      'classify',
      's3://scones-images/cli-batch/',
      '--tolerated-failure-percentage',
      '120',
    );
    expect(range.stderr).toContain('must be a number from 0 to 100');
  }, 60_000);
});
