/**
 * `npm run bench:model`: the real-model path end to end, with figures.
 *
 * 1. stages the shipped CIFAR-100 subset (1200 images) into the embedded S3 (training/stage.ts);
 * 2. runs the training job on the staged channels with the default settings (training/train-job.ts);
 * 3. serves the artifact it wrote with ModelPredictor and scores the 200 official test images
 *    through it (the test set is used here only, for this report);
 * 4. measures the predictor alone and the endpoint over HTTP (startEndpointServer) at concurrency
 *    1 and 8 with 32x32 PNGs.
 * Every prediction and every HTTP answer is checked (status 200, a probability pair): any failure
 * fails the bench (exit 1, nothing written). The last line is one JSON object of the figures,
 * written to .scones/bench/model.json. Timings depend on the machine's load.
 * Options: `--epochs N`, `--members N`, `--requests N` (per concurrency level), `--quick` (1 epoch,
 * 1 member, 100 requests), `--inject-failures N` (N invocations over HTTP answer 503).
 */
import sharp from 'sharp';
import { createS3Client } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import { startLocalS3 } from '../src/embedded/s3/index.ts';
import { startEndpointServer } from '../src/embedded/sagemaker-runtime/index.ts';
import { readSplit } from '../training/cifar.ts';
import { ModelPredictor } from '../training/predictor.ts';
import { stageDataset } from '../training/stage.ts';
import { train } from '../training/train-job.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { rawHttpClient } from './http-timing.ts';
import { finishBench } from './results.ts';
import { summarizeLatencies, timeConcurrent } from './stats.ts';

const args = benchArgs(['epochs', 'members', 'requests']);
const BUCKET = 'scones-bench';
const PREFIX = 'datasets/cifar-100';
const requestsPerLevel = countOption(args.values.requests, args.quick ? 100 : 2000, 'requests');
const epochs = args.values.epochs ?? (args.quick ? '1' : undefined);
const members = args.values.members ?? (args.quick ? '1' : undefined);
const checks = new BenchChecks();

/** A prediction is two probabilities that sum to 1. */
function checkProbabilities(value: unknown): void {
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((p) => typeof p === 'number' && p >= 0 && p <= 1) &&
    Math.abs((value[0] as number) + (value[1] as number) - 1) < 1e-3;
  if (!ok) throw new Error(`not a probability pair: ${JSON.stringify(value).slice(0, 120)}`);
}

/** Runs `call` `total` times with `concurrency` in flight; latency percentiles (ms) and rate. */
async function load(
  label: string,
  total: number,
  concurrency: number,
  call: (i: number) => Promise<unknown>,
) {
  const run = await timeConcurrent(total, concurrency, call);
  checks.calls(label, run, total);
  const { p50_ms, p99_ms } = summarizeLatencies(run.latenciesMs);
  return { p50: p50_ms, p99: p99_ms, rps: Math.round(total / (run.wallMs / 1000)) };
}

const localS3 = await startLocalS3({ buckets: [BUCKET] });
const s3 = createS3Client(loadConfig({ AWS_ENDPOINT_URL_S3: localS3.endpoint }));
try {
  const staged = await stageDataset({ s3Client: s3, bucket: BUCKET, prefix: PREFIX, progress: false });
  console.log(`staged ${staged.uploaded} objects in ${staged.seconds.toFixed(2)} s`);

  const cpuBefore = process.cpuUsage();
  const job = await train({
    s3Client: s3,
    bucket: BUCKET,
    prefix: PREFIX,
    output: `s3://${BUCKET}/training-jobs`,
    job: 'bench-model',
    ...(epochs ? { epochs: countOption(epochs, 1, 'epochs') } : {}),
    ...(members ? { hyperparameters: { members: countOption(members, 1, 'members') } } : {}),
    onEpoch: (p) =>
      console.log(
        `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} train acc ${p.trainAccuracy.toFixed(3)} ` +
          `validation acc ${p.validationAccuracy.toFixed(3)} ${p.seconds.toFixed(1)} s`,
      ),
  });
  const cpu = process.cpuUsage(cpuBefore);
  const { result } = job;
  console.log(
    `trained ${result.settings.members} member(s) x ${result.settings.epochs} epochs in ${result.trainSeconds.toFixed(1)} s ` +
      `(process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s) -> ${job.modelUri}`,
  );

  const predictor = await ModelPredictor.load(job.modelUri, { s3Client: s3 });
  const test = await readSplit(undefined, 'test');
  const pngs = await Promise.all(
    Array.from({ length: test.count }, (_, i) =>
      sharp(test.pixels.subarray(i * 3072, (i + 1) * 3072), { raw: { width: 32, height: 32, channels: 3 } })
        .png()
        .toBuffer(),
    ),
  );
  let correct = 0;
  for (const [i, png] of pngs.entries()) {
    const probabilities = await predictor.predict(png, 'image/png');
    const predicted = probabilities.indexOf(Math.max(...probabilities));
    if (predicted === test.labels[i]) correct++;
  }
  const testAccuracy = correct / test.count;
  console.log(
    `test accuracy ${testAccuracy.toFixed(3)} (${correct}/${test.count}, through the predictor on PNGs)`,
  );

  const body = (i: number) => pngs[i % pngs.length] as Buffer;
  const predict = async (i: number) => checkProbabilities(await predictor.predict(body(i), 'image/png'));
  await load('predictor warm-up', 200, 8, predict);
  const predictorC1 = await load('predictor c1', requestsPerLevel, 1, predict);
  const predictorC8 = await load('predictor c8', requestsPerLevel, 8, predict);
  console.log('predictor alone', { c1: predictorC1, c8: predictorC8 });

  const server = await startEndpointServer({ predictor });
  const url = `${server.url}/endpoints/${server.endpointName}/invocations`;
  // node:http with keep-alive: a lighter client than fetch, since it shares this process's CPU.
  const http = rawHttpClient(8);
  const invoke = async (i: number) => {
    const payload = body(i);
    const answer = await http.send(url, {
      method: 'POST',
      headers: { 'content-type': 'image/png', 'content-length': String(payload.length) },
      body: payload,
    });
    checkProbabilities(JSON.parse(answer.toString()));
  };
  await load('endpoint warm-up', 200, 8, invoke);
  if (args.injectFailures > 0) server.faults.failNext(args.injectFailures, 503);
  const httpC1 = await load('endpoint c1', requestsPerLevel, 1, invoke);
  const httpC8 = await load('endpoint c8', requestsPerLevel, 8, invoke);
  console.log('endpoint over HTTP', { c1: httpC1, c8: httpC8 });
  http.close();
  await server.stop();
  predictor.dispose();

  await finishBench(
    'model',
    {
      test_accuracy: testAccuracy,
      train_s: Math.round(result.trainSeconds * 10) / 10,
      validation_accuracy: result.history.at(-1)?.validationAccuracy,
      members: result.settings.members,
      epochs: result.settings.epochs,
      endpoint_p50_ms_c1: httpC1.p50,
      endpoint_p99_ms_c1: httpC1.p99,
      endpoint_p50_ms_c8: httpC8.p50,
      endpoint_p99_ms_c8: httpC8.p99,
      endpoint_rps: httpC8.rps,
      predictor_p50_ms_c1: predictorC1.p50,
      predictor_p99_ms_c8: predictorC8.p99,
      predictor_rps_c8: predictorC8.rps,
      stage_s: Math.round(staged.seconds * 1000) / 1000,
      quick: args.quick,
    },
    checks,
  );
} finally {
  s3.destroy();
  await localS3.stop();
}
