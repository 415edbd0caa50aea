/**
 * Runs test cases on one engine and judges each against its expected outcome. Each case is one
 * execution named `<case>-<run id>`; a case that expects a review item also reads
 * `<review prefix><execution name>.json` back from the bucket (RecordReviewItem runs for real). A
 * case the engine cannot run at all (engine-differences.ts) is skipped with its reason.
 */
import { forEachConcurrent } from '../../training/concurrency.ts';
import { skipReason } from './engine-differences.ts';
import type { CaseEngine } from './engines.ts';
import type { ExpectedOutcome } from './expected-outcomes.ts';
import { differences, type Outcome, outcomeOf } from './outcome.ts';
import { selectCases, type TestCaseSuite } from './suite.ts';

export interface CaseResult {
  name: string;
  engine: string;
  expected: ExpectedOutcome;
  /** Undefined when the execution could not be run at all (see `differences`). */
  got: Outcome | undefined;
  /** Wall time of the execution, start to end as the caller saw it. */
  ms: number;
  /** Empty when the case gave its expected outcome (or was skipped). */
  differences: string[];
  /** Why the engine cannot run this case at all (engine-differences.ts); nothing was run. */
  skipped?: string;
}

export interface RunCasesOptions {
  /** Only these cases (default all). */
  cases?: string[];
  /** Executions in flight at once; default 1 (the figures then time one execution each). */
  concurrency?: number;
  /** Suffix of this run's execution names; default a fresh one. */
  runId: string;
}

export async function runCase(
  engine: CaseEngine,
  suite: TestCaseSuite,
  name: string,
  runId: string,
): Promise<CaseResult> {
  const expected = suite.expected.cases[name] as ExpectedOutcome;
  const skipped = skipReason(engine.name, suite, name);
  if (skipped)
    return { name, engine: engine.name, expected, got: undefined, ms: 0, differences: [], skipped };
  const input = expected.input ?? suite.expected.input;
  const executionName = expected.executionName ?? `${name}-${runId}`;
  const started = performance.now();
  try {
    const record = await engine.run(suite.expected.stateMachine, name, input, executionName);
    const ms = performance.now() - started;
    const got = outcomeOf(record, suite.expected.decisionField);
    const reviewItem =
      expected.status === 'SUCCEEDED' && expected.reviewItem
        ? await engine.readObject(`${engine.config.reviewPrefix}${executionName}.json`)
        : undefined;
    const found = differences(expected, got, reviewItem);
    if (found.length && record.cause) found.push(`cause: ${record.cause.slice(0, 300)}`);
    return { name, engine: engine.name, expected, got, ms, differences: found };
  } catch (error) {
    const ms = performance.now() - started;
    return {
      name,
      engine: engine.name,
      expected,
      got: undefined,
      ms,
      differences: [`did not run: ${(error as Error).message}`],
    };
  }
}

/** Results in case order, whatever order they finished in. */
export async function runCases(
  engine: CaseEngine,
  suite: TestCaseSuite,
  options: RunCasesOptions,
): Promise<CaseResult[]> {
  const names = selectCases(suite, options.cases);
  const results = new Map<string, CaseResult>();
  await forEachConcurrent(names, options.concurrency ?? 1, async (name) => {
    results.set(name, await runCase(engine, suite, name, options.runId));
  });
  return names.map((name) => results.get(name) as CaseResult);
}
