/**
 * `bin/scones.js` started by an older Node (the system Node 20 here) runs itself again under the
 * pinned Node 22 and stands in for that child: a signal sent to it reaches the child, and it ends
 * as the child did (its exit code, or the signal that ended it). `scones up --stub` is the child:
 * SIGINT and SIGTERM drain it and it exits 0; SIGHUP it does not handle, so it dies of it.
 * Skipped, with the reason printed, where no older Node is on the PATH or /proc is missing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { olderNode } from './system-node.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCONES = path.join(ROOT, 'bin', 'scones.js');

const OLDER_NODE = olderNode();
const SKIP_REASON = !existsSync('/proc/self/stat')
  ? 'no /proc here (the test finds the child through it)'
  : OLDER_NODE === undefined
    ? 'no Node older than 22.18 on the PATH (the re-run under the pinned Node is not exercised)'
    : undefined;
if (SKIP_REASON) console.warn(`test/cli/older-node.test.ts skipped: ${SKIP_REASON}`);

let dir: string;
/** Every process started, so none outlives a failed test. */
const started: number[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scones-older-node-'));
});
afterAll(async () => {
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

interface Started {
  parent: ChildProcess;
  childPid: number;
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `scones up --stub` under the older Node, in a process group of its own (not a terminal's foreground). */
async function startUp(name: string): Promise<Started> {
  const parent = spawn(
    OLDER_NODE as string,
    [SCONES, 'up', '--stub', '--port', '0', '--data-dir', path.join(dir, name)],
    { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  parent.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    parent.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    parent.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('export AWS_ENDPOINT_URL')) resolve();
    });
    exited.then(() => reject(new Error(`scones up ended before it was ready:\n${stderr.join('')}`)));
  });
  const pid = parent.pid as number;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  expect(children).toHaveLength(1);
  const childPid = Number(children[0]);
  started.push(pid, childPid);
  return { parent, childPid, stderr, exited };
}

// Concurrent: each test runs its own processes over its own data folder.
describe.skipIf(SKIP_REASON !== undefined)('bin/scones.js under an older Node', () => {
  it.concurrent.each(['SIGINT', 'SIGTERM'] as const)(
    '%s of the parent reaches the child, which drains; both end, exit 0',
    async (signal) => {
      const up = await startUp(signal);
      expect(alive(up.childPid)).toBe(true);
      process.kill(up.parent.pid as number, signal);
      expect(await up.exited).toEqual({ code: 0, signal: null });
      expect(up.stderr.join('')).toContain('scones up: stopped');
      expect(alive(up.childPid)).toBe(false);
    },
    30_000,
  );

  it.concurrent('ends by the signal that ended the child', async () => {
    const up = await startUp('SIGHUP');
    process.kill(up.parent.pid as number, 'SIGHUP');
    expect(await up.exited).toEqual({ code: null, signal: 'SIGHUP' });
    expect(alive(up.childPid)).toBe(false);
  }, 30_000);

  it.concurrent('passes the exit code and the error of a command that cannot run', async () => {
    const run = spawn(OLDER_NODE as string, [SCONES, 'classify', '--target', 'nowhere', 'x.png'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    run.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => run.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('nowhere');
  });
});
