/**
 * `scones monitor`: the HTML report (and `--json`) of captured traffic, ground truth and the
 * Lambdas' metrics, with alarms; `--fail-on-alarm` exits 2 when any alarm is in ALARM (1 stays
 * "could not run"), for cron and CI.
 *
 * Where it reads, per target:
 * - embedded: the S3 at AWS_ENDPOINT_URL_S3 when set (a running stack), else the local S3 over
 *   `<data dir>/s3`, started for the command; the EMF lines of `<data dir>/logs/*.jsonl`;
 * - emulator / compose: that target's S3; metrics from its CloudWatch API when it has one;
 * - aws: the promoted stage's bucket (promote's naming; standard credential chain),
 *   `data_capture/<endpoint>/` and `ground_truth/`, and CloudWatch GetMetricData on the Lambdas'
 *   namespace for this stage's functions.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { parseThreshold } from '../config.ts';
import { runLogDir } from '../embedded/functions/index.ts';
import {
  type CloudWatchSource,
  DEFAULT_ALARM_MINIMUMS,
  type MonitorSources,
  modelVersionLines,
  parseAlarmThresholds,
  parseDuration,
  parseTimeRange,
  type RetrainingHistorySource,
  renderReportHtml,
  reportJson,
  runMonitor,
  sdkRetrainingHistory,
} from '../monitor/index.ts';
import { GROUND_TRUTH_PREFIX } from '../review/layout.ts';
import { type StartedTarget, startTarget, type TargetKind } from '../targets/index.ts';
import { METRICS_NAMESPACE } from '../workflow/metrics.ts';
import { resourceNames, retrainingNames } from '../workflow/names.ts';
import { CAPTURE_PREFIX, datasetPrefix } from './local-model.ts';
import { log } from './log.ts';
import { ALARM_EXIT_CODE, DEFAULT_REPORT } from './options.ts';

export interface MonitorCommandOptions {
  out?: string;
  json?: boolean;
  failOnAlarm?: boolean;
  since?: string;
  until?: string;
  target: string;
  dataDir: string;
  threshold?: string;
  alarm?: string[];
  window?: string;
  baselineUntil?: string;
  minWindowInferences?: number;
  minLabels?: number;
  minDriftInferences?: number;
  stage?: string;
  region?: string;
  profile?: string;
  bucket?: string;
  endpointName?: string;
}

interface OpenedSources {
  sources: MonitorSources;
  cloudwatch?: CloudWatchSource;
  retrainingHistory: RetrainingHistorySource;
  threshold: number;
  describe: string;
  close(): Promise<void>;
}

/** Each placement's words, where the Lambdas' metrics are read, and whether it keeps executions. */
interface MonitorPlacement {
  describe(target: StartedTarget, options: MonitorCommandOptions): string;
  /** Why the target has no retraining executions to read; undefined when its Step Functions API does. */
  noExecutions?: string;
  /** The EMF lines of the embedded tier's run logs, or the target's CloudWatch. */
  metrics(
    target: StartedTarget,
    options: MonitorCommandOptions,
  ): Partial<MonitorSources> & {
    cloudwatch?: CloudWatchSource;
  };
}

const metricLogs = (_target: StartedTarget, options: MonitorCommandOptions) => ({
  metricLogsDir: runLogDir(options.dataDir),
  metricsNamespace: METRICS_NAMESPACE,
});

const PLACEMENTS: Record<TargetKind, MonitorPlacement> = {
  embedded: {
    describe: (_target, options) => `embedded (${options.dataDir})`,
    metrics: metricLogs,
    noExecutions:
      'the embedded store alone has no Step Functions API; run `scones up` and point the monitor at it (AWS_ENDPOINT_URL) to see the retraining executions',
  },
  stack: { describe: (target) => `embedded (S3 at ${target.config.endpointFor('s3')})`, metrics: metricLogs },
  deployed: {
    describe: ({ target, config }) => `${target} (bucket ${config.bucket}, stage ${config.stage})`,
    metrics: ({ clients, config }) => ({
      cloudwatch: {
        client: clients.cloudwatch,
        namespace: METRICS_NAMESPACE,
        functionNames: Object.values(resourceNames(config.stage).functions),
      },
    }),
  },
};

/** A Step Functions API with no executions to give, so the report says why in its one line. */
class NoRetrainingHistory extends Error {
  override name = 'NoRetrainingHistory';
}

/**
 * The retraining executions and the registry of the target's stage, read through its clients when
 * the report is built (a client the target cannot make then fails the read, not the command). The
 * registry is optional: without a SageMaker endpoint versions come from the executions' outputs.
 */
function retrainingHistoryOf(target: StartedTarget, placement: MonitorPlacement): RetrainingHistorySource {
  const names = retrainingNames(target.names.stage);
  const describe = `executions of ${names.stateMachine}, model package group ${names.modelPackageGroup}`;
  const why = placement.noExecutions;
  if (why) return { describe, read: () => Promise.reject(new NoRetrainingHistory(why)) };
  return {
    describe,
    read() {
      let sagemaker: StartedTarget['clients']['sagemaker'] | undefined;
      try {
        sagemaker = target.clients.sagemaker;
      } catch {
        sagemaker = undefined;
      }
      return sdkRetrainingHistory({
        sfn: target.clients.sfn,
        ...(sagemaker ? { sagemaker } : {}),
        stateMachineName: names.stateMachine,
        modelPackageGroup: names.modelPackageGroup,
        runNamePrefix: names.runNamePrefix,
      }).read();
    },
  };
}

/** AWS: the promoted stage (promote's naming; standard credential chain). */
async function promotedStage(options: MonitorCommandOptions) {
  // The account lookup (STS): loaded for AWS alone.
  const { resolveTarget } = await import('../promote/target.ts');
  return resolveTarget({
    ...(options.stage ? { stage: options.stage } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.bucket ? { bucket: options.bucket } : {}),
    ...(options.endpointName ? { endpointName: options.endpointName } : {}),
  });
}

/**
 * The captured traffic, ground truth and metrics of the target. Every target's endpoint captures
 * under `data_capture/<endpoint>/`: the embedded tier's (CAPTURE_PREFIX) as promote's default.
 */
async function openSources(options: MonitorCommandOptions): Promise<OpenedSources> {
  const threshold = parseThreshold(options.threshold ?? process.env.THRESHOLD);
  const target = await startTarget({
    target: options.target,
    dataDir: options.dataDir,
    embedded: { store: 'read' },
    runningStack: {},
    resolveAws: () => promotedStage(options),
    deployedOverrides: {
      ...(options.bucket ? { bucket: options.bucket } : {}),
      ...(options.endpointName ? { endpointName: options.endpointName } : {}),
    },
  });
  const placement = PLACEMENTS[target.kind];
  const { cloudwatch, ...metricSources } = placement.metrics(target, options);
  return {
    sources: {
      s3: target.clients.s3,
      bucket: target.names.bucket,
      capturePrefix: `${CAPTURE_PREFIX.replace(/\/+$/, '')}/${target.names.endpointName}/`,
      groundTruthPrefix: GROUND_TRUTH_PREFIX,
      datasetPrefix: datasetPrefix(),
      ...metricSources,
    },
    ...(cloudwatch ? { cloudwatch } : {}),
    retrainingHistory: retrainingHistoryOf(target, placement),
    threshold,
    describe: placement.describe(target, options),
    close: () => target.stop(),
  };
}

function windowOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1000 || ms % 1000 !== 0) {
    throw new InvalidArgumentError(
      `--window must be a whole number of seconds or more (30s, 5m, 1h, 1d); got "${value}"`,
    );
  }
  return ms;
}

export async function monitorCommand(options: MonitorCommandOptions): Promise<void> {
  const range = parseTimeRange(options);
  const thresholds = parseAlarmThresholds(options.alarm ?? []);
  const windowMs = windowOption(options.window);
  const baselineUntil = options.baselineUntil
    ? parseTimeRange({ until: options.baselineUntil }).until
    : undefined;
  const minimums = {
    windowInferences: options.minWindowInferences ?? DEFAULT_ALARM_MINIMUMS.windowInferences,
    labels: options.minLabels ?? DEFAULT_ALARM_MINIMUMS.labels,
    driftInferences: options.minDriftInferences ?? DEFAULT_ALARM_MINIMUMS.driftInferences,
  };
  const opened = await openSources(options);
  let result: Awaited<ReturnType<typeof runMonitor>>;
  try {
    result = await runMonitor({
      sources: opened.sources,
      ...(opened.cloudwatch ? { cloudwatch: opened.cloudwatch } : {}),
      retrainingHistory: opened.retrainingHistory,
      settings: {
        threshold: opened.threshold,
        range,
        thresholds,
        minimums,
        ...(windowMs ? { windowMs } : {}),
        ...(baselineUntil !== undefined ? { baselineUntil } : {}),
      },
    });
  } finally {
    await opened.close();
  }
  const { report } = result;
  const out = options.out ?? (options.json ? undefined : DEFAULT_REPORT);
  if (out) {
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await writeFile(out, await renderReportHtml(result, minimums));
  }
  const inAlarm = report.alarms.filter((alarm) => alarm.state === 'ALARM');
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify(reportJson(result, { target: opened.describe, ...(out ? { report: path.resolve(out) } : {}) }))}\n`,
    );
  } else {
    if (report.totals.inferences === 0) {
      log(
        `no captured inferences in the range under s3://${opened.sources.bucket}/${opened.sources.capturePrefix}`,
      );
    }
    const windows = report.windows.length;
    log(
      `${opened.describe}: ${report.totals.inferences} inferences in ${windows} window${windows === 1 ? '' : 's'}`,
    );
    for (const alarm of report.alarms)
      log(`  ${alarm.state.padEnd(5)}  ${alarm.name.padEnd(22)} ${alarm.evidence}`);
    for (const line of modelVersionLines(report.modelVersions)) log(line);
  }
  if (out) log(`report: ${path.resolve(out)}`);
  if (options.failOnAlarm && inAlarm.length > 0) {
    log(
      `${inAlarm.length} alarm${inAlarm.length > 1 ? 's' : ''} in ALARM: ${inAlarm.map((a) => a.name).join(', ')}`,
    );
    process.exitCode = ALARM_EXIT_CODE;
  }
}
