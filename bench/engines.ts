/**
 * `npm run bench:engines`: the state machine's test cases (statemachine/test-cases, one
 * mock-config file) on the three engines in one run: embedded (in-process), MiniStack and
 * LocalStack (host processes reading SFN_MOCK_CONFIG, deployed through the deploy module).
 * Per execution, one at a time, engine after engine: p50 and p99 of the wall time a client sees
 * (StartExecution to the end, polled every 10 ms on the emulators), and the ratios. Retry waits
 * are shortened on all three, as in the tests (embedded 10 ms per retry, emulators x0.05 of the
 * ASL's intervals), so the retry cases weigh on the p99 by their extra invocations, not by sleeps.
 * `agree` is true when every case gave its expected outcome on every engine and the three outcomes
 * were identical; anything else fails the bench (exit 1, no figures written).
 * Options: `--quick` (one measured round), `--rounds N` (default 5; a first round warms up).
 * The last line is one JSON object, also written to .scones/bench/engines.json.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  type CaseEngine,
  ENGINES,
  type EngineName,
  runId,
  startCaseEngine,
} from '../src/test-cases/engines.ts';
import { type CaseResult, runCases } from '../src/test-cases/run-cases.ts';
import { loadSuites } from '../src/test-cases/suite.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { finishBench } from './results.ts';
import { type LatencySummary, summarizeLatencies } from './stats.ts';

const args = benchArgs(['rounds']);
const ROUNDS = args.quick ? 1 : countOption(args.values.rounds, 5, 'rounds');
const checks = new BenchChecks();
const suites = await loadSuites();
const cases = suites.flatMap((suite) => Object.keys(suite.expected.cases));
// A case with a fixed execution name runs once per engine (round 0): a second execution of that
// name is refused by the emulators (ExecutionAlreadyExists), so it is not in the timed rounds.
const repeatable = (suite: (typeof suites)[number]) =>
  Object.entries(suite.expected.cases)
    .filter(([, outcome]) => outcome.executionName === undefined)
    .map(([name]) => name);
const onceOnly = suites.flatMap((suite) =>
  Object.entries(suite.expected.cases).flatMap(([name, outcome]) => (outcome.executionName ? [name] : [])),
);
if (onceOnly.length)
  console.log(`run once (warm-up round only; fixed execution names): ${onceOnly.join(', ')}`);

console.log(`starting ${ENGINES.join(', ')} ...`);
const engines: CaseEngine[] = [];
try {
  // Polled every 10 ms: the figure is the execution's, not the poll interval's.
  for (const name of ENGINES)
    engines.push(await startCaseEngine(name, suites, { poll: { pollMs: 10, maxPollMs: 10 } }));
  const latencies = new Map<string, number[]>(ENGINES.map((name) => [name, []]));
  const lastRound = new Map<string, CaseResult[]>();
  // Round 0 warms up (LocalStack loads its Step Functions service on the first execution).
  for (let round = 0; round <= ROUNDS; round++) {
    for (const engine of engines) {
      const run = runId();
      const results: CaseResult[] = [];
      for (const suite of suites)
        results.push(
          ...(await runCases(engine, suite, {
            concurrency: 1,
            runId: run,
            ...(round > 0 ? { cases: repeatable(suite) } : {}),
          })),
        );
      for (const result of results) {
        if (result.differences.length)
          checks.expect(false, `${engine.name} ${result.name}: ${result.differences.join('; ')}`);
        if (round > 0 && !result.skipped) latencies.get(engine.name)?.push(result.ms);
        if (round === 0 && result.skipped)
          console.log(`${engine.name} skips ${result.name}: ${result.skipped}`);
      }
      lastRound.set(engine.name, results);
    }
  }

  const timed = cases.filter((name) => !onceOnly.includes(name));
  const agreeing = timed.filter((name) => {
    const outcomes = ENGINES.map((engine) =>
      lastRound.get(engine)?.find((result) => result.name === name),
    ).filter((result) => !result?.skipped);
    return outcomes.every(
      (result) => result?.differences.length === 0 && isDeepStrictEqual(result.got, outcomes[0]?.got),
    );
  });
  const agree = agreeing.length === timed.length;
  checks.expect(agree, `engines disagree on ${timed.filter((name) => !agreeing.includes(name)).join(', ')}`);

  const summary = Object.fromEntries(
    ENGINES.map((name) => [name, summarizeLatencies(latencies.get(name) ?? [])]),
  ) as Record<EngineName, LatencySummary>;
  const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
  for (const engine of engines) {
    const s = summary[engine.name as EngineName];
    console.log(
      `${engine.name.padEnd(10)} ${String(s.count).padStart(4)} executions  p50 ${s.p50_ms.toFixed(1)} ms  p99 ${s.p99_ms.toFixed(1)} ms  start ${engine.startupMs} ms`,
    );
  }
  const { embedded, ministack, localstack } = summary;
  await finishBench(
    'engines',
    {
      cases: cases.length,
      rounds: ROUNDS,
      agree,
      executions_per_engine: embedded.count,
      embedded_p50_ms: embedded.p50_ms,
      embedded_p99_ms: embedded.p99_ms,
      ministack_p50_ms: ministack.p50_ms,
      ministack_p99_ms: ministack.p99_ms,
      localstack_p50_ms: localstack.p50_ms,
      localstack_p99_ms: localstack.p99_ms,
      ministack_vs_embedded_p50: ratio(ministack.p50_ms, embedded.p50_ms),
      localstack_vs_embedded_p50: ratio(localstack.p50_ms, embedded.p50_ms),
      localstack_vs_ministack_p50: ratio(localstack.p50_ms, ministack.p50_ms),
      ministack_vs_embedded_p99: ratio(ministack.p99_ms, embedded.p99_ms),
      localstack_vs_embedded_p99: ratio(localstack.p99_ms, embedded.p99_ms),
      ministack_startup_ms: engines.find((engine) => engine.name === 'ministack')?.startupMs,
      localstack_startup_ms: engines.find((engine) => engine.name === 'localstack')?.startupMs,
      retry_waits: 'shortened: embedded 10 ms per retry, emulators x0.05',
    },
    checks,
  );
} finally {
  await Promise.all(engines.map((engine) => engine.stop()));
}
