/**
 * The servers' own CPU time per request, measured in a separate process so no client work is
 * counted: the local S3 (2 KB GET) against s3rver, and the local endpoint (32x32 PNG invocation,
 * stub predictor). Requests go over a bare keep-alive agent at concurrency 8.
 * Run: `npm run bench:servers -- [count]`; the last line is one JSON object.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';
import { startEndpointServer } from '../src/embedded/endpoint-server.ts';
import { createStubPredictor } from '../src/embedded/predictors.ts';
import { startLocalS3 } from '../src/embedded/s3-server.ts';
import { noisePng32, rawHttpClient } from './http-timing.ts';
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
  const s3rver = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await s3rver.run();
  const endpoint = await startEndpointServer({ predictor: createStubPredictor(), endpointName: 'bench' });
  process.on('message', async (message) => {
    if (message === 'cpu') process.send?.(process.cpuUsage());
    if (message === 'stop') {
      await Promise.all([localS3.stop(), s3rver.close(), endpoint.stop()]);
      await rm(directory, { recursive: true, force: true });
      process.disconnect();
    }
  });
  const urls: ServerUrls = {
    localS3: localS3.endpoint,
    s3rver: `http://127.0.0.1:${port}`,
    endpoint: endpoint.url,
  };
  process.send?.(urls);
}

async function measure(count: number): Promise<void> {
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
  const tasks: Record<string, () => Promise<unknown>> = {
    local_s3_get: () => raw.send(`${urls.localS3}/${BUCKET}/image.png`),
    s3rver_get: () => raw.send(`${urls.s3rver}/${BUCKET}/image.png`),
    endpoint_invoke: () =>
      raw.send(`${urls.endpoint}/endpoints/bench/invocations`, {
        method: 'POST',
        body: image,
        headers: { 'Content-Type': 'image/png', 'Content-Length': String(image.length) },
      }),
  };
  const figures: Record<string, { server_cpu_us_per_request: number; requests_per_s_c8: number }> = {};
  for (const [name, task] of Object.entries(tasks)) {
    await timeConcurrent(Math.min(500, count), 8, task); // warm-up: JIT, sockets
    const before = await serverCpuUs();
    const { wallMs } = await timeConcurrent(count, 8, task);
    const cpuUs = (await serverCpuUs()) - before;
    figures[name] = {
      server_cpu_us_per_request: Math.round(cpuUs / count),
      requests_per_s_c8: Math.round(count / (wallMs / 1000)),
    };
    console.log(`${name}: ${JSON.stringify(figures[name])}`);
  }
  raw.close();
  child.send('stop');
  await once(child, 'exit');
  console.log(JSON.stringify({ count, ...figures }));
}

if (import.meta.main) {
  if (process.argv.includes('--serve')) await serve();
  else await measure(Number(process.argv[2] ?? 5000));
}
