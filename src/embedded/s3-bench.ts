/**
 * GET latency and throughput of a local S3 server through the real SDK client, the figures that
 * chose the embedded S3 implementation. Run: `node src/embedded/s3-bench.ts [local|s3rver] [count]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { createS3Client } from '../aws/clients.ts';
import { loadConfig } from '../config.ts';
import { startLocalS3 } from './s3-server.ts';

const BUCKET = 'bench-bucket';

interface BenchServer {
  endpoint: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

async function startS3rver(directory: string): Promise<BenchServer> {
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }; // the only keys s3rver accepts
  return { endpoint: `http://127.0.0.1:${port}`, credentials, stop: () => server.close() };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function timeGets(s3: S3Client, keys: string[], concurrency: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++] as string;
        const t0 = performance.now();
        const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        await response.Body?.transformToByteArray();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    p50_ms: +percentile(latencies, 0.5).toFixed(3),
    p99_ms: +percentile(latencies, 0.99).toFixed(3),
    gets_per_s: Math.round(keys.length / seconds),
  };
}

export async function benchS3Gets(server: BenchServer, count: number) {
  const config = loadConfig({ AWS_ENDPOINT_URL_S3: server.endpoint });
  if (server.credentials) config.credentials = server.credentials;
  const s3 = createS3Client(config);
  const body = Buffer.alloc(2048, 7);
  const keys = Array.from({ length: 50 }, (_, i) => `images/${i}.png`);
  for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const workload = Array.from({ length: count }, (_, i) => keys[i % keys.length] as string);
  await timeGets(s3, workload.slice(0, 200), 4); // warm-up: JIT, sockets
  const sequential = await timeGets(s3, workload, 1);
  const concurrent = await timeGets(s3, workload, 16);
  s3.destroy();
  return { sequential, concurrency16: concurrent };
}

async function main() {
  const which = process.argv[2] ?? 'local';
  const count = Number(process.argv[3] ?? 2000);
  const directory = await mkdtemp(join(tmpdir(), 's3-bench-'));
  const server =
    which === 's3rver' ? await startS3rver(directory) : await startLocalS3({ directory, buckets: [BUCKET] });
  try {
    console.log(JSON.stringify({ server: which, count, ...(await benchS3Gets(server, count)) }));
  } finally {
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
