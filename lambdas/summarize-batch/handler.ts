/** SummarizeBatch Lambda: validate the event, count the batch's ResultWriter files, write summary.json. */
import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { BatchResultsNotFound } from '../../src/workflow/batch-errors.ts';
import type { BatchSummary } from '../../src/workflow/batch-types.ts';
import { InvalidEvent } from '../../src/workflow/errors.ts';
import { METRIC } from '../../src/workflow/metrics.ts';
import { type EventRecord, requireEventObject, requireNonEmptyString } from '../shared/event-fields.ts';
import {
  type InstrumentedHandler,
  type InvocationContext,
  instrument,
  MetricUnit,
  type TelemetryOptions,
} from '../shared/telemetry.ts';
import { type ResultsStore, type SummarizeRequest, summarizeBatch } from './summarize.ts';

const STATE = 'SummarizeBatch';

export interface SummarizeHandlerDependencies {
  s3: S3Client;
  /** Where logs and metrics go; default stdout and process.env, as on Lambda. */
  telemetry?: TelemetryOptions;
}

export type SummarizeHandler = InstrumentedHandler<BatchSummary>;

function requireNumber(record: EventRecord, field: string, min: number, max: number): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidEvent(`${STATE}: "batch.${field}" must be a number from ${min} to ${max}`);
  }
  return value;
}

function requireLocation(event: EventRecord, field: 'manifest' | 'results', keyField: 'Key' | 'Prefix') {
  const location = requireEventObject(event[field], `${STATE} ${field}`);
  return {
    Bucket: requireNonEmptyString(location, 'Bucket', `${STATE} ${field}`),
    [keyField]: requireNonEmptyString(location, keyField, `${STATE} ${field}`),
  };
}

/** `{ manifest: {Bucket, Key} }` (the Map state's ResultWriterDetails) or `{ results: {Bucket, Prefix} }`, and `batch`. */
export function parseSummarizeEvent(event: unknown): SummarizeRequest {
  const record = requireEventObject(event, STATE);
  if ((record.manifest === undefined) === (record.results === undefined)) {
    throw new InvalidEvent(`${STATE}: the event needs exactly one of "manifest" and "results"`);
  }
  const batch = requireEventObject(record.batch, `${STATE} batch`);
  return {
    ...(record.manifest !== undefined
      ? { manifest: requireLocation(record, 'manifest', 'Key') as { Bucket: string; Key: string } }
      : { results: requireLocation(record, 'results', 'Prefix') as { Bucket: string; Prefix: string } }),
    ...(record.map_run_failed === true ? { map_run_failed: true } : {}),
    batch: {
      execution_name: requireNonEmptyString(batch, 'execution_name', `${STATE} batch`),
      s3_bucket: requireNonEmptyString(batch, 's3_bucket', `${STATE} batch`),
      s3_prefix: typeof batch.s3_prefix === 'string' ? batch.s3_prefix : '',
      max_concurrency: requireNumber(batch, 'max_concurrency', 0, Number.MAX_SAFE_INTEGER),
      tolerated_failure_percentage: requireNumber(batch, 'tolerated_failure_percentage', 0, 100),
    },
  };
}

/** The summary's view of S3: GetObject streamed, ListObjectsV2 every page, PutObject of JSON. */
export function s3ResultsStore(s3: S3Client): ResultsStore {
  return {
    async read(bucket, key) {
      try {
        const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (Body ?? []) as AsyncIterable<Uint8Array>;
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') {
          throw new BatchResultsNotFound(`the result file s3://${bucket}/${key} does not exist`, {
            cause: error,
          });
        }
        throw error;
      }
    },
    async *list(bucket, prefix) {
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
        for (const object of page.Contents ?? []) {
          if (object.Key)
            yield { key: object.Key, ...(object.LastModified ? { lastModified: object.LastModified } : {}) };
        }
      }
    },
    async putJson(bucket, key, value) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: `${JSON.stringify(value, null, 2)}\n`,
          ContentType: 'application/json',
        }),
      );
    },
  };
}

export function createHandler(deps: SummarizeHandlerDependencies): SummarizeHandler {
  const store = s3ResultsStore(deps.s3);
  return instrument(STATE, deps.telemetry ?? {}, async (event, invocation) => {
    const request = parseSummarizeEvent(event);
    invocation.appendKeys({ execution_name: request.batch.execution_name });
    const summary = await summarizeBatch(store, request);
    invocation.metric(METRIC.batchImages, MetricUnit.Count, summary.total);
    invocation.metric(METRIC.batchFailedImages, MetricUnit.Count, summary.failed);
    invocation.info('batch summarized', {
      status: summary.status,
      total: summary.total,
      succeeded: summary.succeeded,
      failed: summary.failed,
      pending: summary.pending,
      decisions: summary.decisions,
      errors: summary.errors,
      summary: summary.results.summary,
    });
    return summary;
  });
}

let lambdaHandler: SummarizeHandler | undefined;

/** Lambda entry point; the S3 client is created on the first invocation and reused by warm ones. */
export async function handler(event: unknown, context?: InvocationContext): Promise<BatchSummary> {
  lambdaHandler ??= createHandler({ s3: createS3Client(loadConfig()) });
  return lambdaHandler(event, context);
}
