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
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { InvalidArgumentError } from 'commander';
import { createCloudWatchClient, createS3Client } from '../aws/clients.ts';
import { endpointEnvironment, type KitConfig, loadConfig, parseThreshold } from '../config.ts';
import { runLogDir } from '../embedded/functions/index.ts';
import { startLocalS3 } from '../embedded/s3/index.ts';
import {
  type CloudWatchSource,
  DEFAULT_ALARM_MINIMUMS,
  type MonitorSources,
  parseAlarmThresholds,
  parseDuration,
  parseTimeRange,
  renderReportHtml,
  reportJson,
  runMonitor,
} from '../monitor/index.ts';
import { GROUND_TRUTH_PREFIX } from '../review/layout.ts';
import { METRICS_NAMESPACE } from '../workflow/metrics.ts';
import { resourceNames } from '../workflow/names.ts';
import { CAPTURE_PREFIX, datasetPrefix } from './local-model.ts';
import { log } from './log.ts';
import { ALARM_EXIT_CODE, DEFAULT_REPORT } from './monitor.ts';
import { targetOf } from './workflow-target.ts';

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
  threshold: number;
  describe: string;
  close(): Promise<void>;
}

function sourcesFor(s3: S3Client, config: Pick<KitConfig, 'bucket' | 'endpointName'>, capturePrefix: string) {
  return {
    s3,
    bucket: config.bucket,
    capturePrefix: `${capturePrefix.replace(/\/+$/, '')}/${config.endpointName}/`,
    groundTruthPrefix: GROUND_TRUTH_PREFIX,
    datasetPrefix: datasetPrefix(),
  };
}

async function openEmbedded(options: MonitorCommandOptions): Promise<OpenedSources> {
  const env: NodeJS.ProcessEnv = { ...process.env, SCONES_TARGET: 'embedded' };
  const config = loadConfig(env);
  const metricLogs = { metricLogsDir: runLogDir(options.dataDir), metricsNamespace: METRICS_NAMESPACE };
  const threshold = parseThreshold(options.threshold ?? env.THRESHOLD);
  if (config.endpointFor('s3')) {
    const s3 = createS3Client(config);
    return {
      sources: { ...sourcesFor(s3, config, CAPTURE_PREFIX), ...metricLogs },
      threshold,
      describe: `embedded (S3 at ${config.endpointFor('s3')})`,
      close: async () => s3.destroy(),
    };
  }
  const directory = path.resolve(options.dataDir, 's3');
  if (!existsSync(directory)) {
    throw new Error(`no embedded data under ${directory}: run \`scones demo\` first, or pass --data-dir`);
  }
  const localS3 = await startLocalS3({ directory });
  const s3 = createS3Client(loadConfig({ ...env, ...endpointEnvironment({ s3: localS3.endpoint }) }));
  return {
    sources: { ...sourcesFor(s3, config, CAPTURE_PREFIX), ...metricLogs },
    threshold,
    describe: `embedded (${options.dataDir})`,
    async close() {
      s3.destroy();
      await localS3.stop();
    },
  };
}

async function openRemote(
  options: MonitorCommandOptions,
  target: 'emulator' | 'containers' | 'aws',
): Promise<OpenedSources> {
  let config: KitConfig;
  let capturePrefix = CAPTURE_PREFIX;
  if (target === 'aws') {
    // Promote's naming and the account lookup (STS): loaded for AWS alone.
    const [{ PROMOTE_DEFAULTS }, { resolveTarget }] = await Promise.all([
      import('../promote/options.ts'),
      import('../promote/target.ts'),
    ]);
    capturePrefix = PROMOTE_DEFAULTS.capturePrefix;
    const resolved = await resolveTarget({
      ...(options.stage ? { stage: options.stage } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.bucket ? { bucket: options.bucket } : {}),
      ...(options.endpointName ? { endpointName: options.endpointName } : {}),
    });
    config = resolved.config;
  } else {
    config = loadConfig({ ...process.env, SCONES_TARGET: target });
    if (options.bucket) config = { ...config, bucket: options.bucket };
    if (options.endpointName) config = { ...config, endpointName: options.endpointName };
  }
  const s3 = createS3Client(config);
  const client = createCloudWatchClient(config);
  const functionNames = Object.values(resourceNames(config.stage).functions);
  return {
    sources: sourcesFor(s3, config, capturePrefix),
    cloudwatch: { client, namespace: METRICS_NAMESPACE, functionNames },
    threshold: parseThreshold(options.threshold ?? process.env.THRESHOLD),
    describe: `${target} (bucket ${config.bucket}, stage ${config.stage})`,
    async close() {
      s3.destroy();
      client.destroy();
    },
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
  const target = targetOf(options.target);
  const opened = target === 'embedded' ? await openEmbedded(options) : await openRemote(options, target);
  let result: Awaited<ReturnType<typeof runMonitor>>;
  try {
    result = await runMonitor({
      sources: opened.sources,
      ...(opened.cloudwatch ? { cloudwatch: opened.cloudwatch } : {}),
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
  }
  if (out) log(`report: ${path.resolve(out)}`);
  if (options.failOnAlarm && inAlarm.length > 0) {
    log(
      `${inAlarm.length} alarm${inAlarm.length > 1 ? 's' : ''} in ALARM: ${inAlarm.map((a) => a.name).join(', ')}`,
    );
    process.exitCode = ALARM_EXIT_CODE;
  }
}
