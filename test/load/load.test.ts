/**
 * `scones load` through its module on the embedded tier, event-driven (uploads start executions),
 * with the stub endpoint: a burst of 400 gets 400 outcomes and loses none (bench:load runs the
 * thousands); failures are
 * counted apart; a stream keeps its pace; the Step Functions API path (what a running `scones up`
 * and the deployed targets answer) finds every outcome too; uploads that start nothing are lost,
 * by name.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSfnClient } from '../../src/aws/clients.ts';
import { datasetPrefix } from '../../src/cli/local-model.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { engineOutcomes } from '../../src/load/engine-outcomes.ts';
import type { LoadReport } from '../../src/load/report.ts';
import { type LoadRunOptions, runLoad } from '../../src/load/run.ts';
import { sfnOutcomes } from '../../src/load/sfn-outcomes.ts';
import { loadTestSplit, type SourceImage, SourceImagesError } from '../../src/load/source-images.ts';
import { findStateMachine } from '../../src/targets/index.ts';
import { resourceNames } from '../../src/workflow/names.ts';
import { ModelInputError } from '../../src/workflow/predictor.ts';
import { stage } from '../../training/stage.ts';

const stub = createStubPredictor();
const triggerLog: string[] = [];
let runtime: EmbeddedRuntime;
let dataDir: string;
let sources: SourceImage[];

const bucket = () => runtime.config.bucket;

function load(options: Partial<LoadRunOptions> & Pick<LoadRunOptions, 'plan'>): Promise<LoadReport> {
  return runLoad({
    s3: runtime.s3,
    bucket: bucket(),
    intakePrefix: runtime.config.intakePrefix,
    sources,
    outcomes: engineOutcomes(runtime.engine, bucket()),
    target: 'embedded (stub endpoint)',
    idleTimeoutMs: 20_000,
    ...options,
  });
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await runtime.s3.send(
      new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((object) => object.Key as string));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

function expectNothingLost(report: LoadReport, uploads: number) {
  expect(report.upload_failed).toBe(0);
  expect(report.uploaded).toBe(uploads);
  expect(report.decided + report.failed).toBe(uploads);
  expect(report.lost).toBe(0);
  expect(report.lost_keys).toEqual([]);
  expect(report.duplicate_executions).toBe(0);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-load-'));
  runtime = await startEmbeddedRuntime({
    dataDir,
    predictor: stub,
    retryDelayMs: 0,
    trigger: { log: (line) => triggerLog.push(line) },
    stepFunctionsApi: true,
    capture: { destinationS3Uri: 's3://scones-images/data_capture', flushIntervalMs: 200 },
  });
  await stage({ s3Client: runtime.s3, bucket: bucket(), prefix: datasetPrefix(), progress: false });
  sources = await loadTestSplit(runtime.s3, bucket(), datasetPrefix(), { decode: true });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  stub.reset();
});

describe('the staged test split as the source of images', () => {
  it('reads every test image with its true label and its pixels', () => {
    expect(sources).toHaveLength(200);
    expect(sources.filter((image) => image.label === 'bicycle')).toHaveLength(100);
    expect(sources.filter((image) => image.label === 'motorcycle')).toHaveLength(100);
    for (const image of sources) {
      expect(image.key.startsWith(`${datasetPrefix()}test/${image.label}/`)).toBe(true);
      expect(image.raw?.rgb).toHaveLength(32 * 32 * 3);
    }
  });

  it('says how to stage when there is no test split', async () => {
    const missing = loadTestSplit(runtime.s3, bucket(), 'nowhere/', { stageHint: 'run `scones stage`' });
    await expect(missing).rejects.toThrow(SourceImagesError);
    await expect(missing).rejects.toThrow(
      'no staged test split at s3://scones-images/nowhere/test_lst/test.lst: run `scones stage`',
    );
  });
});

describe('scones load on the embedded tier', () => {
  it('a burst of 400 uploads: 400 outcomes, none lost, accuracy against the true labels', {
    timeout: 240_000,
  }, async () => {
    // Every image is called a confident bicycle: accuracy is the share of bicycles uploaded.
    stub.setProbabilities([0.9, 0.1]);
    const report = await load({ plan: { mode: 'burst', count: 400, concurrency: 32 } });
    expectNothingLost(report, 400);
    expect(report.decided).toBe(400);
    expect(report.decisions).toEqual({ 'short-range': 400 });
    const keys = await keysUnder(report.key_prefix);
    expect(keys).toHaveLength(400);
    const bicycles = keys.filter((key) => key.endsWith('-bicycle.png')).length;
    expect(bicycles).toBeGreaterThan(120);
    expect(report.accuracy).toBeCloseTo(bicycles / 400, 4);
    expect(report.routed).toBe(400);
    expect(report.manual_review).toBe(0);
    // Latency from PUT to decision: ordered percentiles of real, positive times.
    const { e2e_p50_ms: p50, e2e_p95_ms: p95, e2e_p99_ms: p99, e2e_max_ms: max } = report;
    expect(p50).toBeGreaterThan(0);
    expect(p50 as number).toBeLessThanOrEqual(p95 as number);
    expect(p95 as number).toBeLessThanOrEqual(p99 as number);
    expect(p99 as number).toBeLessThanOrEqual(max as number);
    expect(report.uploads_per_s).toBeGreaterThan(0);
    expect(report.decisions_per_s).toBeGreaterThan(0);
    // Each key's outcome is the classification execution the engine recorded for it.
    const first = runtime.engine.executions.latestForObject(bucket(), keys[0] as string);
    expect(first?.status).toBe('SUCCEEDED');
  });

  it('counts failed executions apart, by error, with examples', { timeout: 60_000 }, async () => {
    stub.setProbabilities([0.2, 0.8]);
    stub.script(...Array.from({ length: 3 }, () => new ModelInputError('scripted refusal', 400)));
    const report = await load({ plan: { mode: 'burst', count: 30, concurrency: 1 } });
    expectNothingLost(report, 30);
    expect(report.failed).toBe(3);
    expect(report.decided).toBe(27);
    expect(report.decisions).toEqual({ 'long-range': 27 });
    expect(Object.values(report.errors)).toEqual([3]);
    expect(report.failed_examples).toHaveLength(3);
    expect(report.failed_examples[0]?.cause).toContain('scripted refusal');
  });

  // That the stream is paced: never ahead of its schedule, so never shorter than its duration nor
  // faster than its rate. Whether a machine keeps the pace is a speed target, measured by
  // `npm run bench:load` (a 60-s stream at 500/s, "sustained"), not here: on a starved machine (load
  // 20 on 2 cores) the PUT answers wait on the busy main thread and a timed bound here failed.
  it('a stream is paced: 25/s for 3 s, never ahead of its schedule', { timeout: 60_000 }, async () => {
    const rate = 25;
    const report = await load({
      plan: { mode: 'stream', ratePerSecond: rate, durationMs: 3000, maxInFlight: 64 },
    });
    expectNothingLost(report, 3 * rate);
    expect(report.mode).toBe('stream');
    // The last upload is scheduled at 2.96 s: a stream sent all at once would take milliseconds.
    expect(report.upload_s).toBeGreaterThan(2.9);
    expect(report.uploads_per_s).toBeLessThan(1.04 * rate);
    expect(report.schedule_lag_p99_ms).not.toBeNull();
  });

  it('finds every outcome through the Step Functions API as well (a running `scones up`)', {
    timeout: 120_000,
  }, async () => {
    const sfn = createSfnClient(runtime.config);
    try {
      const stateMachineArn = await findStateMachine(
        sfn,
        resourceNames(runtime.config.stage).stateMachine,
        'embedded',
      );
      expect(stateMachineArn).toBe(runtime.engine.stateMachineArn);
      const report = await load({
        plan: { mode: 'burst', count: 200, concurrency: 16 },
        drift: 'occlusion',
        outcomes: sfnOutcomes(sfn, stateMachineArn, bucket(), { pollMs: 100 }),
      });
      expectNothingLost(report, 200);
      expect(report.outcomes_from).toBe(`Step Functions API (${stateMachineArn})`);
      expect(report.ramp?.reduce((sum, segment) => sum + segment.uploaded, 0)).toBe(200);
      expect(report.e2e_p50_ms).toBeGreaterThan(0);
    } finally {
      sfn.destroy();
    }
  });

  it('names the uploads that started nothing as lost', { timeout: 60_000 }, async () => {
    const report = await load({
      intakePrefix: 'not-intake/',
      plan: { mode: 'burst', count: 5, concurrency: 5 },
      idleTimeoutMs: 300,
    });
    expect(report.uploaded).toBe(5);
    expect(report.decided + report.failed).toBe(0);
    expect(report.lost).toBe(5);
    expect(report.lost_keys).toHaveLength(5);
    for (const key of report.lost_keys)
      expect(key.startsWith(`not-intake/load-${report.run_id}/`)).toBe(true);
  });
});
