/**
 * `npm run bench:emulator`: per-execution latency of the same ASL and the same Lambda code on
 * MiniStack (bundled, deployed through the deploy module) against the embedded tier, in one run,
 * over the 200 shipped test images, with one stub endpoint server behind both. Executions run one
 * at a time (latency), then four at a time (throughput). Prints figures; the last line is one JSON
 * object.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecutionRecord } from '../src/embedded/engine.ts';
import { startEmbeddedRuntime } from '../src/embedded/runtime.ts';
import type { ImageEvent, WorkflowResult } from '../src/workflow/types.ts';
import { startEmulatorStack } from '../test/support/emulator-stack.ts';
import { shippedTestImages, uploadAll } from '../test/support/test-images.ts';
import { summarizeLatencies, timeConcurrent } from './stats.ts';

const WARMUP = 12;
const CONCURRENCY = 4;

const decisionOf = (record: ExecutionRecord) =>
  record.status === 'SUCCEEDED'
    ? `${(record.output as WorkflowResult).decision}:${(record.output as WorkflowResult).confidence}`
    : `error:${record.error}`;

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
  const images = await shippedTestImages('bench/');
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
  const results: Record<string, { sequential: number[]; wallMs: number; records: ExecutionRecord[] }> = {};
  for (const [tier, run] of Object.entries(tiers)) {
    await timeConcurrent(WARMUP, CONCURRENCY, run); // warm Lambda workers, JIT, connections
    const records: ExecutionRecord[] = new Array(images.length);
    const sequential = await timeConcurrent(images.length, 1, async (i) => {
      records[i] = await run(i);
    });
    const concurrent = await timeConcurrent(images.length, CONCURRENCY, run);
    results[tier] = { sequential: sequential.latenciesMs, wallMs: concurrent.wallMs, records };
  }

  const embeddedStats = summarizeLatencies(results.embedded?.sequential ?? []);
  const emulatorStats = summarizeLatencies(results.emulator?.sequential ?? []);
  // Step Functions' own start/stop times: the execution without the API round trips and polling.
  const emulatorServer = summarizeLatencies(
    (results.emulator?.records ?? []).map((r) => r.stopDate.getTime() - r.startDate.getTime()),
  );
  const mismatches = images.filter(
    (_, i) =>
      decisionOf(results.embedded?.records[i] as ExecutionRecord) !==
      decisionOf(results.emulator?.records[i] as ExecutionRecord),
  ).length;
  const throughput = (tier: string) =>
    Math.round((images.length / ((results[tier]?.wallMs ?? 1) / 1000)) * 10) / 10;

  console.log(`images: ${images.length} (shipped CIFAR-100 test split), stub endpoint behind both tiers`);
  console.log(`MiniStack start + bundle build + deploy: ${Math.round(setupMs)} ms`);
  console.log(`embedded  p50 ${embeddedStats.p50_ms} ms  p99 ${embeddedStats.p99_ms} ms  (one at a time)`);
  console.log(
    `emulator  p50 ${emulatorStats.p50_ms} ms  p99 ${emulatorStats.p99_ms} ms  (one at a time, client-observed)`,
  );
  console.log(`emulator  p50 ${emulatorServer.p50_ms} ms by Step Functions start/stop dates`);
  console.log(
    `throughput at concurrency ${CONCURRENCY}: embedded ${throughput('embedded')}/s, emulator ${throughput('emulator')}/s`,
  );
  console.log(`decisions differing between tiers: ${mismatches}`);
  const ratio = Math.round((emulatorStats.p50_ms / embeddedStats.p50_ms) * 10) / 10;
  console.log(`MiniStack / embedded p50 latency ratio: ${ratio}x`);
  console.log(
    JSON.stringify({
      images: images.length,
      embedded_p50_ms: embeddedStats.p50_ms,
      embedded_p99_ms: embeddedStats.p99_ms,
      emulator_p50_ms: emulatorStats.p50_ms,
      emulator_p99_ms: emulatorStats.p99_ms,
      emulator_server_p50_ms: emulatorServer.p50_ms,
      ratio,
      embedded_throughput_per_s: throughput('embedded'),
      emulator_throughput_per_s: throughput('emulator'),
      concurrency: CONCURRENCY,
      emulator_setup_ms: Math.round(setupMs),
      decision_mismatches: mismatches,
    }),
  );
} finally {
  await emulator.stop();
  await embedded.stop();
  await rm(dataDir, { recursive: true, force: true });
}
