/**
 * The servers' own CPU time per request, measured in a separate process so no client work is
 * counted: the local S3 (2 KB GET) against s3rver, and the local endpoint (32x32 PNG invocation,
 * stub predictor). Requests go over a bare keep-alive agent at concurrency 8; every answer's
 * status is checked and any failed request fails the bench (exit 1, no figures written).
 * Run: `npm run bench:servers -- [--count N] [--quick] [--inject-failures N]` (N requests of each
 * measured run fail: GETs of a missing key, endpoint invocations answered 503). Figures go to
 * .scones/bench/servers.json; the last line is one JSON object.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalS3 } from '../src/embedded/s3/index.ts';
import { createStubPredictor, startEndpointServer } from '../src/embedded/sagemaker-runtime/index.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { noisePng32, rawHttpClient } from './http-timing.ts';
import { finishBench } from './results.ts';
import { startS3rver } from './s3rver.ts';
import { timeConcurrent } from './stats.ts';

const BUCKET = 'bench-bucket';

interface ServerUrls {
  localS3: string;
  s3rver: string;
  endpoint: string;
}

/** Child: runs the servers, answers 'cpu' with its CPU usage, exits on 'stop'. */
async function serve(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'server-cpu-bench-'));
  const localS3 = await startLocalS3({ buckets: [BUCKET] });
  const s3rver = await startS3rver(directory, BUCKET);
  const endpoint = await startEndpointServer({ predictor: createStubPredictor(), endpointName: 'bench' });
  process.on('message', async (message) => {
    if (message === 'cpu') process.send?.(process.cpuUsage());
    if (message === 'stop') {
      await Promise.all([localS3.stop(), s3rver.stop(), endpoint.stop()]);
      await rm(directory, { recursive: true, force: true });
      process.disconnect();
    }
  });
  const urls: ServerUrls = {
    localS3: localS3.endpoint,
    s3rver: s3rver.endpoint,
    endpoint: endpoint.url,
  };
  process.send?.(urls);
}

async function measure(count: number, injectFailures: number, quick: boolean): Promise<void> {
  const checks = new BenchChecks();
  const child = fork(fileURLToPath(import.meta.url), ['--serve']);
  const [urls] = (await once(child, 'message')) as [ServerUrls];
  const serverCpuUs = async () => {
    child.send('cpu');
    const [usage] = (await once(child, 'message')) as [NodeJS.CpuUsage];
    return usage.user + usage.system;
  };
  const raw = rawHttpClient(8);
  const object = Buffer.alloc(2048, 7);
  const image = await noisePng32();
  const put = { method: 'PUT', body: object, headers: { 'Content-Length': String(object.length) } };
  await raw.send(`${urls.localS3}/${BUCKET}/image.png`, put);
  await raw.send(`${urls.s3rver}/${BUCKET}/image.png`, put);
  // With fault injection the first requests of each measured run ask for a key that is not there.
  let injecting = false;
  const key = (index: number) => (injecting && index < injectFailures ? `missing-${index}.png` : 'image.png');
  const tasks: Record<string, (index: number) => Promise<unknown>> = {
    local_s3_get: (index) => raw.send(`${urls.localS3}/${BUCKET}/${key(index)}`),
    s3rver_get: (index) => raw.send(`${urls.s3rver}/${BUCKET}/${key(index)}`),
    endpoint_invoke: () =>
      raw.send(`${urls.endpoint}/endpoints/bench/invocations`, {
        method: 'POST',
        body: image,
        headers: { 'Content-Type': 'image/png', 'Content-Length': String(image.length) },
      }),
  };
  const figures: Record<
    string,
    { server_cpu_us_per_request: number; requests_per_s_c8: number; errors: number }
  > = {};
  for (const [name, task] of Object.entries(tasks)) {
    injecting = false;
    const warmup = Math.min(quick ? 50 : 500, count);
    checks.calls(`${name} warm-up`, await timeConcurrent(warmup, 8, task), warmup); // JIT, sockets
    if (injectFailures > 0) {
      injecting = true;
      if (name === 'endpoint_invoke') {
        await raw.send(`${urls.endpoint}/_stub/behavior`, {
          method: 'POST',
          body: Buffer.from(JSON.stringify({ fail: { status: 503, count: injectFailures } })),
          headers: { 'Content-Type': 'application/json' },
        });
      }
    }
    const before = await serverCpuUs();
    const run = await timeConcurrent(count, 8, task);
    const cpuUs = (await serverCpuUs()) - before;
    figures[name] = {
      server_cpu_us_per_request: Math.round(cpuUs / count),
      requests_per_s_c8: Math.round(count / (run.wallMs / 1000)),
      errors: checks.calls(name, run, count),
    };
    console.log(`${name}: ${JSON.stringify(figures[name])}`);
  }
  raw.close();
  child.send('stop');
  await once(child, 'exit');
  await finishBench('servers', { count, ...figures, quick }, checks);
}

if (import.meta.main) {
  if (process.argv.includes('--serve')) await serve();
  else {
    const args = benchArgs(['count']);
    const count = countOption(args.values.count, args.quick ? 300 : 5000, 'count');
    await measure(count, args.injectFailures, args.quick);
  }
}
