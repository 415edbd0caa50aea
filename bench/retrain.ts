/**
 * `npm run bench:retrain`: the retraining loop of issue 19, end to end on this machine, on a stack
 * of the embedded tier (the services `scones up` serves, in this process so every execution's
 * history is at hand for its graph):
 *
 *   1. the shipped CIFAR-100 subset staged; the first retraining, with nothing in service, trains
 *      the notebook's model and creates the endpoint (registry version 1);
 *   2. a drifting stream: `--stream` training-split images under full-strength noise (the
 *      `scones load --drift noise` degradation) through the classification workflow, captured by
 *      the endpoint; the simulated reviewers label every one of them with its known label, through
 *      the review page's ground-truth writes;
 *   3. a candidate trained on shuffled labels (the staged training manifest's labels permuted for
 *      its run, then put back): the gate must stop it (registered Rejected);
 *   4. a candidate that passes the gate but fails in service: its model answers 500 (a fault rule
 *      on its model name, the local SageMaker's `/_scones/faults`) while steady traffic runs; the
 *      stage's rollout alarm (AWS/SageMaker Invocation5XXErrors) must roll the canary back, and the
 *      share of requests it answered is counted from the executions (ModelError → EndpointError);
 *   5. the retraining with the reviewed labels: promoted, timed from StartExecution to its end.
 * Accuracy of the model in service is measured through InvokeEndpoint before step 3 and after
 * step 5, on the held-out drifted images (the retraining's own held-out draw) and on the clean test
 * split. Every execution of the loop must be decided or failed with a named Error (`lost` counts
 * the others). Figures go to .scones/bench/retrain.json, the execution graphs of the promoted and
 * rolled-back retrainings to .scones/bench/retrain/; the last line is JSON.
 * Options: `--stream N` (drifted images, default 500), `--epochs N` (default 30), `--quick`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { datasetPrefix, stageData } from '../src/cli/local-model.ts';
import { LOCAL_CREDENTIALS } from '../src/config.ts';
import { startEmbeddedRuntime } from '../src/embedded/runtime.ts';
import { loadStagedSplit, loadTestSplit } from '../src/load/source-images.ts';
import type { ExecutionRecord } from '../src/workflow/execution.ts';
import { retrainingNames } from '../src/workflow/names.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { BENCH_RESULTS_DIR, finishBench } from './results.ts';
import {
  alarmCleared,
  classifyAll,
  endpointAccuracy,
  heldOut,
  lostOf,
  noisyCopies,
  reviewAll,
  steadyTraffic,
} from './retrain-loop.ts';
import { monitorPictures } from './retrain-pictures.ts';
import { type RetrainingRun, retrain, withShuffledLabels, writeRetrainingGraph } from './retrain-runs.ts';

const TARGETS = { retrain_wall_s: 300, recovered_share: 0.5, clean_loss: 0.01 };
const args = benchArgs(['stream', 'epochs']);
const streamSize = countOption(args.values.stream, args.quick ? 80 : 500, 'stream');
const epochs = countOption(args.values.epochs, args.quick ? 2 : 30, 'epochs');
const checks = new BenchChecks();
const work = await mkdtemp(path.join(tmpdir(), 'scones-bench-retrain-'));
const graphs = path.join(BENCH_RESULTS_DIR, 'retrain');
const log = (line: string) => console.error(`bench retrain: ${line}`);
const round = (x: number) => Math.round(x * 1000) / 1000;

const runtime = await startEmbeddedRuntime({
  dataDir: work,
  port: 0,
  stepFunctionsApi: true,
  workflowEndpoint: async () => undefined,
  env: { THRESHOLD: '0.8' },
});
const endpointName = runtime.config.endpointName;
const invoker = new SageMakerRuntimeClient({
  endpoint: runtime.localS3.endpoint,
  region: runtime.config.region,
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: 1,
});
const cloudwatch = new CloudWatchClient({
  endpoint: runtime.localS3.endpoint,
  region: runtime.config.region,
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: 1,
});
const runs: RetrainingRun[] = [];
const traffic: { records: ExecutionRecord[] } = { records: [] };
const streamRecords: ExecutionRecord[] = [];
let figures: Record<string, unknown> = {};
try {
  const loopStarted = Date.now();
  const engine = await runtime.retraining();
  const bucket = runtime.config.bucket;
  await stageData(runtime.s3, bucket);
  const prefix = datasetPrefix();
  const test = await loadTestSplit(runtime.s3, bucket, prefix);
  const train = await loadStagedSplit(runtime.s3, bucket, prefix, 'train', { decode: true });
  log(
    `staged: ${train.length} train, ${test.length} test images; training the first model (${epochs} epochs)`,
  );

  const baseline = await retrain(engine, 'bench-baseline', { epochs }, log);
  runs.push(baseline);
  checks.expect(
    baseline.outcome === 'promoted',
    `the first model was ${baseline.outcome}: ${baseline.reason}`,
  );

  const drifted = await noisyCopies(train.slice(0, streamSize), 19);
  const streamed = await classifyAll(runtime, drifted, 'bench/drift-stream/');
  streamRecords.push(...streamed.flatMap((image) => (image.record ? [image.record] : [])));
  const labelled = await reviewAll(runtime, streamed);
  log(`drifting stream: ${streamed.length} executions, ${labelled} labelled by the simulated reviewers`);
  checks.expect(
    labelled === streamed.length,
    `only ${labelled} of ${streamed.length} streamed images got an inference id`,
  );
  const driftedHeldOut = heldOut(streamed);
  const accuracy = async () => ({
    drifted: round(await endpointAccuracy(invoker, endpointName, driftedHeldOut)),
    clean: round(await endpointAccuracy(invoker, endpointName, test)),
  });
  const before = await accuracy();
  log(
    `in service before: drifted ${before.drifted}, clean ${before.clean} (${driftedHeldOut.length} held-out drifted images)`,
  );

  const shuffled = await withShuffledLabels(runtime.s3, bucket, prefix, () =>
    retrain(engine, 'bench-shuffled-labels', { epochs: Math.max(1, Math.round(epochs / 3)) }, log),
  );
  runs.push(shuffled);

  // The failing candidate: trained as the good one is (fewer epochs), its model answering 500.
  const failingName = 'bench-failing-in-service';
  runtime.faults.add({
    modelName: `${retrainingNames(runtime.config.stage).runNamePrefix}${failingName}`,
    status: 500,
    message: 'bench: the candidate fails in service',
  });
  const steady = steadyTraffic(runtime, test);
  const failing = await retrain(
    engine,
    failingName,
    // The alarm's period is a minute and it reads complete periods: a bake of 3 covers its detection.
    {
      // --quick trains 2-epoch models: the candidate needs them all to pass the gate.
      epochs: args.quick ? epochs : Math.round(epochs / 3),
      clean_margin: args.quick ? 0.3 : 0.1,
      canary_percent: 10,
      bake_seconds: 180,
    },
    log,
  );
  runs.push(failing);
  runtime.faults.clear();
  const rolledBack = (await runtime.sagemaker?.call('DescribeEndpoint', { EndpointName: endpointName })) as
    | { FailureReason?: string }
    | undefined;
  // The rollout window: from the canary's UpdateEndpoint to the retraining's end. The candidate
  // answers only inside it; the traffic goes on (blue serving) while the alarm clears.
  const updateEntered = failing.record.history.find(
    (event) => event.type.endsWith('StateEntered') && event.state?.name === 'UpdateEndpoint',
  )?.timestamp;
  const inWindow = (record: ExecutionRecord) =>
    updateEntered !== undefined &&
    record.startDate.getTime() >= updateEntered &&
    record.startDate.getTime() <= failing.record.stopDate.getTime();
  // As an operator would: the next rollout waits for the alarm the failed canary set off to clear.
  const clearedAfterS = await alarmCleared(cloudwatch, retrainingNames(runtime.config.stage).rolloutAlarm);
  log(`the rollout alarm is OK again ${clearedAfterS} s after the rollback`);
  await steady.stop();
  traffic.records = steady.records;
  const windowRecords = steady.records.filter(inWindow);
  const answeredByCandidate = windowRecords.filter(
    (record) => record.error === 'EndpointError' && String(record.cause).includes('ModelError'),
  ).length;
  const afterWindow = steady.records.filter(
    (record) => record.startDate.getTime() > failing.record.stopDate.getTime(),
  );
  checks.expect(steady.thrown.length === 0, `traffic runs threw: ${steady.thrown.slice(0, 3).join('; ')}`);
  checks.expect(
    afterWindow.every((record) => record.status === 'SUCCEEDED'),
    'an execution failed after the rollback: the candidate still answered',
  );

  const good = await retrain(engine, 'bench-reviewed-labels', { epochs, bake_seconds: 30 }, log);
  runs.push(good);
  const after = await accuracy();
  log(`in service after: drifted ${after.drifted}, clean ${after.clean}`);
  // The stream goes on after the promotion, and the reviewers with it: the monitor's model-version
  // view then has reviewed inferences of the new version too (fresh images, never trained on).
  const later = await noisyCopies(train.slice(streamSize, streamSize + Math.ceil(streamSize / 5)), 2019);
  const laterStreamed = await classifyAll(runtime, later, 'bench/drift-stream-after/');
  streamRecords.push(...laterStreamed.flatMap((image) => (image.record ? [image.record] : [])));
  await reviewAll(runtime, laterStreamed);

  const lost =
    [...lostOf(streamRecords), ...lostOf(traffic.records)].length + runs.filter((run) => !run.decided).length;
  const driftLoss = before.clean - before.drifted;
  figures = {
    stream_images: streamed.length,
    reviewed_labels: labelled,
    held_out_drifted: driftedHeldOut.length,
    held_out_clean: test.length,
    accuracy_drifted_before: before.drifted,
    accuracy_drifted_after: after.drifted,
    accuracy_clean_before: before.clean,
    accuracy_clean_after: after.clean,
    recovered_share: driftLoss > 0 ? round((after.drifted - before.drifted) / driftLoss) : null,
    bad_candidate_outcome: shuffled.outcome,
    bad_candidate_reason: shuffled.reason,
    failing_candidate_outcome: failing.outcome,
    failing_candidate_share:
      windowRecords.length > 0 ? round(answeredByCandidate / windowRecords.length) : null,
    failing_candidate_requests: {
      answered_by_candidate: answeredByCandidate,
      during_rollout: windowRecords.length,
      after_rollback: afterWindow.length,
    },
    rollout_alarm_cleared_s: clearedAfterS,
    failing_candidate_failure_reason: rolledBack?.FailureReason ?? null,
    failing_candidate_rollout_s: failing.phases.rollout,
    retrain_outcome: good.outcome,
    retrain_wall_s: good.wallS,
    retrain_phases_s: good.phases,
    baseline_wall_s: baseline.wallS,
    epochs,
    lost,
  };
  checks.expect(lost === 0, `${lost} executions lost`);
  // --quick trains 2-epoch models on a few images: its outcomes prove the loop runs, nothing more.
  if (!args.quick) {
    checks.expect(shuffled.outcome === 'rejected', `the shuffled-label candidate was ${shuffled.outcome}`);
    checks.expect(
      failing.outcome === 'rolled-back',
      `the failing candidate was ${failing.outcome}: ${failing.reason}`,
    );
    checks.expect(good.outcome === 'promoted', `the retraining was ${good.outcome}: ${good.reason}`);
    checks.expect(good.wallS <= TARGETS.retrain_wall_s, `retraining took ${good.wallS} s`);
    checks.expect(
      after.drifted - before.drifted >= TARGETS.recovered_share * driftLoss,
      `drifted accuracy ${before.drifted} -> ${after.drifted} recovers less than half of the ${round(driftLoss)} lost`,
    );
    checks.expect(
      round(before.clean - after.clean) <= TARGETS.clean_loss,
      `clean accuracy ${before.clean} -> ${after.clean} lost more than ${TARGETS.clean_loss}`,
    );
  }
  await mkdir(graphs, { recursive: true });
  for (const run of [good, failing, shuffled]) await writeRetrainingGraph(graphs, run);
  const pictures = await monitorPictures(
    runtime,
    work,
    { since: loopStarted, until: Date.now() + 1000 },
    graphs,
  );
  log(`monitor report ${pictures.html}; ${pictures.png ?? `no screenshot: ${pictures.skipped}`}`);
  const versions = pictures.versions as {
    message?: string;
    versions?: {
      id: string;
      status: string;
      inferences: number;
      reviewed: number;
      accuracy: number | null;
    }[];
  };
  figures.monitor_model_versions = {
    message: versions.message,
    versions: (versions.versions ?? []).map(({ id, status, inferences, reviewed, accuracy }) => ({
      id,
      status,
      inferences,
      reviewed,
      accuracy: accuracy === null ? null : round(accuracy),
    })),
  };
} catch (error) {
  checks.expect(false, `the loop stopped: ${(error as Error).stack ?? error}`);
} finally {
  invoker.destroy();
  cloudwatch.destroy();
  await runtime.stop();
  await rm(work, { recursive: true, force: true });
}
await finishBench('retrain', figures, checks);
