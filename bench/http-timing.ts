/**
 * Shared timing for the local servers' benchmarks (s3.ts, endpoint.ts, server-cpu.ts): latency
 * percentiles and throughput from bench/stats.ts, plus CPU time per request. Every answer's status
 * is checked: a call that fails (unexpected status, SDK error, dropped connection) is counted in
 * `errors` and recorded in BenchChecks, which fails the benchmark. On a shared machine wall-clock
 * figures swing with other load; CPU time per request (this process: client and server) is the
 * steadier cost figure.
 */

import { Agent, request } from 'node:http';
import sharp from 'sharp';
import type { BenchChecks } from './checks.ts';
import { summarizeLatencies, timeConcurrent } from './stats.ts';

export interface RequestFigures {
  p50_ms: number;
  p99_ms: number;
  per_s: number;
  cpu_us_per_request: number;
  errors: number;
}

export async function timeRequests(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
  checks: BenchChecks,
  label: string,
): Promise<RequestFigures> {
  const cpuBefore = process.cpuUsage();
  const run = await timeConcurrent(count, concurrency, task);
  const cpu = process.cpuUsage(cpuBefore);
  const { p50_ms, p99_ms } = summarizeLatencies(run.latenciesMs);
  return {
    p50_ms,
    p99_ms,
    per_s: Math.round(count / (run.wallMs / 1000)),
    cpu_us_per_request: Math.round((cpu.user + cpu.system) / count),
    errors: checks.calls(label, run, count),
  };
}

export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Statuses that count as an answer; default 200-299. */
  expect?: (status: number) => boolean;
}

/**
 * Requests over a bare keep-alive agent: what a server costs without an SDK's signing and parsing.
 * `send` resolves with the body of an expected status and rejects (HttpStatusError) otherwise.
 */
export function rawHttpClient(maxSockets = 16) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (url: string, options: RawRequest = {}) =>
    new Promise<Buffer>((resolve, reject) => {
      const method = options.method ?? 'GET';
      const expected = options.expect ?? ((status: number) => status >= 200 && status < 300);
      const outgoing = request(url, { agent, method, headers: options.headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          const status = response.statusCode ?? 0;
          if (expected(status)) resolve(body);
          else
            reject(
              new HttpStatusError(
                `${method} ${url} answered ${status}: ${body.toString().replace(/\s+/g, ' ').slice(0, 160)}`,
              ),
            );
        });
        response.on('error', reject);
      });
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
 * keyed `<client>_sequential` and `<client>_concurrency<n>`. Warm-up failures count too;
 * `afterWarmup` runs before the measured calls (fault injection).
 */
export async function compareClients(
  count: number,
  concurrency: number,
  clients: Record<string, (index: number) => Promise<unknown>>,
  checks: BenchChecks,
  options: { warmup?: number; afterWarmup?: () => void } = {},
) {
  for (const [name, send] of Object.entries(clients))
    await timeRequests(options.warmup ?? 300, 4, send, checks, `${name} warm-up`);
  options.afterWarmup?.();
  const figures: Record<string, RequestFigures> = {};
  for (const [name, send] of Object.entries(clients)) {
    figures[`${name}_sequential`] = await timeRequests(count, 1, send, checks, `${name} sequential`);
    const key = `${name}_concurrency${concurrency}`;
    figures[key] = await timeRequests(count, concurrency, send, checks, key);
  }
  return figures;
}
