/**
 * `npm run bench`: one embedded execution (S3 read -> serialize -> stub endpoint over HTTP ->
 * filter -> decision) for 1000 images, sequential and at concurrency 16, with the time split by
 * stage. Prints figures; the last line is one JSON object.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { normalizeImage } from '../lambdas/serialize-image-data/serialize.ts';
import { createSageMakerRuntimeClient } from '../src/aws/clients.ts';
import type { ExecutionRecord } from '../src/embedded/engine.ts';
import { createStubPredictor } from '../src/embedded/predictors.ts';
import { startEmbeddedRuntime } from '../src/embedded/runtime.ts';
import { readCifar } from '../training/cifar.ts';
import { encodePlanesAsPng } from '../training/png.ts';
import { summarizeLatencies, timeConcurrent } from './stats.ts';

const IMAGES = 1000;
const CONCURRENCY = 16;
const WARMUP = 50;

const dataDir = await mkdtemp(path.join(tmpdir(), 'scones-bench-'));
// Confident answers: every execution takes the routing path (S3 read, serialize, endpoint, filter, decision).
const runtime = await startEmbeddedRuntime({
  dataDir,
  predictor: createStubPredictor({ probabilities: [0.95, 0.05] }),
});
try {
  const { config, s3 } = runtime;
  const keys: string[] = [];
  const pngs: Buffer[] = [];
  for await (const record of readCifar(undefined, { splits: ['train'] })) {
    const png = await encodePlanesAsPng(record.pixels);
    const key = `bench/${record.className}/${record.sourceIndex}.png`;
    await s3.send(
      new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: png, ContentType: 'image/png' }),
    );
    keys.push(key);
    pngs.push(png);
    if (keys.length === IMAGES) break;
  }
  const run = (i: number) =>
    runtime.run({ image_data: '', s3_bucket: config.bucket, s3_key: keys[i % keys.length] as string });

  const warmup = await timeConcurrent(WARMUP, 4, run);
  void warmup;

  const records: ExecutionRecord[] = [];
  const sequential = await timeConcurrent(IMAGES, 1, async (i) => records.push(await run(i)));
  const concurrent = await timeConcurrent(IMAGES, CONCURRENCY, run);
  const failed = records.filter((r) => r.status !== 'SUCCEEDED');
  if (failed.length > 0)
    throw new Error(`${failed.length} executions failed, e.g. ${failed[0]?.error}: ${failed[0]?.cause}`);

  // Time by state, from the execution history of the sequential runs.
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
  const stateP50 = Object.fromEntries(
    [...byState].map(([name, ms]) => [name, summarizeLatencies(ms).p50_ms]),
  );

  // The parts of one execution, measured alone (sequential, same images).
  const s3Get = await timeConcurrent(IMAGES, 1, async (i) => {
    const response = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: keys[i] as string }));
    await response.Body?.transformToByteArray();
  });
  const imageCodec = await timeConcurrent(IMAGES, 1, (i) =>
    normalizeImage(pngs[i] as Buffer, keys[i] as string),
  );
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
  const seq = summarizeLatencies(sequential.latenciesMs);
  const c16 = summarizeLatencies(concurrent.latenciesMs);
  const parts = {
    s3_get_p50_ms: summarizeLatencies(s3Get.latenciesMs).p50_ms,
    image_decode_encode_p50_ms: summarizeLatencies(imageCodec.latenciesMs).p50_ms,
    endpoint_call_p50_ms: summarizeLatencies(endpointCall.latenciesMs).p50_ms,
  };
  const engineMs = Math.max(
    0,
    seq.p50_ms - parts.s3_get_p50_ms - parts.image_decode_encode_p50_ms - parts.endpoint_call_p50_ms,
  );
  const figures = {
    images: IMAGES,
    p50_ms: seq.p50_ms,
    p99_ms: seq.p99_ms,
    executions_per_s_sequential: Math.round((IMAGES / sequential.wallMs) * 1000),
    p50_ms_c16: c16.p50_ms,
    p99_ms_c16: c16.p99_ms,
    executions_per_s_c16: Math.round((IMAGES / concurrent.wallMs) * 1000),
    ...parts,
    engine_and_rest_p50_ms: Math.round(engineMs * 100) / 100,
    state_p50_ms: stateP50,
  };
  console.log(`embedded execution, ${IMAGES} images, stub endpoint over HTTP`);
  console.log(
    `  sequential:     p50 ${seq.p50_ms} ms  p99 ${seq.p99_ms} ms  ${figures.executions_per_s_sequential} executions/s`,
  );
  console.log(
    `  concurrency 16: p50 ${c16.p50_ms} ms  p99 ${c16.p99_ms} ms  ${figures.executions_per_s_c16} executions/s`,
  );
  console.log(
    `  by stage (p50, measured alone): S3 GET ${parts.s3_get_p50_ms} ms, image decode+encode ${parts.image_decode_encode_p50_ms} ms, ` +
      `endpoint call ${parts.endpoint_call_p50_ms} ms, engine and the rest ${figures.engine_and_rest_p50_ms} ms`,
  );
  console.log(
    `  by state (p50, from history): ${Object.entries(stateP50)
      .map(([n, ms]) => `${n} ${ms} ms`)
      .join(', ')}`,
  );
  console.log(JSON.stringify(figures));
} finally {
  await runtime.stop();
  await rm(dataDir, { recursive: true, force: true });
}
