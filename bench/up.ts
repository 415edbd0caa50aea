/**
 * `npm run bench:up`: the `scones up` stack (stub endpoint).
 * - Latency, PUT to decision: the real `scones up --stub` process on a free port; uploads through
 *   the SDK, each timed from the PutObject call to the arrival of its decision line on the
 *   process's stdout. A paced stream (one upload every `--interval-ms`, default 20) and a burst
 *   (all at once, 16 PUTs in flight), `--count` uploads each (default 200).
 * - Memory over a long run: the stack in-process, `--memory-count` uploads (default 4,000) in
 *   batches; heap after a full GC (needs --expose-gc, which the npm script passes) and RSS after
 *   each batch, so what stays per execution is visible.
 * `--quick` runs small counts to check the benchmark works.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createStubPredictor } from '../src/embedded/sagemaker-runtime/index.ts';
import { startUpStack } from '../src/up/stack.ts';
import { readCifarRecord, rgbToPng } from '../test/lambdas/images.ts';
import { forEachConcurrent } from '../training/concurrency.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { finishBench } from './results.ts';
import { summarizeLatencies } from './stats.ts';

const args = benchArgs(['count', 'interval-ms', 'memory-count']);
const count = countOption(args.values.count, args.quick ? 20 : 200, 'count');
const intervalMs = countOption(args.values['interval-ms'], 20, 'interval-ms');
const memoryCount = countOption(args.values['memory-count'], args.quick ? 400 : 4000, 'memory-count');
const checks = new BenchChecks();
const png = await rgbToPng((await readCifarRecord(0)).rgb);
const work = await mkdtemp(path.join(tmpdir(), 'scones-bench-up-'));
const DECISION_TIMEOUT_MS = 60_000;

/** The CLI process; resolves once its exports are printed; `decided` gets every decision line's key. */
async function startUpProcess(onDecision: (key: string, at: number) => void) {
  const child = spawn(
    process.execPath,
    [
      path.resolve(import.meta.dirname, '../bin/scones.js'),
      'up',
      '--stub',
      '--port',
      '0',
      '--data-dir',
      path.join(work, 'process'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const env: Record<string, string> = {};
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`scones up exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const at = performance.now();
      const exported = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
      if (exported) {
        env[exported[1] as string] = exported[2] as string;
        if (exported[1] === 'AWS_DEFAULT_REGION') resolve();
        return;
      }
      const key = line.split('  ')[1];
      if (key) onDecision(key, at);
    });
  });
  await ready;
  return { child, env };
}

async function measureLatency() {
  const sent = new Map<string, number>();
  const latencies = { stream: [] as number[], burst: [] as number[] };
  const waiting = new Map<string, () => void>();
  const up = await startUpProcess((key, at) => {
    const started = sent.get(key);
    if (started === undefined) return;
    (key.includes('/stream/') ? latencies.stream : latencies.burst).push(at - started);
    waiting.get(key)?.();
  });
  const s3 = new S3Client({
    endpoint: up.env.AWS_ENDPOINT_URL_S3,
    region: up.env.AWS_REGION,
    credentials: {
      accessKeyId: up.env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: up.env.AWS_SECRET_ACCESS_KEY ?? '',
    },
    forcePathStyle: true,
  });
  const upload = async (key: string) => {
    const decided = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), DECISION_TIMEOUT_MS);
      waiting.set(key, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    sent.set(key, performance.now());
    await s3.send(new PutObjectCommand({ Bucket: 'scones-images', Key: key, Body: png }));
    // Wrapped: an async function returning the promise itself would wait for the decision.
    return { decided };
  };
  try {
    // Warm-up: first calls pay for module loading and connections.
    const warmups = await Promise.all(
      Array.from({ length: 10 }, (_, i) => upload(`incoming/warmup/${i}.png`)),
    );
    await Promise.all(warmups.map((warmup) => warmup.decided));
    latencies.burst.length = 0;
    const streamed: Promise<boolean>[] = [];
    for (let i = 0; i < count; i++) {
      streamed.push(upload(`incoming/stream/${i}.png`).then((sent) => sent.decided));
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    const streamOk = (await Promise.all(streamed)).filter(Boolean).length;
    const burstKeys = Array.from({ length: count }, (_, i) => `incoming/burst/${i}.png`);
    const burstDone: Promise<boolean>[] = [];
    await forEachConcurrent(burstKeys, 16, async (key) => {
      burstDone.push((await upload(key)).decided);
    });
    const burstOk = (await Promise.all(burstDone)).filter(Boolean).length;
    checks.expect(streamOk === count, `stream: ${count - streamOk} of ${count} uploads got no decision line`);
    checks.expect(burstOk === count, `burst: ${count - burstOk} of ${count} uploads got no decision line`);
  } finally {
    s3.destroy();
    up.child.kill('SIGINT');
    await new Promise((resolve) => up.child.once('exit', resolve));
  }
  return {
    stream: { ...summarizeLatencies(latencies.stream), uploads_per_s: Math.round(1000 / intervalMs) },
    burst: summarizeLatencies(latencies.burst),
  };
}

async function measureMemory() {
  const gc = (globalThis as { gc?: () => void }).gc;
  let decided = 0;
  const stack = await startUpStack({
    port: 0,
    dataDir: path.join(work, 'memory'),
    predictor: createStubPredictor({ probabilities: [0.9, 0.1] }),
    print: () => {
      decided++;
    },
    log: (line) => console.error(line),
  });
  const samples: { uploads: number; heap_mib: number; rss_mib: number }[] = [];
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const sample = (uploads: number) => {
    gc?.();
    samples.push({
      uploads,
      heap_mib: mib(process.memoryUsage().heapUsed),
      rss_mib: mib(process.memoryUsage.rss()),
    });
  };
  try {
    const batch = Math.max(1, Math.floor(memoryCount / 8));
    sample(0);
    for (let done = 0; done < memoryCount; done += batch) {
      const keys = Array.from(
        { length: Math.min(batch, memoryCount - done) },
        (_, i) => `incoming/m/${done + i}.png`,
      );
      await forEachConcurrent(keys, 16, async (key) => {
        await stack.runtime.s3.send(
          new PutObjectCommand({ Bucket: stack.runtime.config.bucket, Key: key, Body: png }),
        );
      });
      await stack.trigger.idle();
      sample(done + keys.length);
    }
  } finally {
    await stack.stop();
  }
  checks.expect(
    decided === memoryCount,
    `memory run: ${memoryCount - decided} of ${memoryCount} uploads got no decision`,
  );
  const first = samples[1] as (typeof samples)[number];
  const last = samples.at(-1) as (typeof samples)[number];
  const perExecution =
    ((last.heap_mib - first.heap_mib) * 2 ** 20) / Math.max(1, last.uploads - first.uploads);
  return {
    gc: gc !== undefined,
    samples,
    heap_bytes_per_execution_after_first_batch: Math.round(perExecution),
  };
}

try {
  const latency = await measureLatency();
  const memory = await measureMemory();
  await finishBench(
    'up',
    {
      count,
      put_to_decision_stream_p50_ms: latency.stream.p50_ms,
      put_to_decision_stream_p99_ms: latency.stream.p99_ms,
      put_to_decision_burst_p50_ms: latency.burst.p50_ms,
      put_to_decision_burst_p99_ms: latency.burst.p99_ms,
      latency,
      memory,
    },
    checks,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
