/**
 * Drift is caught (issue 12, item 5), end to end on the embedded tier with a trained model: a
 * seeded stream from `scones load` that degrades over its run (`--drift noise`) puts alarms of the
 * monitor in ALARM, and the same stream without drift puts none there. Uploads start executions,
 * the real Lambdas call the endpoint serving the model, the endpoint captures the traffic in
 * SageMaker's format, and the monitor reads that capture (`runMonitor`, and `scones monitor
 * --json` for the drifting run).
 *
 * The model is the cheap one of the real-model test (three epochs of a small network): it is
 * right about three times in four but seldom sure, so the routing threshold is set to suit it
 * (THRESHOLD=0.55; at the default 0.8 even clean traffic sends most images to review, which the
 * low-confidence alarm rightly reports). Noise drives this model to one confident answer, so the
 * class mix and the confidence histogram move away from the baseline: the drift rules fire. Their
 * default minimum is 200 inferences in a window, so the monitor is asked for a quarter of each
 * run's span as its window (whole seconds): about 250 inferences each, whatever pace the machine
 * kept. The 100/s streams (1,000 uploads in 10 s) give 3-second windows, on a starved machine
 * longer ones, rather than windows too thin for the drift rules to be evaluated.
 *
 * An upload is classified at least once, not exactly once: on a starved machine an InvokeEndpoint
 * can outlast the classify Lambda's 10-s timeout after the endpoint has answered (and captured),
 * and the ASL's retry of EndpointUnavailable invokes it again. So the monitor is held to the
 * inferences the endpoint made during each run, every one of them captured, and those to at least
 * one per upload.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { datasetPrefix } from '../../src/cli/local-model.ts';
import { DEFAULTS, endpointEnvironment, loadConfig } from '../../src/config.ts';
import { startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { startLocalS3 } from '../../src/embedded/s3/index.ts';
import { engineOutcomes } from '../../src/load/engine-outcomes.ts';
import type { LoadReport } from '../../src/load/report.ts';
import { runLoad } from '../../src/load/run.ts';
import { loadTestSplit } from '../../src/load/source-images.ts';
import { type MonitorResult, runMonitor } from '../../src/monitor/index.ts';
import { ModelPredictor } from '../../training/predictor.ts';
import { stage } from '../../training/stage.ts';
import { train } from '../../training/train-job.ts';
import { lastJsonLine, scones } from './scones-cli.ts';

const THRESHOLD = 0.55;
const STREAM = { mode: 'stream', ratePerSecond: 100, durationMs: 10_000, maxInFlight: 64 } as const;

interface Run {
  report: LoadReport;
  since: number;
  until: number;
  /** The monitor's window for this run: a quarter of its span, in whole seconds. */
  windowMs: number;
  /** Inferences the endpoint made during the run, and the capture records it took of them. */
  invocations: number;
  captured: number;
}

let dataDir: string;
let clean: Run;
let drifting: Run;

async function monitorOf(run: Run): Promise<MonitorResult> {
  const local = await startLocalS3({ directory: path.join(dataDir, 's3') });
  const s3 = createS3Client(
    loadConfig({ SCONES_TARGET: 'embedded', ...endpointEnvironment({ s3: local.endpoint }) }),
  );
  try {
    return await runMonitor({
      sources: {
        s3,
        bucket: DEFAULTS.bucket,
        capturePrefix: `data_capture/${DEFAULTS.endpointName}/`,
        groundTruthPrefix: 'ground_truth/',
        datasetPrefix: datasetPrefix(),
        metricLogsDir: path.join(dataDir, 'logs'),
        metricsNamespace: 'Scones',
      },
      settings: {
        threshold: THRESHOLD,
        windowMs: run.windowMs,
        range: { since: run.since, until: run.until },
      },
    });
  } finally {
    s3.destroy();
    await local.stop();
  }
}

const inAlarm = (result: MonitorResult) =>
  result.report.alarms.filter((alarm) => alarm.state === 'ALARM').map((alarm) => alarm.name);
/** Every rule's value and evidence, for failure messages. */
const evidence = (result: MonitorResult) =>
  result.report.alarms
    .map((alarm) => `${alarm.name} ${alarm.state} ${alarm.value}: ${alarm.evidence}`)
    .join('\n');

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-drift-caught-'));
  const runtime = await startEmbeddedRuntime({
    dataDir,
    env: { THRESHOLD: String(THRESHOLD) },
    retryDelayMs: 0,
    trigger: { log: () => {} },
    capture: { destinationS3Uri: `s3://${DEFAULTS.bucket}/data_capture`, flushIntervalMs: 200 },
    predictor: async (s3, config) => {
      await stage({ s3Client: s3, bucket: config.bucket, prefix: datasetPrefix(), progress: false });
      const job = await train({
        s3Client: s3,
        bucket: config.bucket,
        prefix: datasetPrefix(),
        output: `s3://${config.bucket}/training-jobs`,
        job: 'drift-tiny',
        epochs: 3,
        seed: 3,
        hyperparameters: { members: 1, batchSize: 32, learningRate: 0.005, model: { filters: [8, 16] } },
      });
      return ModelPredictor.load(job.modelUri, { s3Client: s3 });
    },
  });
  try {
    const bucket = runtime.config.bucket;
    const sources = await loadTestSplit(runtime.s3, bucket, datasetPrefix(), { decode: true });
    // Captured records carry whole seconds (SageMaker's inferenceTime), so each run's range is
    // widened to whole seconds and the runs are kept a second apart.
    const stream = async (drift?: 'noise'): Promise<Run> => {
      const since = Math.floor(Date.now() / 1000) * 1000;
      const invoked = runtime.endpoint.invocations;
      const captured = runtime.endpoint.capture?.captured ?? 0;
      const report = await runLoad({
        s3: runtime.s3,
        bucket,
        intakePrefix: runtime.config.intakePrefix,
        sources,
        plan: STREAM,
        seed: 21,
        outcomes: engineOutcomes(runtime.engine, bucket),
        target: 'embedded (trained model)',
        ...(drift ? { drift } : {}),
      });
      await runtime.endpoint.capture?.flush();
      const until = (Math.floor(Date.now() / 1000) + 1) * 1000;
      await sleep(until - Date.now() + 100);
      return {
        report,
        since,
        until,
        windowMs: Math.ceil((until - since) / 4 / 1000) * 1000,
        invocations: runtime.endpoint.invocations - invoked,
        captured: (runtime.endpoint.capture?.captured ?? 0) - captured,
      };
    };
    clean = await stream();
    drifting = await stream('noise');
  } finally {
    await runtime.stop();
  }
}, 300_000);

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('drift is caught on the embedded tier with a trained model', () => {
  it('ran both streams whole: every upload decided', () => {
    for (const run of [clean, drifting]) {
      expect(run.report.uploaded).toBe(1000);
      expect(run.report.lost).toBe(0);
      expect(run.report.failed).toBe(0);
      expect(run.invocations).toBeGreaterThanOrEqual(1000);
      expect(run.captured).toBe(run.invocations);
    }
    // The drift did what it says: the model is mostly wrong at the end of the ramp.
    const ramp = drifting.report.ramp ?? [];
    expect(ramp[0]?.accuracy as number).toBeGreaterThan(ramp[3]?.accuracy as number);
  });

  it('keeps every alarm OK on the clean stream, the drift rules evaluated', async () => {
    const result = await monitorOf(clean);
    expect(result.report.totals.inferences).toBe(clean.invocations);
    expect(inAlarm(result), evidence(result)).toEqual([]);
    const drift = result.report.alarms.find((alarm) => alarm.name === 'class-mix-drift');
    expect(drift?.evaluated).toBeGreaterThan(0);
  });

  it('puts drift alarms in ALARM on the degrading stream, late in the run', async () => {
    const result = await monitorOf(drifting);
    expect(result.report.totals.inferences).toBe(drifting.invocations);
    const alarms = inAlarm(result);
    expect(alarms.length, evidence(result)).toBeGreaterThan(0);
    expect(alarms).toContain('class-mix-drift');
    for (const alarm of result.report.alarms.filter((a) => a.state === 'ALARM')) {
      // The evidence is a window in the second half of the ramp.
      expect(Date.parse(alarm.window?.start ?? ''), alarm.name).toBeGreaterThan(
        (drifting.since + drifting.until) / 2 - drifting.windowMs,
      );
    }
  });

  it('says so through `scones monitor --json --fail-on-alarm` too', { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await scones([
      'monitor',
      '--json',
      '--fail-on-alarm',
      '--data-dir',
      dataDir,
      '--threshold',
      String(THRESHOLD),
      '--window',
      `${drifting.windowMs / 1000}s`,
      '--since',
      new Date(drifting.since).toISOString(),
      '--until',
      new Date(drifting.until).toISOString(),
    ]);
    expect(code, stderr).toBe(2);
    const json = lastJsonLine<{
      alarms: { name: string; state: string; value: number | null; threshold: number }[];
    }>(stdout);
    const alarm = json.alarms.find((candidate) => candidate.name === 'class-mix-drift');
    expect(alarm?.state).toBe('ALARM');
    expect(alarm?.value as number).toBeGreaterThan(alarm?.threshold as number);
  });
});
