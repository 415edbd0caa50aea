/**
 * `npm run bench:model`: the real-model path end to end, with figures.
 *
 * 1. stages the shipped CIFAR-100 subset (1200 images) into the embedded S3 (training/stage.ts);
 * 2. runs the training job on the staged channels with the default settings (training/train-job.ts);
 * 3. serves the artifact it wrote with ModelPredictor and scores the 200 official test images
 *    through it (the test set is used here only, for this report);
 * 4. measures the predictor alone and the endpoint over HTTP (startEndpointServer) at concurrency
 *    1 and 8 with 32x32 PNGs.
 * The last line is one JSON object of the figures. Timings depend on the machine's load.
 * Options: `--epochs N`, `--members N`, `--requests N` (per concurrency level).
 */
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createS3Client } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import { startEndpointServer } from '../src/embedded/endpoint-server.ts';
import { startLocalS3 } from '../src/embedded/s3-server.ts';
import { readSplit } from '../training/cifar.ts';
import { ModelPredictor } from '../training/predictor.ts';
import { stageDataset } from '../training/stage.ts';
import { train } from '../training/train-job.ts';

const { values: args } = parseArgs({
  options: { epochs: { type: 'string' }, members: { type: 'string' }, requests: { type: 'string' } },
});
const BUCKET = 'scones-bench';
const PREFIX = 'datasets/cifar-100';
const requestsPerLevel = Number(args.requests ?? 2000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Runs `call` `total` times with `concurrency` in flight; latency percentiles (ms) and rate. */
async function load(total: number, concurrency: number, call: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await call(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    rps: Math.round(total / seconds),
  };
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
    ...(args.epochs ? { epochs: Number(args.epochs) } : {}),
    ...(args.members ? { hyperparameters: { members: Number(args.members) } } : {}),
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
  await load(200, 8, (i) => predictor.predict(body(i), 'image/png')); // warm-up
  const predictorC1 = await load(requestsPerLevel, 1, (i) => predictor.predict(body(i), 'image/png'));
  const predictorC8 = await load(requestsPerLevel, 8, (i) => predictor.predict(body(i), 'image/png'));
  console.log('predictor alone', { c1: predictorC1, c8: predictorC8 });

  const server = await startEndpointServer({ predictor });
  const url = `${server.url}/endpoints/${server.endpointName}/invocations`;
  // node:http with keep-alive: a lighter client than fetch, since it shares this process's CPU.
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const invoke = (i: number) =>
    new Promise<unknown>((resolve, reject) => {
      const payload = body(i);
      const call = request(
        url,
        { method: 'POST', agent, headers: { 'content-type': 'image/png', 'content-length': payload.length } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (response.statusCode !== 200)
              reject(new Error(`endpoint answered ${response.statusCode}: ${text}`));
            else resolve(JSON.parse(text));
          });
        },
      );
      call.on('error', reject);
      call.end(payload);
    });
  await load(200, 8, invoke); // warm-up
  const httpC1 = await load(requestsPerLevel, 1, invoke);
  const httpC8 = await load(requestsPerLevel, 8, invoke);
  console.log('endpoint over HTTP', { c1: httpC1, c8: httpC8 });
  agent.destroy();
  await server.stop();
  predictor.dispose();

  console.log(
    JSON.stringify({
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
      load_average_1m: (await import('node:os')).loadavg()[0],
    }),
  );
} finally {
  s3.destroy();
  await localS3.stop();
}
