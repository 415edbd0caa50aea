/**
 * The batch's summary from its ResultWriter files: the manifest names the result files, each a JSON
 * array of child executions (up to 5 GB each on AWS), read as a stream one record at a time, so a
 * batch of 100,000 images is counted in bounded memory. Counts per decision (from each succeeded
 * item's output) and per error (each failed item's Error, the image's own error name), the first
 * failures listed; the summary is written as `summary.json` beside the manifest.
 */
import { JSONParser } from '@streamparser/json';
import { BatchResultsNotFound, InvalidBatchResults } from '../../src/workflow/batch-errors.ts';
import {
  type BatchFailure,
  type BatchItemOutput,
  type BatchSummary,
  RESULT_STATUSES,
  type ResultManifest,
  type ResultRecord,
  type ResultStatus,
} from '../../src/workflow/batch-types.ts';
import { parseExecutionJson } from '../../src/workflow/execution-json.ts';

/** What the summary needs of S3. */
export interface ResultsStore {
  read(bucket: string, key: string): Promise<AsyncIterable<Uint8Array>>;
  /** Keys under the prefix, every page. */
  list(bucket: string, prefix: string): AsyncIterable<{ key: string; lastModified?: Date }>;
  putJson(bucket: string, key: string, value: unknown): Promise<void>;
}

export interface BatchSettings {
  execution_name: string;
  s3_bucket: string;
  s3_prefix: string;
  max_concurrency: number;
  tolerated_failure_percentage: number;
}

export interface SummarizeRequest {
  /** Where the manifest is (the Map state's ResultWriterDetails)... */
  manifest?: { Bucket: string; Key: string };
  /** ...or the prefix to find it under (the Map Run failed, so its output is lost). */
  results?: { Bucket: string; Prefix: string };
  /** True when the Map Run failed on the tolerated share. */
  map_run_failed?: boolean;
  batch: BatchSettings;
}

/** Failures listed in the summary; every one is in the FAILED result files. */
export const LISTED_FAILURES = 100;
const CAUSE_CHARS = 300;
const KNOWN_DECISIONS = ['short-range', 'long-range', 'manual-review'] as const;

const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;

async function locateManifest(store: ResultsStore, request: SummarizeRequest) {
  if (request.manifest) return request.manifest;
  const { Bucket, Prefix } = request.results as { Bucket: string; Prefix: string };
  let newest: { key: string; time: number } | undefined;
  for await (const { key, lastModified } of store.list(Bucket, Prefix)) {
    if (!key.endsWith('/manifest.json')) continue;
    const time = lastModified?.getTime() ?? 0;
    // A redriven Map Run writes another manifest: the newest is the batch's latest state.
    if (!newest || time >= newest.time) newest = { key, time };
  }
  if (!newest) {
    throw new BatchResultsNotFound(`no ResultWriter manifest.json under ${s3Uri(Bucket, Prefix)}`);
  }
  return { Bucket, Key: newest.key };
}

async function readText(store: ResultsStore, bucket: string, key: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of await store.read(bucket, key)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

async function readManifest(store: ResultsStore, bucket: string, key: string): Promise<ResultManifest> {
  let manifest: ResultManifest;
  try {
    manifest = JSON.parse(await readText(store, bucket, key)) as ResultManifest;
  } catch (error) {
    throw new InvalidBatchResults(`${s3Uri(bucket, key)} is not JSON: ${(error as Error).message}`);
  }
  for (const status of RESULT_STATUSES) {
    if (!Array.isArray(manifest?.ResultFiles?.[status])) {
      throw new InvalidBatchResults(`${s3Uri(bucket, key)}: ResultFiles.${status} is not a list of files`);
    }
  }
  return manifest;
}

/** Every record of one result file (a JSON array), parsed as the bytes arrive. */
async function* recordsOf(store: ResultsStore, bucket: string, key: string): AsyncGenerator<ResultRecord> {
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  const ready: ResultRecord[] = [];
  parser.onValue = ({ value }) => {
    ready.push(value as unknown as ResultRecord);
  };
  try {
    for await (const chunk of await store.read(bucket, key)) {
      parser.write(chunk);
      yield* ready.splice(0);
    }
    // The parser ends itself when the array closes; end() says whether the file was cut short.
    if (!parser.isEnded) parser.end();
  } catch (error) {
    if (error instanceof BatchResultsNotFound) throw error;
    throw new InvalidBatchResults(
      `${s3Uri(bucket, key)}: not a JSON array of executions: ${(error as Error).message}`,
    );
  }
  yield* ready.splice(0);
}

function keyOf(record: ResultRecord): string {
  const input = parseExecutionJson(record.Input) as { s3_key?: unknown } | undefined;
  return typeof input?.s3_key === 'string' ? input.s3_key : '(unknown key)';
}

/** A Lambda error's Cause is JSON (errorType, errorMessage, trace): its message is what a person reads. */
function readableCause(cause: string | undefined): string {
  const parsed = parseExecutionJson(cause) as { errorMessage?: unknown } | undefined;
  return typeof parsed?.errorMessage === 'string' ? parsed.errorMessage : (cause ?? '');
}

export async function summarizeBatch(store: ResultsStore, request: SummarizeRequest): Promise<BatchSummary> {
  const where = await locateManifest(store, request);
  const manifest = await readManifest(store, where.Bucket, where.Key);
  const decisions: Record<string, number> = Object.fromEntries(KNOWN_DECISIONS.map((d) => [d, 0]));
  const errors: Record<string, number> = {};
  const failures: BatchFailure[] = [];
  const counts: Record<ResultStatus, number> = { FAILED: 0, PENDING: 0, SUCCEEDED: 0 };
  for (const status of RESULT_STATUSES) {
    for (const file of manifest.ResultFiles[status]) {
      for await (const record of recordsOf(store, manifest.DestinationBucket, file.Key)) {
        counts[status]++;
        if (status === 'SUCCEEDED') {
          const output = parseExecutionJson(record.Output) as Partial<BatchItemOutput> | undefined;
          const decision = String(output?.result?.decision ?? 'unreadable output');
          decisions[decision] = (decisions[decision] ?? 0) + 1;
        } else if (status === 'FAILED') {
          const error = record.Error ?? record.Status ?? 'Unknown';
          errors[error] = (errors[error] ?? 0) + 1;
          if (failures.length < LISTED_FAILURES) {
            failures.push({
              s3_key: keyOf(record),
              error,
              cause: readableCause(record.Cause).slice(0, CAUSE_CHARS),
              ...(record.ExecutionArn ? { execution_arn: record.ExecutionArn } : {}),
            });
          }
        }
      }
    }
  }
  const total = counts.SUCCEEDED + counts.FAILED + counts.PENDING;
  const failurePercentage = total === 0 ? 0 : Math.round((counts.FAILED / total) * 10_000) / 100;
  const summaryKey = where.Key.replace(/manifest\.json$/, 'summary.json');
  const { batch } = request;
  const summary: BatchSummary = {
    batch_execution: batch.execution_name,
    s3_bucket: batch.s3_bucket,
    s3_prefix: batch.s3_prefix,
    map_run_arn: manifest.MapRunArn,
    status: request.map_run_failed ? 'FAILED' : 'SUCCEEDED',
    total,
    succeeded: counts.SUCCEEDED,
    failed: counts.FAILED,
    pending: counts.PENDING,
    decisions: decisions as BatchSummary['decisions'],
    errors,
    failure_percentage: failurePercentage,
    tolerated_failure_percentage: batch.tolerated_failure_percentage,
    max_concurrency: batch.max_concurrency,
    failures,
    failures_truncated: counts.FAILED > failures.length,
    results: { manifest: s3Uri(where.Bucket, where.Key), summary: s3Uri(where.Bucket, summaryKey) },
  };
  if (request.map_run_failed) {
    summary.cause =
      `The specified tolerated failure threshold was exceeded: ${counts.FAILED} of ${total} images failed ` +
      `(${failurePercentage}%, tolerated ${batch.tolerated_failure_percentage}%), ${counts.PENDING} not started. ` +
      `Summary: ${summary.results.summary}`;
  }
  await store.putJson(where.Bucket, summaryKey, summary);
  return summary;
}
