/**
 * `npm run bench:profile`: where an embedded execution's CPU goes. Runs executions at
 * concurrency 16 with the stub endpoint (as `npm run bench`) and measures CPU time per execution
 * (process.cpuUsage: every thread, sharp's libvips threads and worker threads included; and the
 * main thread alone) without a profiler, then again under the V8 sampling profiler, whose samples
 * split that CPU by stage (cpu-profile.ts). The parts of an execution are measured alone the same
 * way. CPU time is the steady figure on a shared machine; wall-clock rates are printed as a
 * sanity check. Every execution must succeed, else no figure is written (exit 1).
 * Options: `--quick`, `--executions N` (default 2000), `--images N` (distinct images, default 200),
 * `--inject-failures N`. Figures go to .scones/bench/profile.json, the profile of the concurrent
 * run to .scones/bench/embedded-c16.cpuprofile (open it in Chrome DevTools).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ENDPOINT_CLIENT_OPTIONS } from '../lambdas/classify-image/handler.ts';
import { normalizeImage } from '../lambdas/serialize-image-data/serialize.ts';
import { createSageMakerRuntimeClient } from '../src/aws/clients.ts';
import { stageBenchImages, startBenchTier } from './bench-images.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import {
  type CpuRun,
  MAIN_THREAD,
  measureCpu,
  type ProfiledRun,
  profileCpu,
  type Threads,
} from './cpu-measure.ts';
import { BENCH_RESULTS_DIR, finishBench } from './results.ts';
import { timeConcurrent } from './stats.ts';

const args = benchArgs(['executions', 'images', 'warmup']);
const EXECUTIONS = countOption(args.values.executions, args.quick ? 300 : 2000, 'executions');
/** Executions before measuring: V8 is still optimizing the SDK's code after the first thousand. */
const WARMUP = countOption(args.values.warmup, args.quick ? 100 : 4000, 'warmup');
const IMAGES = countOption(args.values.images, args.quick ? 50 : 200, 'images');
const CONCURRENCY = 16;
const checks = new BenchChecks();

function printTable(title: string, run: CpuRun, profiled: ProfiledRun): void {
  console.log(`\n${title}`);
  const threads = Object.entries(run.threadUsPerOp)
    .map(([name, us]) => `${name} ${us}`)
    .join(', ');
  console.log(
    `  CPU per op ${run.cpuUsPerOp} µs (${threads}); ${run.perSecond}/s wall (a sanity check only on a shared machine)`,
  );
  const rows = Object.entries(profiled.stageUsPerOp).sort((a, b) => b[1] - a[1]);
  for (const [stage, us] of rows) {
    const json = profiled.jsonUsPerOp[stage];
    console.log(
      `  ${stage.padEnd(56)} ${String(us).padStart(6)} µs  ${String(Math.round((us / run.cpuUsPerOp) * 100)).padStart(3)} %${json ? `  (JSON ${json} µs)` : ''}`,
    );
  }
}

const tier = await startBenchTier('profile');
const { runtime } = tier;
try {
  const { config, s3 } = runtime;
  const threads: Threads = runtime.threads;
  const { keys, pngs } = await stageBenchImages(runtime, IMAGES);
  const key = (i: number) => keys[i % keys.length] as string;
  const png = (i: number) => pngs[i % pngs.length] as Buffer;
  // Records are checked and dropped: holding thousands of histories would tax the GC, which a
  // long-running tier (it keeps summaries only) does not pay.
  const execute = async (i: number) => {
    const record = await runtime.run({ image_data: '', s3_bucket: config.bucket, s3_key: key(i) });
    if (record.status !== 'SUCCEEDED') throw new Error(`${record.error}: ${record.cause}`);
  };

  checks.calls('warm-up executions', await timeConcurrent(WARMUP, CONCURRENCY, execute), WARMUP);
  if (args.injectFailures > 0) runtime.endpoint.faults.failNext(args.injectFailures, 400);
  const executions = await measureCpu(EXECUTIONS, CONCURRENCY, execute, threads);
  checks.calls(`executions at c${CONCURRENCY}`, executions.timed, EXECUTIONS);
  const executionsProfiled = await profileCpu(EXECUTIONS, CONCURRENCY, execute, executions, threads);
  checks.calls(`profiled executions at c${CONCURRENCY}`, executionsProfiled.timed, EXECUTIONS);

  // The parts alone, as an execution runs them (same clients, same images, same concurrency).
  const sagemaker = createSageMakerRuntimeClient(config, ENDPOINT_CLIENT_OPTIONS);
  const parts: Record<string, (i: number) => Promise<unknown>> = {
    s3_get: async (i) => {
      const response = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: key(i) }));
      await response.Body?.transformToByteArray();
    },
    image_normalize: (i) => normalizeImage(png(i), key(i)),
    endpoint_call: (i) =>
      sagemaker.send(
        new InvokeEndpointCommand({
          EndpointName: config.endpointName,
          ContentType: 'image/png',
          Accept: 'application/json',
          Body: png(i),
        }),
      ),
  };
  const partFigures: Record<
    string,
    { cpu_us: number; threads_us: Record<string, number>; stages_us: Record<string, number> }
  > = {};
  for (const [name, part] of Object.entries(parts)) {
    const count = Math.min(EXECUTIONS, 1000);
    // A part may run cold here (the serialize function's S3 client runs in the S3 thread, not this one).
    const warm = Math.min(WARMUP, 1000);
    checks.calls(`${name} warm-up`, await timeConcurrent(warm, CONCURRENCY, part), warm);
    const run = await measureCpu(count, CONCURRENCY, part, threads);
    checks.calls(name, run.timed, count);
    const profiled = await profileCpu(count, CONCURRENCY, part, run, threads);
    checks.calls(`${name} profiled`, profiled.timed, count);
    printTable(`${name} alone (c${CONCURRENCY})`, run, profiled);
    partFigures[name] = {
      cpu_us: run.cpuUsPerOp,
      threads_us: run.threadUsPerOp,
      stages_us: profiled.stageUsPerOp,
    };
  }
  sagemaker.destroy();

  printTable(`one execution at c${CONCURRENCY} (${EXECUTIONS} executions)`, executions, executionsProfiled);
  console.log('\n  busiest functions (self time, µs per execution):');
  for (const [name, us] of Object.entries(executionsProfiled.topSelfUsPerOp).slice(0, 15))
    console.log(`    ${String(us).padStart(6)}  ${name}`);
  const profilePath = path.join(BENCH_RESULTS_DIR, 'embedded-c16.cpuprofile');
  await mkdir(BENCH_RESULTS_DIR, { recursive: true });
  await writeFile(profilePath, JSON.stringify(executionsProfiled.mainProfile));
  console.log(`\nprofile of the main thread: ${profilePath}`);

  await finishBench(
    'profile',
    {
      executions: EXECUTIONS,
      concurrency: CONCURRENCY,
      cpu_us_per_execution: executions.cpuUsPerOp,
      main_thread_us_per_execution: executions.threadUsPerOp[MAIN_THREAD],
      threads_us_per_execution: executions.threadUsPerOp,
      executions_per_s_c16_wall: executions.perSecond,
      stages_us_per_execution: executionsProfiled.stageUsPerOp,
      json_us_per_execution: executionsProfiled.jsonUsPerOp,
      parts: partFigures,
      quick: args.quick,
    },
    checks,
  );
} finally {
  await tier.close();
}
