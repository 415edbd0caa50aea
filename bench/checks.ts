/**
 * What makes a benchmark's figures trustworthy: every call answered as it should, every execution
 * succeeded that should have. A benchmark records each run here; `finishBench` (results.ts) then
 * refuses to write figures and exits non-zero if anything went wrong.
 */
import { parseArgs } from 'node:util';
import type { TimedRun } from './stats.ts';

/** Outcome counts of a set of executions. */
export interface ExecutionTally {
  executions: number;
  succeeded: number;
  /** Ended in a failure state (FAILED, TIMED_OUT, ABORTED). */
  failed: number;
  /** Started but never reported back: the runner threw or gave no answer in time. */
  lost: number;
}

const EXAMPLES = 3;

export class BenchChecks {
  readonly problems: string[] = [];

  /** Every call of `run` must have answered (HTTP status as expected, no exception, in time). */
  calls(label: string, run: Pick<TimedRun, 'errors'>, total: number): number {
    const { errors } = run;
    if (errors.length > 0) {
      const examples = errors.slice(0, EXAMPLES).map((error) => `#${error.index}: ${error.message}`);
      this.problems.push(`${label}: ${errors.length} of ${total} calls failed (${examples.join('; ')})`);
    }
    return errors.length;
  }

  /** Executions that failed or were lost beyond `allowedFailures` (0: every one should succeed). */
  executions(label: string, tally: ExecutionTally, examples: string[], allowedFailures = 0): void {
    const bad = tally.failed + tally.lost;
    if (bad > allowedFailures) {
      this.problems.push(
        `${label}: ${tally.failed} failed and ${tally.lost} lost of ${tally.executions} executions` +
          (examples.length > 0 ? ` (${examples.slice(0, EXAMPLES).join('; ')})` : ''),
      );
    }
  }

  expect(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }
}

export interface BenchArgs {
  /** Small counts: proves the benchmark runs, its figures mean little. */
  quick: boolean;
  /** Fault injection: this many calls or executions are made to fail (checks the checks). */
  injectFailures: number;
  values: Record<string, string | boolean | undefined>;
}

/**
 * The options every benchmark takes, `--quick` and `--inject-failures <n>`, plus its own
 * string options (`extra`). Environment: SCONES_BENCH_QUICK=1 is the same as `--quick`.
 */
export function benchArgs(extra: string[] = []): BenchArgs {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      'inject-failures': { type: 'string' },
      ...Object.fromEntries(extra.map((name) => [name, { type: 'string' as const }])),
    },
  });
  const inject = Number(values['inject-failures'] ?? 0);
  if (!Number.isInteger(inject) || inject < 0)
    throw new Error(`--inject-failures takes a whole number; got ${values['inject-failures']}`);
  return {
    quick: values.quick === true || process.env.SCONES_BENCH_QUICK === '1',
    injectFailures: inject,
    values,
  };
}

/** A positive whole number option, else `fallback`. */
export function countOption(value: string | boolean | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a positive whole number; got ${value}`);
  return n;
}
