/**
 * Shared timing for the local servers' benchmarks (s3-bench.ts, endpoint-bench.ts): latency
 * percentiles and throughput from bench/stats.ts, plus CPU time per request. On a shared machine
 * wall-clock figures swing with other load; CPU time per request (this process: client and
 * server) is the steadier cost figure.
 */

import { Agent, request } from 'node:http';
import sharp from 'sharp';
import { summarizeLatencies, timeConcurrent } from './stats.ts';

export async function timeRequests(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
) {
  const cpuBefore = process.cpuUsage();
  const { latenciesMs, wallMs } = await timeConcurrent(count, concurrency, task);
  const cpu = process.cpuUsage(cpuBefore);
  const { p50_ms, p99_ms } = summarizeLatencies(latenciesMs);
  return {
    p50_ms,
    p99_ms,
    per_s: Math.round(count / (wallMs / 1000)),
    cpu_us_per_request: Math.round((cpu.user + cpu.system) / count),
  };
}

/** Requests over a bare keep-alive agent: what a server costs without an SDK's signing and parsing. */
export function rawHttpClient(maxSockets = 16) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (
    url: string,
    options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
  ) =>
    new Promise<Buffer>((resolve, reject) => {
      const outgoing = request(
        url,
        { agent, method: options.method ?? 'GET', headers: options.headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(Buffer.concat(chunks)));
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(options.body);
    });
  return { send, close: () => agent.destroy() };
}

/** A 32x32 PNG of noise: the size the model takes, and a body that does not compress away. */
export function noisePng32(): Promise<Buffer> {
  return sharp({
    create: {
      width: 32,
      height: 32,
      channels: 3,
      background: '#804020',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .png()
    .toBuffer();
}

/**
 * Times each client after a warm-up (JIT, sockets), one at a time and at `concurrency`; figures are
 * keyed `<client>_sequential` and `<client>_concurrency<n>`.
 */
export async function compareClients(
  count: number,
  concurrency: number,
  clients: Record<string, (index: number) => Promise<unknown>>,
) {
  for (const send of Object.values(clients)) await timeRequests(300, 4, send);
  const figures: Record<string, Awaited<ReturnType<typeof timeRequests>>> = {};
  for (const [name, send] of Object.entries(clients)) {
    figures[`${name}_sequential`] = await timeRequests(count, 1, send);
    figures[`${name}_concurrency${concurrency}`] = await timeRequests(count, concurrency, send);
  }
  return figures;
}
