/** A `scones up` stack in-process on a free port, its printed lines collected, and test images. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { expect, vi } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/config.ts';
import { createStubPredictor, type StubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { startUpStack, type UpOptions, type UpStack } from '../../src/up/stack.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';

export interface TestStack {
  stack: UpStack;
  stub: StubPredictor;
  dataDir: string;
  /** Lines printed (stdout) and logged (stderr), in order. */
  printed: string[];
  logged: string[];
  sfn: SFNClient;
  put(key: string, body: Buffer | string): Promise<void>;
  /** Waits for a printed line that contains every fragment, and returns it. */
  lineWith(...fragments: string[]): Promise<string>;
  close(): Promise<void>;
}

/** Waits for a line of `printed` that contains every fragment (printed lines keep coming), and returns it. */
export async function lineWith(printed: readonly string[], fragments: string[]): Promise<string> {
  let found: string | undefined;
  await vi.waitFor(
    () => {
      found = printed.find((line) => fragments.every((fragment) => line.includes(fragment)));
      expect(found, `a line with ${fragments.join(', ')} in:\n${printed.join('\n')}`).toBeDefined();
    },
    { timeout: 20_000, interval: 20 },
  );
  return found as string;
}

export async function bikePng(): Promise<Buffer> {
  return rgbToPng((await readCifarRecord(0)).rgb);
}

export async function startTestStack(options: Partial<UpOptions> = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'scones-up-'));
  const stub = createStubPredictor();
  const printed: string[] = [];
  const logged: string[] = [];
  const stack = await startUpStack({
    port: 0,
    dataDir,
    predictor: stub,
    retryDelayMs: 0,
    print: (line) => printed.push(line),
    log: (line) => logged.push(line),
    ...options,
  });
  const sfn = new SFNClient({
    endpoint: stack.endpoint,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
  });
  const { runtime } = stack;
  return {
    stack,
    stub,
    dataDir,
    printed,
    logged,
    sfn,
    async put(key, body) {
      await runtime.s3.send(new PutObjectCommand({ Bucket: runtime.config.bucket, Key: key, Body: body }));
    },
    lineWith: (...fragments) => lineWith(printed, fragments),
    async close() {
      sfn.destroy();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `scones up` as a user runs it: its own process, lines collected as they arrive. */
export interface UpProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** The `export NAME=value` lines it printed. */
  exports(): Record<string, string>;
  /** Waits for a stdout line with every fragment (rejects when the process exits first). */
  lineWith(...fragments: string[]): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnUp(args: string[], cwd: string): UpProcess {
  const child = spawn(process.execPath, [path.resolve('bin/scones.js'), 'up', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => stdout.push(line));
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    stdout,
    stderr,
    exited,
    exports() {
      return Object.fromEntries(
        stdout.flatMap((line) => {
          const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
          return match ? [[match[1], match[2]]] : [];
        }),
      );
    },
    async lineWith(...fragments) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const found = stdout.find((line) => fragments.every((fragment) => line.includes(fragment)));
        if (found) return found;
        const context = `a line with ${fragments.join(', ')}; stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`;
        if (done) throw new Error(`scones up exited before ${context}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${context}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}
