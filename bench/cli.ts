/**
 * `npm run bench:cli`: start-up of the `scones` CLI, the inner loop people feel. Each figure is the
 * median of 10 runs (`--runs N`; `--quick`: 3), after one warm-up run that fills the start-up
 * caches (bin/startup-caches.js, the validated-ASL markers):
 * - `help_ms`: `node bin/scones.js --help` (node: the pinned Node 22, as npm scripts and npx run it);
 * - `classify_stub_ms`: `node bin/scones.js classify --stub --json one.png`, one 32x32 PNG of the
 *   shipped CIFAR test split in a temporary folder (the embedded tier starts, runs it, stops);
 * - `*_cpu_ms`: the CPU time (user + system, every thread) of the same runs, steadier than wall
 *   time on a shared machine;
 * - `reexec_*`: the same started by an older system Node, which runs the CLI again under the pinned
 *   Node 22 (only when such a Node is on the PATH);
 * - `npx_*`: the same through `npx scones` (npm's own start-up comes on top; wall time only).
 * Every run is checked (exit 0, the expected output); any failure fails the bench (exit 1, no
 * figures written). The last line is one JSON object, written to .scones/bench/cli.json.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { olderNode } from '../test/cli/system-node.ts';
import { readCifar } from '../training/cifar.ts';
import { encodePlanesAsPng } from '../training/png.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { finishBench } from './results.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SCONES = path.join(ROOT, 'bin', 'scones.js');
const args = benchArgs(['runs']);
const RUNS = countOption(args.values.runs, args.quick ? 3 : 10, 'runs');
const checks = new BenchChecks();

/**
 * Preloaded into the measured process: at exit it writes its CPU time (every thread) and that of
 * its waited-for children (/proc/self/stat cutime + cstime, in clock ticks of 10 ms) to fd 3.
 * Plain JavaScript in a data: URL, so measuring loads no TypeScript.
 */
const CPU_REPORT = `data:text/javascript,${encodeURIComponent(`
import { readFileSync, writeSync } from 'node:fs';
process.on('exit', () => {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {}
  writeSync(3, JSON.stringify({ cpu_ms: (own.user + own.system) / 1000 + children }));
});`)}`;

interface Run {
  wallMs: number;
  cpuMs?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function runOnce(command: string, commandArgs: string[], cwd: string, measureCpu: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, measureCpu ? [`--import=${CPU_REPORT}`, ...commandArgs] : commandArgs, {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let wallMs = 0;
    const out: Record<'stdout' | 'stderr' | 'cpu', string> = { stdout: '', stderr: '', cpu: '' };
    child.stdout?.on('data', (chunk: Buffer) => {
      out.stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out.stderr += chunk.toString();
    });
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      out.cpu += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', () => {
      wallMs = performance.now() - started;
    });
    child.once('close', (code) => {
      const cpu = out.cpu ? (JSON.parse(out.cpu) as { cpu_ms: number }).cpu_ms : undefined;
      resolve({
        wallMs,
        ...(cpu === undefined ? {} : { cpuMs: cpu }),
        code,
        stdout: out.stdout,
        stderr: out.stderr,
      });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return Math.round(value * 10) / 10;
}

interface Case {
  label: string;
  command: string;
  args: string[];
  cwd: string;
  measureCpu: boolean;
  /** Why the output is not what the command should print, or undefined when it is. */
  wrongOutput(run: Run): string | undefined;
}

/** One warm-up run, then RUNS measured ones, each checked. */
async function measure(c: Case): Promise<{ wall_ms: number; cpu_ms?: number }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const run = await runOnce(c.command, c.args, c.cwd, c.measureCpu);
    const problem =
      run.code === 0 ? c.wrongOutput(run) : `exit ${run.code}: ${run.stderr.trim().slice(-500)}`;
    if (problem) {
      checks.expect(false, `${c.label}, run ${i}: ${problem}`);
      continue;
    }
    if (i === 0) continue; // warm-up
    walls.push(run.wallMs);
    if (run.cpuMs !== undefined) cpus.push(run.cpuMs);
  }
  const figures = { wall_ms: median(walls), ...(cpus.length ? { cpu_ms: median(cpus) } : {}) };
  console.error(`${c.label}: ${JSON.stringify(figures)} (median of ${walls.length})`);
  return figures;
}

const helpPrinted = (run: Run) =>
  run.stdout.includes('Usage: scones') && run.stdout.includes('classify')
    ? undefined
    : `no command list on stdout: ${run.stdout.slice(0, 200)}`;
const DECISIONS = ['short-range', 'long-range', 'manual-review'];
const classified = (run: Run) => {
  try {
    const outcome = JSON.parse(run.stdout.trim()) as { key?: string; decision?: string };
    return outcome.key?.endsWith('one.png') && DECISIONS.includes(outcome.decision ?? '')
      ? undefined
      : `unexpected outcome: ${run.stdout.trim()}`;
  } catch {
    return `not one JSON line on stdout: ${run.stdout.slice(0, 200)}`;
  }
};

const dir = await mkdtemp(path.join(tmpdir(), 'scones-bench-cli-'));
try {
  const image = path.join(dir, 'one.png');
  for await (const record of readCifar(undefined, { splits: ['test'] })) {
    await writeFile(image, await encodePlanesAsPng(record.pixels));
    break;
  }
  const classifyArgs = ['classify', '--stub', '--json', '--data-dir', path.join(dir, 'data'), image];
  const cases = (label: string, node: string) => ({
    help: () =>
      measure({
        label: `${label} --help`,
        command: node,
        args: [SCONES, '--help'],
        cwd: dir,
        measureCpu: true,
        wrongOutput: helpPrinted,
      }),
    classify: () =>
      measure({
        label: `${label} classify --stub`,
        command: node,
        args: [SCONES, ...classifyArgs],
        cwd: dir,
        measureCpu: true,
        wrongOutput: classified,
      }),
  });

  const pinned = cases('node', process.execPath);
  const help = await pinned.help();
  const classify = await pinned.classify();

  const system = olderNode();
  let reexec: Record<string, unknown> = { reexec_node: 'none older than 22.18 on the PATH' };
  if (system) {
    const version = (await runOnce(system, ['--version'], dir, false)).stdout.trim();
    const older = cases(`node ${version} (re-run under the pinned Node)`, system);
    const reexecHelp = await older.help();
    const reexecClassify = await older.classify();
    reexec = {
      reexec_node: version,
      reexec_help_ms: reexecHelp.wall_ms,
      reexec_help_cpu_ms: reexecHelp.cpu_ms,
      reexec_classify_stub_ms: reexecClassify.wall_ms,
      reexec_classify_stub_cpu_ms: reexecClassify.cpu_ms,
    };
  }

  // From the project folder: elsewhere npx would look for a `scones` package in the registry.
  const npxHelp = await measure({
    label: 'npx scones --help',
    command: 'npx',
    args: ['scones', '--help'],
    cwd: ROOT,
    measureCpu: false,
    wrongOutput: helpPrinted,
  });
  const npxClassify = await measure({
    label: 'npx scones classify --stub',
    command: 'npx',
    args: ['scones', ...classifyArgs],
    cwd: ROOT,
    measureCpu: false,
    wrongOutput: classified,
  });

  const figures = {
    runs: RUNS,
    help_ms: help.wall_ms,
    help_cpu_ms: help.cpu_ms,
    classify_stub_ms: classify.wall_ms,
    classify_stub_cpu_ms: classify.cpu_ms,
    ...reexec,
    npx_help_ms: npxHelp.wall_ms,
    npx_classify_stub_ms: npxClassify.wall_ms,
    targets: { help_ms: 150, classify_stub_ms: 700 },
  };
  await finishBench('cli', figures, checks);
} finally {
  await rm(dir, { recursive: true, force: true });
}
