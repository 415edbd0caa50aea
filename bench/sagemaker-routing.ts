/**
 * What the endpoints the API deploys add to an InvokeEndpoint (bench/sagemaker.ts, part c): the
 * same stub predictor behind four paths, timed interleaved in rounds (the order rotated each round)
 * so the machine's load falls on all of them alike:
 * - `plain`: the runtime's endpoint server alone, bench:endpoint's path;
 * - `plain_captured`: the same server with its data capture at 100 % (input and output), the
 *   capture `scones up` had before the API (a trained model's endpoint);
 * - `routed`: an endpoint the API deploys (EndpointFleet), two variants drawn by weight 50/50;
 * - `routed_captured`: the same with the endpoint config's capture at 100 %.
 * A captured block's writes to the local S3 are flushed before its clock stops, so its CPU holds
 * them. Each path through the SageMaker Runtime client (no retries) and a bare keep-alive agent,
 * one at a time and at concurrency 8. Every answer's status is checked; the invoked variants and
 * the captured records are counted against what was sent.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { createS3Client, createSageMakerRuntimeClient } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import { startLocalS3 } from '../src/embedded/s3/index.ts';
import {
  createStubPredictor,
  EndpointFleet,
  startEndpointServer,
} from '../src/embedded/sagemaker-runtime/index.ts';
import type { BenchChecks } from './checks.ts';
import { noisePng32, rawHttpClient } from './http-timing.ts';
import { percentile, timeConcurrent } from './stats.ts';

const BUCKET = 'bench-capture';
const CAPTURE_PREFIX = 'capture/';
const MODES = ['plain', 'plain_captured', 'routed', 'routed_captured'] as const;
type Mode = (typeof MODES)[number];
/** SageMaker's endpoint names take hyphens, not underscores. */
const endpointOf = (mode: Mode) => mode.replace('_', '-');
const CLIENTS = ['sdk', 'raw_http'] as const;
type Client = (typeof CLIENTS)[number];

export interface RoutingOptions {
  rounds: number;
  /** Calls per block one at a time; at concurrency 8 there are four times as many. */
  sequentialPerRound: number;
}

interface Block {
  latencies: number[];
  cpuUs: number;
  calls: number;
  wallMs: number;
}

export interface PathFigures {
  p50_ms: number;
  p99_ms: number;
  /** Calls per second at concurrency 8: the median of the rounds. */
  per_s_c8: number;
  /** This process's CPU (client, server, capture writes, local S3) per call at concurrency 8. */
  cpu_us_per_request: number;
  /** That CPU figure in each round, in order (a round pairs the paths). */
  cpu_us_per_request_rounds: number[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The four paths on two servers (the runtime's own endpoint, and one hosting the fleet's). */
async function startPaths(s3: S3Client) {
  const predictor = createStubPredictor();
  const capture = { s3, destinationS3Uri: `s3://${BUCKET}/${CAPTURE_PREFIX}`, samplingPercentage: 100 };
  const plain = await startEndpointServer({ predictor, endpointName: 'plain' });
  const plainCaptured = await startEndpointServer({
    predictor,
    endpointName: endpointOf('plain_captured'),
    capture,
  });
  const fleet = new EndpointFleet({ loadModel: async () => predictor, s3, region: 'us-east-1' });
  const hosting = await startEndpointServer({ predictor, endpointName: 'unused', hosted: fleet });
  const variants = ['A', 'B'].map((name) => ({
    variantName: name,
    modelDataUrl: `s3://bench/${name}/model.tar.gz`,
    weight: 1,
  }));
  await fleet.deploy({ endpointName: 'routed', variants });
  await fleet.deploy({
    endpointName: endpointOf('routed_captured'),
    variants,
    dataCapture: {
      enabled: true,
      samplingPercentage: 100,
      destinationS3Uri: capture.destinationS3Uri,
      captureInput: true,
      captureOutput: true,
      csvContentTypes: [],
      jsonContentTypes: [],
    },
  });
  return {
    urlOf: (mode: Mode) =>
      mode === 'plain' ? plain.url : mode === 'plain_captured' ? plainCaptured.url : hosting.url,
    /** Writes what the capture of `mode` (every path's, without one) buffered. */
    async flush(mode?: Mode) {
      if (mode === undefined || mode === 'plain_captured') await plainCaptured.capture?.flush();
      if (mode === undefined || mode === 'routed_captured') await fleet.flush();
    },
    async stop() {
      await fleet.stop();
      await Promise.all([hosting.stop(), plainCaptured.stop(), plain.stop()]);
    },
  };
}

async function countCaptured(s3: S3Client): Promise<number> {
  let records = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: CAPTURE_PREFIX, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }));
      records += ((await body.Body?.transformToString()) ?? '').split('\n').filter(Boolean).length;
    }
    token = page.NextContinuationToken;
  } while (token);
  return records;
}

function summarize(entry: { sequential: Block[]; c8: Block[] }): PathFigures {
  const latencies = entry.sequential.flatMap((block) => block.latencies).sort((a, b) => a - b);
  const rates = entry.c8.map((block) => block.calls / (block.wallMs / 1000)).sort((a, b) => a - b);
  const calls = entry.c8.reduce((sum, block) => sum + block.calls, 0);
  return {
    p50_ms: round2(percentile(latencies, 50)),
    p99_ms: round2(percentile(latencies, 99)),
    per_s_c8: Math.round(percentile(rates, 50)),
    cpu_us_per_request: Math.round(entry.c8.reduce((sum, block) => sum + block.cpuUs, 0) / calls),
    cpu_us_per_request_rounds: entry.c8.map((block) => Math.round(block.cpuUs / block.calls)),
  };
}

export async function measureRoutingOverhead(options: RoutingOptions, checks: BenchChecks) {
  const localS3 = await startLocalS3({ buckets: [BUCKET] });
  const s3 = createS3Client(loadConfig({ SCONES_TARGET: 'embedded', AWS_ENDPOINT_URL_S3: localS3.endpoint }));
  const paths = await startPaths(s3);
  const runtimes = new Map(
    MODES.map((mode) => [
      mode,
      createSageMakerRuntimeClient(loadConfig({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: paths.urlOf(mode) }), {
        maxAttempts: 1,
      }),
    ]),
  );
  const raw = rawHttpClient();
  const image = await noisePng32();
  const variantsSeen: Record<string, number> = {};
  let capturedCalls = 0;
  const send = async (client: Client, mode: Mode) => {
    if (mode.endsWith('_captured')) capturedCalls++;
    if (client === 'raw_http') {
      await raw.send(`${paths.urlOf(mode)}/endpoints/${endpointOf(mode)}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'image/png', 'Content-Length': String(image.length) },
        body: image,
      });
      return;
    }
    const answer = await runtimes
      .get(mode)
      ?.send(
        new InvokeEndpointCommand({ EndpointName: endpointOf(mode), ContentType: 'image/png', Body: image }),
      );
    if (mode.startsWith('routed')) {
      const key = `${mode}:${answer?.InvokedProductionVariant}`;
      variantsSeen[key] = (variantsSeen[key] ?? 0) + 1;
    }
  };
  const timeBlock = async (client: Client, mode: Mode, count: number, concurrency: number) => {
    const cpu = process.cpuUsage();
    const run = await timeConcurrent(count, concurrency, () => send(client, mode));
    // The capture's writes belong to the block that captured.
    await paths.flush(mode);
    const used = process.cpuUsage(cpu);
    checks.calls(`${client} ${mode} c${concurrency}`, run, count);
    return { latencies: run.latenciesMs, cpuUs: used.user + used.system, calls: count, wallMs: run.wallMs };
  };
  const blocks = new Map<string, { sequential: Block[]; c8: Block[] }>();
  try {
    // Warm-up: JIT, sockets, the captures' first writes.
    for (const client of CLIENTS) for (const mode of MODES) await timeBlock(client, mode, 200, 4);
    await paths.flush();
    capturedCalls = 0;
    for (const key of Object.keys(variantsSeen)) delete variantsSeen[key];
    const capturedBefore = await countCaptured(s3);
    for (let round = 0; round < options.rounds; round++) {
      // Rotated each round: no path always runs first or last.
      const order = MODES.map((_, i) => MODES[(i + round) % MODES.length] as Mode);
      for (const client of CLIENTS) {
        for (const mode of order) {
          const entry = blocks.get(`${client}:${mode}`) ?? { sequential: [], c8: [] };
          entry.sequential.push(await timeBlock(client, mode, options.sequentialPerRound, 1));
          entry.c8.push(await timeBlock(client, mode, options.sequentialPerRound * 4, 8));
          blocks.set(`${client}:${mode}`, entry);
        }
      }
    }
    await paths.flush();
    const captured = (await countCaptured(s3)) - capturedBefore;
    checks.expect(
      captured === capturedCalls,
      `capture: ${captured} records in S3 for ${capturedCalls} invocations at 100 % sampling`,
    );
    for (const mode of ['routed', 'routed_captured'])
      for (const variant of ['A', 'B'])
        checks.expect(
          (variantsSeen[`${mode}:${variant}`] ?? 0) > 0,
          `${mode}: variant ${variant} never invoked (weights 50/50): ${JSON.stringify(variantsSeen)}`,
        );
    const figures = Object.fromEntries(
      CLIENTS.map((client) => [
        client,
        Object.fromEntries(
          MODES.map((mode) => [
            mode,
            summarize(blocks.get(`${client}:${mode}`) ?? { sequential: [], c8: [] }),
          ]),
        ) as Record<Mode, PathFigures>,
      ]),
    ) as Record<Client, Record<Mode, PathFigures>>;
    return { rounds: options.rounds, figures, variants_invoked: variantsSeen, captured_records: captured };
  } finally {
    for (const runtime of runtimes.values()) runtime.destroy();
    raw.close();
    await paths.stop();
    s3.destroy();
    await localS3.stop();
  }
}

/**
 * What routing adds over the server's own path, without or with capture: the median of the rounds'
 * paired CPU differences and the difference of the sequential p50s, judged against the noise (the
 * highest minus the lowest round of the plain path).
 */
export function routingOverhead(figures: Record<Mode, PathFigures>, captured: boolean) {
  const base = captured ? figures.plain_captured : figures.plain;
  const routed = captured ? figures.routed_captured : figures.routed;
  const differences = routed.cpu_us_per_request_rounds
    .map((cpu, round) => cpu - (base.cpu_us_per_request_rounds[round] ?? cpu))
    .sort((a, b) => a - b);
  const cpu = percentile(differences, 50);
  const plainRounds = figures.plain.cpu_us_per_request_rounds;
  const noise = Math.max(...plainRounds) - Math.min(...plainRounds);
  return {
    cpu_us_per_request: cpu,
    p50_ms: round2(routed.p50_ms - base.p50_ms),
    plain_noise_cpu_us: noise,
    within_noise: cpu <= noise,
  };
}
