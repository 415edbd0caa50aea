/**
 * GET latency and throughput of a local S3 server through the real SDK client, the figures that
 * chose the embedded S3 implementation. Run: `npm run bench:s3 -- [local|s3rver] [count]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { createS3Client } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import { startLocalS3 } from '../src/embedded/s3-server.ts';
import { compareClients, rawHttpClient } from './http-timing.ts';

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

export async function benchS3Gets(server: BenchServer, count: number) {
  const config = loadConfig({ AWS_ENDPOINT_URL_S3: server.endpoint });
  if (server.credentials) config.credentials = server.credentials;
  const s3 = createS3Client(config);
  const body = Buffer.alloc(2048, 7);
  const keys = Array.from({ length: 50 }, (_, i) => `images/${i}.png`);
  for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const keyOf = (index: number) => keys[index % keys.length] as string;
  const sdkGet = async (index: number) => {
    const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(index) }));
    return response.Body?.transformToByteArray();
  };
  const raw = rawHttpClient();
  const rawGet = (index: number) => raw.send(`${server.endpoint}/${BUCKET}/${keyOf(index)}`);
  const figures = await compareClients(count, 16, { sdk: sdkGet, raw_http: rawGet });
  s3.destroy();
  raw.close();
  return figures;
}

async function main() {
  const which = process.argv[2] ?? 'local';
  const count = Number(process.argv[3] ?? 2000);
  const directory = await mkdtemp(join(tmpdir(), 's3-bench-'));
  const server =
    which === 's3rver' ? await startS3rver(directory) : await startLocalS3({ directory, buckets: [BUCKET] });
  try {
    const figures = await benchS3Gets(server, count);
    for (const [mode, figure] of Object.entries(figures))
      console.log(`${which} ${mode}: ${JSON.stringify(figure)}`);
    console.log(JSON.stringify({ server: which, count, ...figures }));
  } finally {
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
