/**
 * `npm run bench:s3`: GET and PUT through the real SDK client (no retries: each failure counts) at
 * concurrency 16, for small objects (2 KiB, the workflow's images) and a large one (1 MiB): p50,
 * p99, ops/s, and the server's own CPU per request, measured in a child process that runs only the
 * server (as server-cpu.ts does). Every GET's body length is checked, every call's outcome
 * counted: any failure fails the bench (exit 1, nothing written).
 *
 * The server can come from another checkout, to compare two versions on one machine:
 *   --server-dir <dir> (or SCONES_BENCH_S3_SERVER_DIR): import <dir>/src/embedded/s3/index.ts (or, in a
 *   checkout from before the embedded tier's folders, <dir>/src/embedded/s3-server.ts);
 *   --label <name> (or SCONES_BENCH_LABEL; default "current", or "s3rver"): the figures are stored
 *   per label in .scones/bench/s3.json, so `--label before` and `--label after` sit side by side.
 * A checkout made with `git worktree add` has no node_modules: link this one's in (the server
 * imports npm packages), e.g. `ln -s "$PWD/node_modules" <dir>/node_modules`.
 * Other options: `--server local|s3rver` (s3rver for reference), `--count N` (small objects,
 * per operation; default 2000), `--large-count N` (default 200), `--quick`, `--inject-failures N`
 * (N GETs of small objects ask for a missing key).
 */
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { finishBench, machineInfo, readBenchResults } from './results.ts';
import { startS3rver } from './s3rver.ts';
import { summarizeLatencies, timeConcurrent } from './stats.ts';

const BUCKET = 'bench-bucket';
const CONCURRENCY = 16;
const SIZES = { '2KiB': 2048, '1MiB': 1024 * 1024 } as const;
/** Where startLocalS3 lives: today's layout first, then the flat one of older checkouts. */
const SERVER_MODULES = ['src/embedded/s3/index.ts', 'src/embedded/s3-server.ts'];
const THIS_CHECKOUT = resolve(import.meta.dirname, '..');

interface ChildReady {
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  error?: string;
}

/** Child: runs only the server, answers 'cpu' with its CPU usage, exits on 'stop'. */
async function serve(kind: string, serverDir: string): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 's3-bench-'));
  let stop: () => Promise<unknown>;
  let ready: ChildReady;
  try {
    if (kind === 's3rver') {
      const server = await startS3rver(directory, BUCKET);
      stop = server.stop;
      ready = { endpoint: server.endpoint, credentials: server.credentials };
    } else {
      const serverModule =
        SERVER_MODULES.find((file) => existsSync(join(serverDir, file))) ?? SERVER_MODULES[0];
      const module = (await import(pathToFileURL(join(serverDir, serverModule as string)).href)) as {
        startLocalS3(options: {
          directory: string;
          buckets: string[];
        }): Promise<{ endpoint: string; stop(): Promise<void> }>;
      };
      const server = await module.startLocalS3({ directory, buckets: [BUCKET] });
      stop = () => server.stop();
      ready = { endpoint: server.endpoint };
    }
  } catch (error) {
    const hint = existsSync(join(serverDir, 'node_modules'))
      ? ''
      : ` (${serverDir} has no node_modules: link this checkout's in, e.g. ln -s ${THIS_CHECKOUT}/node_modules ${serverDir}/node_modules)`;
    process.send?.({ error: `${(error as Error).message}${hint}` } satisfies ChildReady);
    await rm(directory, { recursive: true, force: true });
    process.disconnect();
    return;
  }
  process.on('message', async (message) => {
    if (message === 'cpu') process.send?.(process.cpuUsage());
    if (message === 'stop') {
      await stop();
      await rm(directory, { recursive: true, force: true });
      process.disconnect();
    }
  });
  process.send?.(ready);
}

/** The commit of the server's checkout, and whether its S3 sources differ from it. */
function checkoutOf(dir: string): { commit?: string; modified?: boolean } {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    return {
      commit: git('rev-parse', 'HEAD'),
      modified: git('status', '--porcelain', '--', 'src/embedded') !== '',
    };
  } catch {
    return {};
  }
}

interface OperationFigures {
  p50_ms: number;
  p99_ms: number;
  ops_per_s: number;
  server_cpu_us_per_request: number;
  errors: number;
}

async function measureSize(input: {
  s3: S3Client;
  size: number;
  label: string;
  count: number;
  injectFailures: number;
  serverCpuUs: () => Promise<number>;
  checks: BenchChecks;
}): Promise<{ put: OperationFigures; get: OperationFigures }> {
  const { s3, size, label, count, checks } = input;
  const body = Buffer.alloc(size, 7);
  const getKeys = Array.from({ length: 50 }, (_, i) => `get-${label}/${i}`);
  for (const key of getKeys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const put = (key: string) => () => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const get = (key: string) => async () => {
    const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const bytes = await response.Body?.transformToByteArray();
    if (bytes?.length !== size) throw new Error(`GET ${key}: ${bytes?.length} bytes, expected ${size}`);
  };
  const warmup = Math.min(count, 50);
  checks.calls(
    `${label} PUT warm-up`,
    await timeConcurrent(warmup, 4, (i) => put(`warm-${label}/${i}`)()),
    warmup,
  );
  checks.calls(
    `${label} GET warm-up`,
    await timeConcurrent(warmup, 4, (i) => get(getKeys[i % 50] as string)()),
    warmup,
  );

  const timed = async (
    name: string,
    task: (index: number) => Promise<unknown>,
  ): Promise<OperationFigures> => {
    const before = await input.serverCpuUs();
    const run = await timeConcurrent(count, CONCURRENCY, task);
    const cpuUs = (await input.serverCpuUs()) - before;
    const { p50_ms, p99_ms } = summarizeLatencies(run.latenciesMs);
    return {
      p50_ms,
      p99_ms,
      ops_per_s: Math.round(count / (run.wallMs / 1000)),
      server_cpu_us_per_request: Math.round(cpuUs / count),
      errors: checks.calls(`${label} ${name} c${CONCURRENCY}`, run, count),
    };
  };
  // Each PUT a new key (as the workflow writes review items); GETs over 50 objects.
  const putFigures = await timed('PUT', (i) => put(`put-${label}/${i}`)());
  const missing = (i: number) => label === '2KiB' && i < input.injectFailures;
  const getFigures = await timed('GET', (i) =>
    get(missing(i) ? `missing/${i}` : (getKeys[i % 50] as string))(),
  );
  return { put: putFigures, get: getFigures };
}

async function main() {
  const args = benchArgs(['label', 'server', 'server-dir', 'count', 'large-count']);
  const kind = String(args.values.server ?? 'local');
  if (kind !== 'local' && kind !== 's3rver') throw new Error(`--server takes local or s3rver; got ${kind}`);
  const serverDir = resolve(
    String(args.values['server-dir'] ?? process.env.SCONES_BENCH_S3_SERVER_DIR ?? THIS_CHECKOUT),
  );
  if (kind === 'local' && !SERVER_MODULES.some((file) => existsSync(join(serverDir, file))))
    throw new Error(`--server-dir ${serverDir} has none of ${SERVER_MODULES.join(', ')}`);
  const label = String(
    args.values.label ?? process.env.SCONES_BENCH_LABEL ?? (kind === 's3rver' ? 's3rver' : 'current'),
  );
  const counts = {
    '2KiB': countOption(args.values.count, args.quick ? 100 : 2000, 'count'),
    '1MiB': countOption(args.values['large-count'], args.quick ? 10 : 200, 'large-count'),
  };
  const checks = new BenchChecks();

  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind, serverDir]);
  const [ready] = (await once(child, 'message')) as [ChildReady];
  if (ready.error || !ready.endpoint) {
    await once(child, 'exit');
    throw new Error(`the ${kind} S3 server from ${serverDir} did not start: ${ready.error}`);
  }
  const serverCpuUs = async () => {
    child.send('cpu');
    const [usage] = (await once(child, 'message')) as [NodeJS.CpuUsage];
    return usage.user + usage.system;
  };
  const config = loadConfig({ AWS_ENDPOINT_URL_S3: ready.endpoint });
  if (ready.credentials) config.credentials = ready.credentials;
  const s3 = createS3Client(config, { maxAttempts: 1 });
  const objects: Record<string, { put: OperationFigures; get: OperationFigures }> = {};
  try {
    for (const [sizeLabel, size] of Object.entries(SIZES)) {
      const count = counts[sizeLabel as keyof typeof SIZES];
      objects[sizeLabel] = await measureSize({
        s3,
        size,
        label: sizeLabel,
        count,
        injectFailures: args.injectFailures,
        serverCpuUs,
        checks,
      });
      for (const [operation, figures] of Object.entries(objects[sizeLabel] ?? {}))
        console.log(
          `${label} ${sizeLabel} ${operation.toUpperCase()} c${CONCURRENCY}: ${JSON.stringify(figures)}`,
        );
    }
  } finally {
    s3.destroy();
    child.send('stop');
    await once(child, 'exit');
  }
  const run = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    server: { kind, dir: serverDir, ...(kind === 'local' ? checkoutOf(serverDir) : {}) },
    concurrency: CONCURRENCY,
    counts,
    objects,
    quick: args.quick,
  };
  // Other labels (e.g. "before" when this is "after") stay as they were.
  const earlier = (await readBenchResults('s3'))?.figures.labels as Record<string, unknown> | undefined;
  await finishBench('s3', { labels: { ...earlier, [label]: run } }, checks);
}

if (import.meta.main) {
  const serving = process.argv.indexOf('--serve');
  if (serving >= 0)
    await serve(process.argv[serving + 1] ?? 'local', process.argv[serving + 2] ?? THIS_CHECKOUT);
  else await main();
}
