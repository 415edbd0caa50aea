import { GetObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { normalizeImage } from '../lambdas/serialize-image-data/serialize.ts';
import { createSageMakerRuntimeClient } from '../src/aws/clients.ts';
import type { ExecutionRecord } from '../src/workflow/execution.ts';
import { stageBenchImages, startBenchTier } from './bench-images.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { cpuPerOp, cpuSnapshot } from './cpu-measure.ts';
import { embeddedEvents, runExecutions, summarizeEngineTime } from './executions.ts';
import { compareJsonataTwin, startJsonataTier, type TwinFigures } from './jsonata-twin.ts';
import { finishBench } from './results.ts';
import { perSecond, summarizeLatencies, timeConcurrent } from './stats.ts';

const args = benchArgs(['images', 'warmup', 'rounds']);
const IMAGES = countOption(args.values.images, args.quick ? 100 : 1000, 'images');
const CONCURRENCY = 16;
const WARMUP = countOption(args.values.warmup, args.quick ? 50 : 4000, 'warmup');
/**
 * The c16 run is repeated and its median round reported (with the slowest and fastest): one
 * round of 1,000 executions lasts about a second, and on a shared 2-core VM a single second
 * varies by a fifth from run to run.
 */
const ROUNDS = countOption(args.values.rounds, args.quick ? 1 : 5, 'rounds');
const checks = new BenchChecks();

/** Time by state (p50), from the histories. */
function stateP50(records: ExecutionRecord[]): Record<string, number> {
  const byState = new Map<string, number[]>();
  for (const record of records) {
    const entered = new Map<string, number>();
    for (const event of record.history) {
      const name = event.state?.name;
      if (!name) continue;
      if (event.type === 'StateEntered') entered.set(name, event.timestamp);
      if (event.type === 'StateExited') {
        const list = byState.get(name) ?? [];
        list.push(event.timestamp - (entered.get(name) ?? event.timestamp));
        byState.set(name, list);
      }
    }
  }
  return Object.fromEntries([...byState].map(([name, ms]) => [name, summarizeLatencies(ms).p50_ms]));
}

const tier = await startBenchTier('bench');
const { runtime } = tier;
try {
  const { config, s3 } = runtime;
  const { keys, pngs } = await stageBenchImages(runtime, IMAGES);
  // Each record is kept for the figures, its history without the states' data (the images' base64):
  // a thousand full histories would tax this process's GC, which the tier itself (it keeps
  // summaries only) does not pay.
  const run = async (i: number): Promise<ExecutionRecord> => {
    const record = await runtime.run({
      image_data: '',
      s3_bucket: config.bucket,
      s3_key: keys[i % keys.length] as string,
    });
    const history = record.history.map(({ type, timestamp, state }) => ({
      type,
      timestamp,
      ...(state ? { state: { name: state.name, type: state.type } } : {}),
    }));
    return { ...record, history };
  };

  const warmup = await runExecutions(WARMUP, CONCURRENCY, run);
  checks.executions('warm-up', warmup.tally, warmup.examples);
  const sequential = await runExecutions(IMAGES, 1, run);
  checks.executions('sequential', sequential.tally, sequential.examples);
  if (args.injectFailures > 0) runtime.endpoint.faults.failNext(args.injectFailures, 400);
  const cpuBefore = await cpuSnapshot(runtime.threads);
  const rounds: Awaited<ReturnType<typeof runExecutions>>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const result = await runExecutions(IMAGES, CONCURRENCY, run);
    checks.executions(`concurrency ${CONCURRENCY}, round ${round + 1}`, result.tally, result.examples);
    rounds.push(result);
  }
  const cpuC16 = cpuPerOp(cpuBefore, await cpuSnapshot(runtime.threads), IMAGES * ROUNDS);
  const byWall = [...rounds].sort((a, b) => a.wallMs - b.wallMs);
  const concurrent = byWall[Math.floor(byWall.length / 2)] as (typeof rounds)[number];
  const roundRates = rounds.map((round) => perSecond(IMAGES, round.wallMs));

  const records = (runResults: (ExecutionRecord | undefined)[]) =>
    runResults.filter((record): record is ExecutionRecord => record !== undefined);
  const engineSequential = summarizeEngineTime(
    records(sequential.results).map((r) => embeddedEvents(r.history)),
  );
  const engineC16 = summarizeEngineTime(records(concurrent.results).map((r) => embeddedEvents(r.history)));
  checks.expect(
    engineSequential.missing + engineC16.missing === 0,
    `${engineSequential.missing + engineC16.missing} execution histories lack a start or an end event`,
  );

  // The parts of one execution, measured alone (sequential, same images).
  const s3Get = await timeConcurrent(IMAGES, 1, async (i) => {
    const response = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: keys[i] as string }));
    await response.Body?.transformToByteArray();
  });
  checks.calls('S3 GET alone', s3Get, IMAGES);
  const imageCodec = await timeConcurrent(IMAGES, 1, (i) =>
    normalizeImage(pngs[i] as Buffer, keys[i] as string),
  );
  checks.calls('image check alone', imageCodec, IMAGES);
  const sagemaker = createSageMakerRuntimeClient(config, { maxAttempts: 1 });
  const endpointCall = await timeConcurrent(IMAGES, 1, (i) =>
    sagemaker.send(
      new InvokeEndpointCommand({
        EndpointName: config.endpointName,
        ContentType: 'image/png',
        Body: pngs[i] as Buffer,
      }),
    ),
  );
  checks.calls('endpoint call alone', endpointCall, IMAGES);
  sagemaker.destroy();

  const seq = summarizeLatencies(sequential.latenciesMs);
  const c16 = summarizeLatencies(concurrent.latenciesMs);
  const states = stateP50(records(sequential.results));
  const figures = {
    images: IMAGES,
    p50_ms: seq.p50_ms,
    p99_ms: seq.p99_ms,
    executions_per_s_sequential: perSecond(IMAGES, sequential.wallMs),
    p50_ms_c16: c16.p50_ms,
    p99_ms_c16: c16.p99_ms,
    // The median round; every round's rate beside it.
    executions_per_s_c16: perSecond(IMAGES, concurrent.wallMs),
    executions_per_s_c16_rounds: roundRates,
    cpu_us_per_execution_c16: { total: cpuC16.total, ...cpuC16.byThread },
    warmup_executions: WARMUP,
    executions: {
      warmup: warmup.tally,
      sequential: sequential.tally,
      c16: {
        executions: rounds.reduce((sum, round) => sum + round.tally.executions, 0),
        succeeded: rounds.reduce((sum, round) => sum + round.tally.succeeded, 0),
        failed: rounds.reduce((sum, round) => sum + round.tally.failed, 0),
        lost: rounds.reduce((sum, round) => sum + round.tally.lost, 0),
      },
    },
    engine_own_ms: {
      sequential: {
        p50: engineSequential.p50_ms,
        p99: engineSequential.p99_ms,
        mean: engineSequential.mean_ms,
      },
      c16: { p50: engineC16.p50_ms, p99: engineC16.p99_ms, mean: engineC16.mean_ms },
    },
    s3_get_p50_ms: summarizeLatencies(s3Get.latenciesMs).p50_ms,
    image_check_p50_ms: summarizeLatencies(imageCodec.latenciesMs).p50_ms,
    endpoint_call_p50_ms: summarizeLatencies(endpointCall.latenciesMs).p50_ms,
    state_p50_ms: states,
    quick: args.quick,
  };
  const tally = (t: typeof sequential.tally) =>
    `${t.succeeded} succeeded, ${t.failed} failed, ${t.lost} lost`;
  console.log(
    `embedded execution, ${IMAGES} images, stub endpoint over HTTP, after ${WARMUP} warm-up executions`,
  );
  console.log(
    `  sequential:     p50 ${seq.p50_ms} ms  p99 ${seq.p99_ms} ms  ${figures.executions_per_s_sequential} executions/s  (${tally(sequential.tally)})`,
  );
  console.log(
    `  concurrency 16: p50 ${c16.p50_ms} ms  p99 ${c16.p99_ms} ms  ${figures.executions_per_s_c16} executions/s, median of ${ROUNDS} rounds (${roundRates.join(', ')})  (${tally(concurrent.tally)})`,
  );
  console.log(
    `  CPU per execution at c16: ${cpuC16.total} µs (${Object.entries(cpuC16.byThread)
      .map(([thread, us]) => `${thread} ${us}`)
      .join(', ')}); by stage: npm run bench:profile`,
  );
  console.log(
    `  engine's own time (history: span minus Task states): sequential p50 ${engineSequential.p50_ms} ms, mean ${engineSequential.mean_ms} ms; ` +
      `c16 p50 ${engineC16.p50_ms} ms, mean ${engineC16.mean_ms} ms`,
  );
  console.log(
    `  parts alone (p50): S3 GET ${figures.s3_get_p50_ms} ms, image check ${figures.image_check_p50_ms} ms, ` +
      `endpoint call ${figures.endpoint_call_p50_ms} ms`,
  );
  console.log(
    `  by state (p50, from history): ${Object.entries(states)
      .map(([n, ms]) => `${n} ${ms} ms`)
      .join(', ')}`,
  );
  // The JSONata twin beside the JSONPath definition, interleaved (bench/jsonata-twin.ts).
  const twinTier = await startJsonataTier();
  let jsonata: TwinFigures;
  try {
    jsonata = await compareJsonataTwin(
      run,
      twinTier.runtime,
      { keys, pngs },
      {
        images: IMAGES,
        warmup: Math.ceil(WARMUP / 4),
        rounds: ROUNDS,
        concurrency: CONCURRENCY,
        checks,
      },
    );
  } finally {
    await twinTier.close();
  }
  console.log(
    `  JSONata twin (interleaved with JSONPath, c${CONCURRENCY}, median of ${ROUNDS}): ${jsonata.executions_per_s_c16.jsonata} executions/s ` +
      `against JSONPath's ${jsonata.executions_per_s_c16.jsonpath} (${jsonata.jsonata_over_jsonpath}x); p50 ${jsonata.p50_ms_c16.jsonata} ms against ${jsonata.p50_ms_c16.jsonpath} ms`,
  );
  await finishBench('embedded', { ...figures, jsonata_twin: jsonata }, checks);
} finally {
  await tier.close();
}
