/**
 * `scones retrain`: one execution of the retraining state machine (statemachine/model-retraining.asl.json)
 * on the embedded tier, or on a running `scones up` (--endpoint-url): reviewed labels + the training
 * split -> a SageMaker training job -> evaluation against the model in service -> the gate -> the
 * registry -> the endpoint. Waits for it and prints what happened; with --json, one JSON line with
 * `outcome` (promoted, rejected, rolled-back, failed), `candidate` and `in_service`.
 */
import { randomBytes } from 'node:crypto';
import type { EmbeddedRuntime, WorkflowEndpointFactory } from '../embedded/runtime.ts';
import { startTarget } from '../targets/index.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import { datasetPrefix, exists, stageData } from './local-model.ts';
import { log } from './log.ts';

export interface RetrainOptions {
  json?: boolean;
  dataDir?: string;
  endpointUrl?: string;
  verbose?: boolean;
  epochs?: number;
  miniBatchSize?: number;
  learningRate?: number;
  cleanMargin?: number;
  evaluationShare?: number;
  tune?: boolean;
  tuningJobs?: number;
  canaryPercent?: number;
  bakeSeconds?: number;
}

export type RetrainOutcome = 'promoted' | 'rejected' | 'rolled-back' | 'failed';

export interface RetrainReport {
  outcome: RetrainOutcome;
  /** The registered model package (null when the execution failed before registering one). */
  candidate: { model_package_arn: string; status: string; training_job: string } | null;
  /** What serves afterwards: the endpoint, its config and model artifact (null when unknown). */
  in_service: { endpoint: string; endpoint_config: string | null; model_data: string | null } | null;
  reason?: string;
  execution: string;
  execution_arn: string;
  duration_ms: number;
  evaluation?: unknown;
  training_set?: unknown;
  skipped_labels?: unknown;
  error?: string;
  cause?: string;
}

/** `retrain-<UTC time>-<random>`: sortable and unique; the run's SageMaker names carry it (63 characters at most). */
export function retrainExecutionName(now = new Date()): string {
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `retrain-${time}-${randomBytes(2).toString('hex')}`;
}

/** The execution input: only what the user set (the ASL's defaults are the notebook's). */
export function retrainInput(options: RetrainOptions): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (options.epochs !== undefined) input.epochs = options.epochs;
  if (options.miniBatchSize !== undefined) input.mini_batch_size = options.miniBatchSize;
  if (options.learningRate !== undefined) input.learning_rate = options.learningRate;
  if (options.cleanMargin !== undefined) input.clean_margin = options.cleanMargin;
  if (options.evaluationShare !== undefined) input.evaluation_share = options.evaluationShare;
  if (options.tune) input.tune = true;
  if (options.tuningJobs !== undefined) input.tuning_jobs = options.tuningJobs;
  if (options.canaryPercent !== undefined) input.canary_percent = options.canaryPercent;
  if (options.bakeSeconds !== undefined) input.bake_seconds = options.bakeSeconds;
  return input;
}

/** The execution's report: its output when it succeeded, its Error and Cause when it failed. */
export function retrainReport(
  record: ExecutionRecord,
  durationMs: number,
  inServiceAfterFailure: RetrainReport['in_service'],
): RetrainReport {
  const base = { execution: record.name, execution_arn: record.executionArn, duration_ms: durationMs };
  if (record.status !== 'SUCCEEDED') {
    return {
      outcome: 'failed',
      candidate: null,
      in_service: inServiceAfterFailure,
      ...base,
      error: record.error ?? record.status,
      ...(record.cause === undefined ? {} : { cause: record.cause }),
    };
  }
  const output = record.output as Omit<RetrainReport, 'execution' | 'execution_arn' | 'duration_ms'>;
  return { ...output, ...base };
}

export function formatRetrainReport(report: RetrainReport): string {
  const seconds = (report.duration_ms / 1000).toFixed(1);
  const lines = [`retraining ${report.execution}: ${report.outcome} (${seconds} s)`];
  if (report.reason) lines.push(`  reason      ${report.reason}`);
  if (report.candidate)
    lines.push(`  candidate   ${report.candidate.model_package_arn} (${report.candidate.status})`);
  if (report.in_service)
    lines.push(
      `  in service  ${report.in_service.endpoint}: ${report.in_service.endpoint_config ?? 'none'} (${report.in_service.model_data ?? 'no model'})`,
    );
  const evaluation = report.evaluation as { report_uri?: string } | undefined;
  if (evaluation?.report_uri) lines.push(`  report      ${evaluation.report_uri}`);
  if (report.error) lines.push(`  ${report.error}: ${(report.cause ?? '').slice(0, 400)}`);
  return lines.join('\n');
}

/** The model in service when nothing else says it: the endpoint as the local SageMaker describes it. */
async function describeInService(runtime: EmbeddedRuntime | undefined): Promise<RetrainReport['in_service']> {
  const sagemaker = runtime?.sagemaker;
  if (!runtime || !sagemaker) return null;
  const endpoint = runtime.config.endpointName;
  try {
    const described = (await sagemaker.call('DescribeEndpoint', { EndpointName: endpoint })) as {
      EndpointConfigName?: string;
    };
    return { endpoint, endpoint_config: described.EndpointConfigName ?? null, model_data: null };
  } catch {
    return { endpoint, endpoint_config: null, model_data: null };
  }
}

/**
 * The model in service is what the local SageMaker's endpoint serves (kept in the data folder: the
 * demo's model, or the last promoted candidate): nothing is deployed at start, which would put the
 * demo's model back over a promoted one.
 */
const endpointAsItIs: WorkflowEndpointFactory = async () => undefined;

export async function retrainCommand(options: RetrainOptions): Promise<void> {
  const target = await startTarget({
    target: 'embedded',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    runningStack: options.endpointUrl ? { endpointUrl: options.endpointUrl } : {},
    embedded: {
      runtime: { workflowEndpoint: endpointAsItIs, ...(options.verbose ? { verbose: true } : {}) },
    },
  });
  let report: RetrainReport;
  try {
    // The embedded store may have no dataset yet: stage the shipped one, as the demo does.
    const manifest = `s3://${target.names.bucket}/${datasetPrefix()}train_lst/train.lst`;
    if (target.kind === 'embedded' && !(await exists(target.clients.s3, manifest))) {
      await stageData(target.clients.s3, target.names.bucket);
    }
    const name = retrainExecutionName();
    if (!options.json)
      log(`retraining ${name} on ${target.kind === 'stack' ? 'the running stack' : 'the embedded tier'} ...`);
    const started = Date.now();
    const record = await target.runRetraining(retrainInput(options), name);
    const inService = record.status === 'SUCCEEDED' ? null : await describeInService(target.runtime);
    report = retrainReport(record, Date.now() - started, inService);
    process.stdout.write(`${options.json ? JSON.stringify(report) : formatRetrainReport(report)}\n`);
  } finally {
    await target.stop();
  }
  if (report.outcome === 'failed') process.exitCode = 1;
}
