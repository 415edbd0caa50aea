/**
 * The CLI's start-up design: registering the commands (names, options, help) loads commander and
 * light modules only, and each command loads what it needs when it runs (src/cli/lazy-action.ts).
 * Each `--help` here runs in a child process with a module-resolution trace (module-trace.ts); a
 * heavy static import added to a registration module, or to a light module one imports, fails it.
 * `classify --stub` of a model-ready PNG must also run without the model's packages, sharp, or the
 * AWS control-plane clients. Timings are the benchmark's business (`npm run bench:cli`), not these tests'.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCifar } from '../../training/cifar.ts';
import { encodePlanesAsPng } from '../../training/png.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCONES = path.join(ROOT, 'bin', 'scones.js');
const TRACE_HOOK = path.join(import.meta.dirname, 'module-trace.ts');

/** What no registration may load: each is tens to hundreds of milliseconds of start-up. */
const HEAVY_PACKAGES = [
  /^@aws-sdk\//,
  /^@smithy\//,
  /^@tensorflow\//,
  /^onnxruntime-/,
  /^sharp$/,
  /^vega/,
  /^@aws-lambda-powertools\//,
  /^aws-local-stepfunctions$/,
  /^esbuild$/,
  /^zod$/,
];
/** What `classify --stub` of a model-ready image needs none of. */
const NOT_FOR_A_STUB_RUN = [
  /^@tensorflow\//,
  /^onnxruntime-/,
  /^sharp$/,
  /^vega/,
  /^esbuild$/,
  /^tar$/,
  /^@aws-sdk\/client-(iam|sts|sfn|sagemaker|cloudwatch|eventbridge|sns|resource-groups-tagging-api)$/,
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scones-startup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface TracedRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Packages under node_modules the process resolved, by name. */
  packages: string[];
}

let traces = 0;
function tracedScones(args: string[]): Promise<TracedRun> {
  const trace = path.join(dir, `trace-${++traces}.txt`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', TRACE_HOOK, SCONES, ...args],
      { cwd: dir, env: { ...process.env, SCONES_MODULE_TRACE: trace, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        readFile(trace, 'utf8').then((text) => {
          const packages = new Set<string>();
          for (const url of text.split('\n')) {
            const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
            if (match?.[1]) packages.add(match[1]);
          }
          resolve({ code, stdout, stderr, packages: [...packages].sort() });
        }, reject);
      },
    );
  });
}

const matching = (packages: string[], patterns: RegExp[]) =>
  packages.filter((name) => patterns.some((pattern) => pattern.test(name)));

describe('scones start-up', () => {
  it('--help loads commander and no heavy package', async () => {
    const run = await tracedScones(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: scones');
    expect(run.packages).toContain('commander'); // the trace works
    expect(matching(run.packages, HEAVY_PACKAGES)).toEqual([]);
  });

  it("every command's --help loads no heavy package either", async () => {
    const help = await tracedScones(['--help']);
    const names = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)]
      .map((match) => match[1] as string)
      .filter((name) => name !== 'help');
    expect(names).toEqual(expect.arrayContaining(['classify', 'demo', 'monitor', 'load', 'promote', 'up']));
    const runs = await Promise.all(names.map((name) => tracedScones([name, '--help'])));
    const heavy = Object.fromEntries(
      names.map((name, i) => [name, matching((runs[i] as TracedRun).packages, HEAVY_PACKAGES)]),
    );
    expect(heavy).toEqual(Object.fromEntries(names.map((name) => [name, []])));
    for (const run of runs) expect(run.code).toBe(0);
  });

  it('classify --stub of a model-ready PNG loads no model, image codec or control-plane client', async () => {
    for await (const record of readCifar(undefined, { splits: ['test'] })) {
      await writeFile(path.join(dir, 'one.png'), await encodePlanesAsPng(record.pixels));
      break;
    }
    const run = await tracedScones([
      'classify',
      '--stub',
      '--json',
      '--data-dir',
      path.join(dir, 'data'),
      'one.png',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ key: expect.stringMatching(/one\.png$/) });
    expect(run.packages).toContain('aws-local-stepfunctions'); // it did run the workflow
    expect(matching(run.packages, NOT_FOR_A_STUB_RUN)).toEqual([]);
  });
});
