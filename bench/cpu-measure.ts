/**
 * CPU time per operation of a concurrent run, by thread, and its split by stage from V8 CPU
 * profiles. `measureCpu` runs without a profiler (the figures of record): process.cpuUsage counts
 * every thread of the process, process.threadCpuUsage the main thread, Worker.cpuUsage each server
 * thread; the rest is sharp's libvips threads, libuv's pool and V8's GC helpers. `profileCpu` runs
 * again under the sampling profiler (the main thread through the inspector, each worker through
 * Worker.startCpuProfile) and scales each stage's share of a thread's samples to that thread's
 * unprofiled CPU time, so the profiler's own overhead does not inflate the table.
 */
import type { Profiler } from 'node:inspector';
import { Session } from 'node:inspector/promises';
import type { Worker } from 'node:worker_threads';
import { breakDownProfile, type StageBreakdown } from './cpu-profile.ts';
import { perSecond, type TimedRun, timeConcurrent } from './stats.ts';

/** Sampling interval: fine enough for a ~1 ms operation, coarse enough to cost little. */
const SAMPLING_INTERVAL_US = 200;

/** A server thread of the run, by the name its rows carry. */
export type Threads = Record<string, Worker>;

export const MAIN_THREAD = 'main thread';
export const OTHER_THREADS = 'other threads (libvips, libuv pool, GC helpers)';

export interface CpuRun {
  timed: TimedRun;
  /** Every thread of the process, µs per operation. */
  cpuUsPerOp: number;
  /** By thread: the main thread, each server thread, the rest. */
  threadUsPerOp: Record<string, number>;
  perSecond: number;
}

export interface ProfiledRun {
  timed: TimedRun;
  /** µs per operation by "thread: stage", scaled to the unprofiled run's CPU of that thread. */
  stageUsPerOp: Record<string, number>;
  /** JSON.parse/stringify of the main thread, by the stage that called them. */
  jsonUsPerOp: Record<string, number>;
  topSelfUsPerOp: Record<string, number>;
  mainProfile: Profiler.Profile;
}

const total = (usage: NodeJS.CpuUsage) => usage.user + usage.system;

/** CPU used so far: the process, the main thread, each server thread (µs). */
export interface CpuSnapshot {
  process: number;
  main: number;
  threads: Record<string, number>;
}

export async function cpuSnapshot(threads: Threads = {}): Promise<CpuSnapshot> {
  const entries = await Promise.all(
    Object.entries(threads).map(async ([name, worker]) => [name, total(await worker.cpuUsage())] as const),
  );
  return {
    process: total(process.cpuUsage()),
    main: total(process.threadCpuUsage()),
    threads: Object.fromEntries(entries),
  };
}

/** CPU per operation between two snapshots, by thread; the rest of the process as OTHER_THREADS. */
export function cpuPerOp(
  before: CpuSnapshot,
  after: CpuSnapshot,
  count: number,
): { total: number; byThread: Record<string, number> } {
  const perOp = (us: number) => Math.round(us / count);
  const byThread: Record<string, number> = { [MAIN_THREAD]: perOp(after.main - before.main) };
  let rest = after.process - before.process - (after.main - before.main);
  for (const [name, used] of Object.entries(after.threads)) {
    const delta = used - (before.threads[name] ?? 0);
    byThread[name] = perOp(delta);
    rest -= delta;
  }
  byThread[OTHER_THREADS] = perOp(Math.max(0, rest));
  return { total: perOp(after.process - before.process), byThread };
}

export async function measureCpu(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
  threads: Threads = {},
): Promise<CpuRun> {
  const before = await cpuSnapshot(threads);
  const timed = await timeConcurrent(count, concurrency, task, { timeoutMs: 120_000 });
  const { total: cpuUsPerOp, byThread } = cpuPerOp(before, await cpuSnapshot(threads), count);
  return { timed, cpuUsPerOp, threadUsPerOp: byThread, perSecond: perSecond(count, timed.wallMs) };
}

function scaledTo(breakdown: StageBreakdown, usPerOp: number) {
  return (values: Record<string, number>, prefix = '') =>
    Object.fromEntries(
      Object.entries(values)
        .map(
          ([key, us]) =>
            [`${prefix}${key}`, Math.round((us / Math.max(1, breakdown.busyUs)) * usPerOp)] as const,
        )
        .filter(([, us]) => us > 0),
    );
}

export async function profileCpu(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
  unprofiled: CpuRun,
  threads: Threads = {},
): Promise<ProfiledRun> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    const handles = await Promise.all(
      Object.entries(threads).map(
        async ([name, worker]) => [name, await worker.startCpuProfile(name)] as const,
      ),
    );
    await session.post('Profiler.start');
    const timed = await timeConcurrent(count, concurrency, task, { timeoutMs: 120_000 });
    const { profile } = await session.post('Profiler.stop');
    const workerProfiles = await Promise.all(
      handles.map(
        async ([name, handle]) => [name, JSON.parse(await handle.stop()) as Profiler.Profile] as const,
      ),
    );

    const main = breakDownProfile(profile);
    const scaleMain = scaledTo(main, unprofiled.threadUsPerOp[MAIN_THREAD] ?? 0);
    const stageUsPerOp: Record<string, number> = scaleMain(main.stageUs);
    for (const [name, workerProfile] of workerProfiles) {
      const breakdown = breakDownProfile(workerProfile);
      Object.assign(
        stageUsPerOp,
        scaledTo(breakdown, unprofiled.threadUsPerOp[name] ?? 0)(breakdown.stageUs, `[${name}] `),
      );
    }
    stageUsPerOp[OTHER_THREADS] = unprofiled.threadUsPerOp[OTHER_THREADS] ?? 0;
    const sorted = (values: Record<string, number>) =>
      Object.fromEntries(Object.entries(values).sort((a, b) => b[1] - a[1]));
    return {
      timed,
      stageUsPerOp: sorted(stageUsPerOp),
      jsonUsPerOp: sorted(scaleMain(main.jsonUs)),
      topSelfUsPerOp: sorted(scaleMain(main.topSelfUs)),
      mainProfile: profile,
    };
  } finally {
    session.disconnect();
  }
}
