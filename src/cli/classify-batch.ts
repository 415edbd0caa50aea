/**
 * `scones classify s3://bucket/prefix/`: every image under the prefix as one batch, on the chosen
 * target, through the batch state machine (a Distributed Map); prints its summary (per decision,
 * per error, the first failures, where the result files are) or, with --json, one JSON object.
 * A batch that exceeded its tolerated failure share exits 1 after printing what ran.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../aws/s3-uri.ts';
import type { BatchInput, BatchSummary } from '../workflow/batch-types.ts';
import { BATCH_RESULTS_PREFIX } from '../workflow/definition.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import { localModelEndpoint } from './local-model.ts';
import { log } from './log.ts';
import { openWorkflow, type WorkflowOptions } from './workflow-target.ts';

export interface BatchOptions extends WorkflowOptions {
  json?: boolean;
  graph?: string;
  maxConcurrency?: number;
  toleratedFailurePercentage?: number;
}

/** A URI that names a prefix (ends in `/`), not one object. */
export function isPrefixUri(argument: string): boolean {
  return parseS3Uri(argument) !== undefined && argument.endsWith('/');
}

/** `batch-<UTC time>-<random>`: sortable, unique, and short enough for `<name>-<item index>` (80 characters). */
export function batchExecutionName(now = new Date()): string {
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `batch-${time}-${randomBytes(3).toString('hex')}`;
}

/** The summary a failed batch wrote under its results prefix (its execution has no output). */
async function writtenSummary(s3: S3Client, bucket: string, name: string): Promise<BatchSummary | undefined> {
  let newest: { key: string; time: number } | undefined;
  const pages = paginateListObjectsV2(
    { client: s3 },
    { Bucket: bucket, Prefix: `${BATCH_RESULTS_PREFIX}${name}/` },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      const time = object.LastModified?.getTime() ?? 0;
      if (object.Key?.endsWith('/summary.json') && (!newest || time >= newest.time))
        newest = { key: object.Key, time };
    }
  }
  if (!newest) return undefined;
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: newest.key }));
  return JSON.parse((await Body?.transformToString()) ?? 'null') as BatchSummary;
}

export interface BatchReport {
  execution: string;
  execution_arn: string;
  status: ExecutionRecord['status'];
  duration_ms: number;
  images_per_s: number;
  error?: string;
  cause?: string;
  summary?: BatchSummary;
}

const pad = (text: string | number, width: number) => String(text).padEnd(width);
const right = (text: string | number, width: number) => String(text).padStart(width);

export function formatBatchReport(report: BatchReport, where: string): string {
  const { summary } = report;
  const seconds = (report.duration_ms / 1000).toFixed(1);
  const lines = [
    `batch ${report.execution} on ${where}: ${report.status}, ${summary?.total ?? '?'} images in ${seconds} s (${report.images_per_s} images/s)`,
  ];
  if (report.status !== 'SUCCEEDED') lines.push(`  ${report.error}: ${report.cause ?? ''}`);
  if (!summary) return lines.join('\n');
  lines.push(`  ${pad('decision', 16)}${right('images', 8)}`);
  for (const [decision, count] of Object.entries(summary.decisions))
    lines.push(`  ${pad(decision, 16)}${right(count, 8)}`);
  lines.push(
    `  ${pad('failed', 16)}${right(summary.failed, 8)}   ${summary.failure_percentage}% (tolerated ${summary.tolerated_failure_percentage}%)`,
  );
  for (const [error, count] of Object.entries(summary.errors))
    lines.push(`    ${pad(error, 14)}${right(count, 8)}`);
  if (summary.pending > 0) lines.push(`  ${pad('not started', 16)}${right(summary.pending, 8)}`);
  if (summary.failures.length > 0) {
    lines.push(
      `  failures${summary.failures_truncated ? ` (first ${summary.failures.length} of ${summary.failed})` : ''}:`,
    );
    for (const failure of summary.failures)
      lines.push(`    ${failure.s3_key}  ${failure.error}  ${failure.cause.slice(0, 120)}`);
  }
  lines.push(`  results  ${summary.results.manifest}`, `  summary  ${summary.results.summary}`);
  return lines.join('\n');
}

export async function classifyPrefix(uri: string, options: BatchOptions): Promise<void> {
  const location = parseS3Uri(uri);
  if (!location || !uri.endsWith('/')) throw new Error(`${uri} is not a prefix URI (s3://bucket/prefix/)`);
  if (options.graph)
    throw new Error('--graph draws single executions; it does not apply to a batch over a prefix');
  const workflow = await openWorkflow(options, localModelEndpoint(false));
  let report: BatchReport;
  try {
    const input: BatchInput = {
      s3_bucket: location.bucket,
      s3_prefix: location.key,
      ...(options.maxConcurrency === undefined ? {} : { max_concurrency: options.maxConcurrency }),
      ...(options.toleratedFailurePercentage === undefined
        ? {}
        : { tolerated_failure_percentage: options.toleratedFailurePercentage }),
    };
    const name = batchExecutionName();
    if (!options.json) log(`batch ${name}: classifying every object under ${uri} on ${workflow.describe}`);
    const started = Date.now();
    const record = await workflow.runBatch(input, name);
    const durationMs = Date.now() - started;
    const summary =
      record.status === 'SUCCEEDED'
        ? (record.output as BatchSummary)
        : await writtenSummary(workflow.s3, workflow.bucket, name).catch(() => undefined);
    report = {
      execution: name,
      execution_arn: record.executionArn,
      status: record.status,
      duration_ms: durationMs,
      images_per_s: summary && durationMs > 0 ? Math.round((summary.total * 1000) / durationMs) : 0,
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: record.cause }),
      ...(summary ? { summary } : {}),
    };
    process.stdout.write(
      `${options.json ? JSON.stringify(report) : formatBatchReport(report, workflow.describe)}\n`,
    );
  } finally {
    await workflow.close();
  }
  if (report.status !== 'SUCCEEDED') process.exitCode = 1;
  if (workflow.logFile && !options.json) log(`Lambda logs and metrics of this run: ${workflow.logFile}`);
}
