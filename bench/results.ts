/**
 * Where every benchmark's figures go: `.scones/bench/<name>.json`, with the machine, the date and
 * the load it ran under, so `npm run bench:report` can build the README's figures table from these
 * files alone (no figure is typed by hand).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchChecks } from './checks.ts';

export const BENCH_RESULTS_DIR = resolve(import.meta.dirname, '..', '.scones', 'bench');

export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  memory_gib: number;
  node: string;
  platform: string;
  /** 1-minute load average when the benchmark started and when it ended. */
  load_start: number;
  load_end: number;
}

export interface BenchResults {
  name: string;
  /** ISO-8601 time the benchmark finished. */
  date: string;
  machine: MachineInfo;
  figures: Record<string, unknown>;
}

const loadAtStart = loadavg()[0] ?? 0;

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpu_model: cores[0]?.model.trim() ?? 'unknown',
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load_start: Math.round(loadAtStart * 100) / 100,
    load_end: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Writes the figures of benchmark `name` and returns the path written. */
export async function writeBenchResults(name: string, figures: Record<string, unknown>): Promise<string> {
  await mkdir(BENCH_RESULTS_DIR, { recursive: true });
  const path = join(BENCH_RESULTS_DIR, `${name}.json`);
  const results: BenchResults = { name, date: new Date().toISOString(), machine: machineInfo(), figures };
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}

/** The figures last written for `name`, if any (e.g. to keep other labels of the same benchmark). */
export async function readBenchResults(name: string): Promise<BenchResults | undefined> {
  try {
    return JSON.parse(await readFile(join(BENCH_RESULTS_DIR, `${name}.json`), 'utf8')) as BenchResults;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The end of every benchmark: with no problem, the figures are written (writeBenchResults) and
 * printed as the last line, one JSON object. With problems (failed calls, failed or lost
 * executions), nothing is written, so no untrustworthy figure reaches the README; the problems go
 * to stderr, the last line is the JSON of `ok: false` with them, and the exit code is 1.
 */
export async function finishBench(
  name: string,
  figures: Record<string, unknown>,
  checks: BenchChecks,
): Promise<void> {
  if (checks.problems.length > 0) {
    for (const problem of checks.problems) console.error(`bench ${name}: ${problem}`);
    console.error(`bench ${name}: figures not written (.scones/bench/${name}.json is unchanged)`);
    console.log(JSON.stringify({ ok: false, problems: checks.problems, ...figures }));
    process.exitCode = 1;
    return;
  }
  const path = await writeBenchResults(name, figures);
  console.log(`figures written to ${path}`);
  console.log(JSON.stringify(figures));
}
