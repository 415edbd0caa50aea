/** The `scones` command as a user runs it: a separate process, JSON lines on stdout. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';

const run = promisify(execFile);
const SCONES = path.resolve('bin/scones.js');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scones-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scones(...args: string[]) {
  return run(process.execPath, [SCONES, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
}

describe('scones classify', () => {
  it('prints one JSON line per image; bad inputs become error lines and the next image still runs', async () => {
    await writeFile(path.join(dir, 'bike.png'), await rgbToPng((await readCifarRecord(0)).rgb));
    await writeFile(path.join(dir, 'notes.png'), 'not an image');
    const { stdout } = await scones(
      'classify',
      '--json',
      '--stub',
      '--data-dir',
      path.join(dir, 'data'),
      'bike.png',
      'notes.png',
      'missing.png',
      's3://scones-images/nowhere.png',
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => (l.decision === 'error' ? l.error : 'ok'))).toEqual([
      'ok',
      'InvalidImage',
      'FileNotFound',
      'ImageNotFound',
    ]);
    expect(lines[0]).toMatchObject({
      key: expect.stringMatching(/bike\.png$/),
      predicted: expect.any(String),
      confidence: expect.any(Number),
    });
    expect(['short-range', 'long-range', 'manual-review']).toContain(lines[0].decision);
    expect(lines[1].cause).toContain('notes.png');
  });

  it('exits non-zero with a reason when the command itself cannot run', async () => {
    await expect(scones('classify', '--target', 'nowhere', 'x.png')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('nowhere'),
    });
  });
});
