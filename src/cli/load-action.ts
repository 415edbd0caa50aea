/**
 * `scones load`: uploads images from the staged test split into the intake prefix, as a burst
 * (`--count`) or a stream (`--rate --duration`), optionally drifting (`--drift`), and follows each
 * upload to its decision (src/load/).
 *
 * Where it runs, and how outcomes are found:
 * - embedded (default): starts the tier in this process, event-driven and with data capture (so
 *   `scones monitor` has the traffic), and watches the engine's executions;
 * - embedded with an S3 endpoint configured (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, or
 *   `--endpoint-url`): a running `scones up`, through its S3 and its Step Functions API;
 * - emulator / compose / aws: the deployed bucket and state machine, through the Step Functions
 *   API; aws first prints a plan with its cost and asks (`--yes` skips the question).
 */
import { type DriftKind, parseDriftKind } from '../load/drift-kinds.ts';
import { newRunId } from '../load/generator.ts';
import { plannedUploads } from '../load/pacing.ts';
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_SEED,
  describePlan,
  parseDurationOption,
  uploadPlanOf,
} from '../load/plan-options.ts';
import { progressModeFor } from '../load/progress.ts';
import { runLoad } from '../load/run.ts';
import { loadTestSplit, type SourceImage } from '../load/source-images.ts';
import { formatLoadSummary } from '../load/summary.ts';
import { type LoadCommandOptions, openTarget } from './load-targets.ts';
import { datasetPrefix } from './local-model.ts';
import { log } from './log.ts';

export async function loadCommand(options: LoadCommandOptions): Promise<void> {
  const plan = uploadPlanOf(options);
  const drift: DriftKind | undefined = options.drift ? parseDriftKind(options.drift) : undefined;
  const idleTimeoutMs = options.timeout
    ? parseDurationOption(options.timeout, '--timeout')
    : DEFAULT_IDLE_TIMEOUT_MS;
  const uploads = plannedUploads(plan);
  const target = await openTarget(options, uploads, describePlan(plan));
  let report: Awaited<ReturnType<typeof runLoad>>;
  try {
    const load = () =>
      loadTestSplit(target.s3, target.config.bucket, datasetPrefix(), {
        decode: drift !== undefined,
        stageHint: target.stageHint,
      });
    let sources: SourceImage[];
    try {
      sources = await load();
    } catch (error) {
      if (!target.stageIfMissing) throw error;
      await target.stageIfMissing();
      sources = await load();
    }
    const runId = newRunId();
    const keyPrefix = `${target.config.intakePrefix}load-${runId}/`;
    if (target.confirm && !(await target.confirm(sources, keyPrefix))) {
      log('nothing uploaded (pass --yes to upload without a prompt)');
      return;
    }
    log(
      `uploading ${uploads} images ${describePlan(plan)} to s3://${target.config.bucket}/${keyPrefix} on ${target.describe}`,
    );
    // Ctrl-C stops the uploads; what was uploaded is still followed to its decision.
    const stop = new AbortController();
    const onInterrupt = () => {
      log('stopping the uploads; waiting for the decisions of what was uploaded (Ctrl-C again quits)');
      stop.abort();
      process.once('SIGINT', () => process.exit(130));
    };
    process.once('SIGINT', onInterrupt);
    try {
      report = await runLoad({
        s3: target.s3,
        bucket: target.config.bucket,
        intakePrefix: target.config.intakePrefix,
        sources,
        plan,
        seed: options.seed ?? DEFAULT_SEED,
        runId,
        outcomes: target.outcomes,
        target: target.describe,
        idleTimeoutMs,
        progress: progressModeFor(process.stderr, false),
        signal: stop.signal,
        ...(drift ? { drift } : {}),
      });
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
  } finally {
    await target.close();
  }
  log(formatLoadSummary(report));
  if (report.uploaded > 0 && report.decided + report.failed === 0) {
    log('no upload started an execution: is the upload rule deployed for this bucket and intake prefix?');
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  if (report.lost > 0 || report.upload_failed > 0) process.exitCode = 1;
}
