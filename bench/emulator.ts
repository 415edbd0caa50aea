/**
 * `npm run bench:emulator`: per-execution latency of the same ASL and the same Lambda code on
 * MiniStack (bundled, deployed through the deploy module) against the embedded tier, in one run,
 * over the 200 shipped test images, with one stub endpoint server behind both. Executions run one
 * at a time (latency), then four at a time (throughput). Every execution is counted on both tiers,
 * and on MiniStack also against what its own ListExecutions says (none RUNNING, as many SUCCEEDED
 * as the client saw): a failed, lost or differing execution fails the bench (exit 1, no figures
 * written). The engine's own time comes from each execution's history (executions.ts).
 * Prints figures; the last line is one JSON object, written to .scones/bench/emulator.json.
 * Options: `--quick` (20 images), `--inject-failures N` (the stub endpoint answers 400 to N
 * invocations of MiniStack's concurrent run: the bench must then fail).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { paginateListExecutions } from '@aws-sdk/client-sfn';
import { startEmbeddedRuntime } from '../src/embedded/runtime.ts';
import type { ExecutionRecord } from '../src/workflow/execution.ts';
import type { ImageEvent, WorkflowResult } from '../src/workflow/types.ts';
import { startEmulatorStack } from '../test/support/emulator-stack.ts';
import { shippedTestImages, uploadAll } from '../test/support/test-images.ts';
import { BenchChecks, benchArgs } from './checks.ts';
import {
  type ExecutionRun,
  embeddedEvents,
  runExecutions,
  sfnEvents,
  sfnHistory,
  summarizeEngineTime,
} from './executions.ts';
import { finishBench } from './results.ts';
import { perSecond, summarizeLatencies } from './stats.ts';

const args = benchArgs();
/**
 * Executions before the timed ones, per tier, so each is measured in its steady state. The
 * embedded tier runs in this process, where V8 keeps optimizing the SDK's and the engine's code
 * for thousands of executions: after 12 warm-ups an execution cost ~20 % more CPU than after
 * 1,000, and the engine's thread still ~15 % more after 1,000 than after 3,000; 4,000 as
 * `npm run bench` (10-40 s here). MiniStack's first 50 one-at-a-time executions after 12
 * warm-ups took 40 % longer than the next 250; after 60 they no longer stand out.
 */
const WARMUP = args.quick ? { embedded: 50, emulator: 4 } : { embedded: 4000, emulator: 60 };
const CONCURRENCY = 4;
const checks = new BenchChecks();

const decisionOf = (record: ExecutionRecord | undefined) =>
  record?.status === 'SUCCEEDED'
    ? `${(record.output as WorkflowResult).decision}:${(record.output as WorkflowResult).confidence}`
    : `error:${record?.error ?? 'lost'}`;

const dataDir = await mkdtemp(path.join(tmpdir(), 'scones-bench-emulator-'));
const embedded = await startEmbeddedRuntime({ dataDir });
const started = performance.now();
// Polled every 10 ms: the figure is the execution's, not the poll interval's.
const emulator = await startEmulatorStack({
  endpointUrl: embedded.endpoint.url,
  runner: { pollMs: 10, maxPollMs: 10 },
  log: (line) => console.log(`  ${line}`),
});
const setupMs = performance.now() - started;
try {
  const images = (await shippedTestImages('bench/')).slice(0, args.quick ? 20 : undefined);
  const objects = images.map((image) => ({ key: image.key, body: image.png }));
  await uploadAll(embedded.s3, embedded.config.bucket, objects);
  await uploadAll(emulator.s3, emulator.config.bucket, objects);
  const event = (i: number): ImageEvent => ({
    s3_bucket: embedded.config.bucket,
    s3_key: (images[i % images.length] as { key: string }).key,
  });

  const tiers = {
    embedded: (i: number) => embedded.run(event(i)),
    emulator: (i: number) => emulator.runner.run(event(i)),
  };
  const results: Record<
    string,
    { sequential: ExecutionRun; concurrent: ExecutionRun; warmup: ExecutionRun }
  > = {};
  for (const [tier, run] of Object.entries(tiers)) {
    const warmup = await runExecutions(WARMUP[tier as keyof typeof WARMUP], CONCURRENCY, run);
    const sequential = await runExecutions(images.length, 1, run);
    if (tier === 'emulator' && args.injectFailures > 0)
      embedded.endpoint.faults.failNext(args.injectFailures, 400);
    const concurrent = await runExecutions(images.length, CONCURRENCY, run);
    for (const [phase, outcome] of Object.entries({ warmup, sequential, concurrent }))
      checks.executions(`${tier} ${phase}`, outcome.tally, outcome.examples);
    results[tier] = { warmup, sequential, concurrent };
  }
  const embeddedRun = results.embedded as (typeof results)[string];
  const emulatorRun = results.emulator as (typeof results)[string];

  // What MiniStack itself holds: every execution the client started has ended, as the client saw it.
  const listed = { RUNNING: 0, SUCCEEDED: 0, other: 0 };
  for await (const page of paginateListExecutions(
    { client: emulator.sfn, pageSize: 1000 },
    { stateMachineArn: emulator.runner.stateMachineArn },
  )) {
    for (const execution of page.executions ?? []) {
      const status = execution.status ?? 'other';
      if (status === 'RUNNING' || status === 'SUCCEEDED') listed[status]++;
      else listed.other++;
    }
  }
  const clientSucceeded = Object.values(emulatorRun).reduce(
    (sum, outcome) => sum + outcome.tally.succeeded,
    0,
  );
  checks.expect(listed.RUNNING === 0, `MiniStack still lists ${listed.RUNNING} executions RUNNING`);
  checks.expect(
    listed.SUCCEEDED === clientSucceeded,
    `MiniStack lists ${listed.SUCCEEDED} SUCCEEDED executions; the client saw ${clientSucceeded}`,
  );

  // Engine time from the histories, fetched after the timed runs so they do not slow them.
  const returned = (run: ExecutionRun) =>
    run.results.filter((record): record is ExecutionRecord => record !== undefined);
  const embeddedEngine = summarizeEngineTime(
    returned(embeddedRun.sequential).map((r) => embeddedEvents(r.history)),
  );
  const emulatorHistories = [];
  for (const record of returned(emulatorRun.sequential))
    emulatorHistories.push(sfnEvents(await sfnHistory(emulator.sfn, record.executionArn)));
  const emulatorEngine = summarizeEngineTime(emulatorHistories);
  checks.expect(
    embeddedEngine.missing + emulatorEngine.missing === 0,
    `${embeddedEngine.missing + emulatorEngine.missing} histories lack a start or an end event`,
  );

  const embeddedStats = summarizeLatencies(embeddedRun.sequential.latenciesMs);
  const emulatorStats = summarizeLatencies(emulatorRun.sequential.latenciesMs);
  // Step Functions' own start/stop times: the execution without the API round trips and polling.
  const emulatorServer = summarizeLatencies(
    returned(emulatorRun.sequential).map((r) => r.stopDate.getTime() - r.startDate.getTime()),
  );
  const mismatches = images.filter(
    (_, i) => decisionOf(embeddedRun.sequential.results[i]) !== decisionOf(emulatorRun.sequential.results[i]),
  ).length;
  checks.expect(mismatches === 0, `${mismatches} decisions differ between the tiers`);
  const throughput = (run: ExecutionRun) => perSecond(images.length, run.wallMs);

  console.log(`images: ${images.length} (shipped CIFAR-100 test split), stub endpoint behind both tiers`);
  console.log(`MiniStack start + bundle build + deploy: ${Math.round(setupMs)} ms`);
  console.log(`warm-up executions: embedded ${WARMUP.embedded}, MiniStack ${WARMUP.emulator}`);
  console.log(`embedded  p50 ${embeddedStats.p50_ms} ms  p99 ${embeddedStats.p99_ms} ms  (one at a time)`);
  console.log(
    `emulator  p50 ${emulatorStats.p50_ms} ms  p99 ${emulatorStats.p99_ms} ms  (one at a time, client-observed)`,
  );
  console.log(`emulator  p50 ${emulatorServer.p50_ms} ms by Step Functions start/stop dates`);
  console.log(
    `engine's own time (history: span minus Task states): embedded p50 ${embeddedEngine.p50_ms} ms (mean ${embeddedEngine.mean_ms}), ` +
      `MiniStack p50 ${emulatorEngine.p50_ms} ms (mean ${emulatorEngine.mean_ms})`,
  );
  console.log(
    `throughput at concurrency ${CONCURRENCY}: embedded ${throughput(embeddedRun.concurrent)}/s, emulator ${throughput(emulatorRun.concurrent)}/s`,
  );
  console.log(`decisions differing between tiers: ${mismatches}`);
  const ratio = Math.round((emulatorStats.p50_ms / embeddedStats.p50_ms) * 10) / 10;
  console.log(`MiniStack / embedded p50 latency ratio: ${ratio}x`);
  await finishBench(
    'emulator',
    {
      images: images.length,
      embedded_p50_ms: embeddedStats.p50_ms,
      embedded_p99_ms: embeddedStats.p99_ms,
      emulator_p50_ms: emulatorStats.p50_ms,
      emulator_p99_ms: emulatorStats.p99_ms,
      emulator_server_p50_ms: emulatorServer.p50_ms,
      engine_own_ms: {
        embedded: { p50: embeddedEngine.p50_ms, p99: embeddedEngine.p99_ms, mean: embeddedEngine.mean_ms },
        emulator: { p50: emulatorEngine.p50_ms, p99: emulatorEngine.p99_ms, mean: emulatorEngine.mean_ms },
      },
      ratio,
      embedded_throughput_per_s: throughput(embeddedRun.concurrent),
      emulator_throughput_per_s: throughput(emulatorRun.concurrent),
      concurrency: CONCURRENCY,
      executions: Object.fromEntries(
        Object.entries(results).map(([tier, runs]) => [
          tier,
          Object.fromEntries(Object.entries(runs).map(([phase, run]) => [phase, run.tally])),
        ]),
      ),
      ministack_listed: listed,
      emulator_setup_ms: Math.round(setupMs),
      warmup_executions: WARMUP,
      decision_mismatches: mismatches,
      quick: args.quick,
    },
    checks,
  );
} finally {
  await emulator.stop();
  await embedded.stop();
  await rm(dataDir, { recursive: true, force: true });
}
