/** Latency statistics shared by the benchmarks, and the concurrent runner that counts every failure. */

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index] as number;
}

export interface LatencySummary {
  count: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
}

export function summarizeLatencies(latenciesMs: number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((total, x) => total + x, 0);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    count: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    mean_ms: round(sum / Math.max(1, sorted.length)),
  };
}

/** A call that threw, or gave no answer in time. */
export interface CallError {
  index: number;
  message: string;
}

export interface TimedRun<T = unknown> {
  /** Latency of each call that answered (in completion order). */
  latenciesMs: number[];
  wallMs: number;
  /** What each call returned, by index; undefined where it failed. */
  results: (T | undefined)[];
  errors: CallError[];
}

export class CallTimeoutError extends Error {
  override name = 'CallTimeoutError';
}

function withTimeout<T>(call: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) return call;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `task(i)` for i in [0, count) with `concurrency` workers. A call that throws (or, with
 * `timeoutMs`, does not answer in time) is recorded in `errors` and the run goes on, so a run
 * reports every failure instead of stopping at the first one or hiding it.
 */
export async function timeConcurrent<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<TimedRun<T>> {
  const latenciesMs: number[] = [];
  const results: (T | undefined)[] = new Array(count);
  const errors: CallError[] = [];
  let next = 0;
  const started = performance.now();
  async function worker() {
    while (next < count) {
      const index = next++;
      const t0 = performance.now();
      try {
        results[index] = await withTimeout(task(index), options.timeoutMs);
        latenciesMs.push(performance.now() - t0);
      } catch (error) {
        errors.push({ index, message: (error as Error).message ?? String(error) });
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { latenciesMs, wallMs: performance.now() - started, results, errors };
}

/** Calls per second of a run (every call, failed ones included, over its wall time). */
export function perSecond(count: number, wallMs: number): number {
  return Math.round((count / (wallMs / 1000)) * 10) / 10;
}
