/**
 * Shapes of the batch state machine (statemachine/image-batch.asl.json): its input, the files a
 * Distributed Map's ResultWriter writes (as AWS writes them: "ResultWriter (Map)",
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html), and the
 * summary SummarizeBatch makes of them.
 */
import type { Decision, WorkflowResult } from './types.ts';

/** Input of a batch execution; the ASL gives the settings left out their defaults. */
export interface BatchInput {
  s3_bucket: string;
  /** Every object whose key starts with it is one image (S3 ListObjectsV2 `Prefix`). */
  s3_prefix: string;
  /** Child workflows running at once (default 40). */
  max_concurrency?: number;
  /** Share of failed images, 0-100, that still lets the batch succeed (default 0). */
  tolerated_failure_percentage?: number;
}

/** The three result-file statuses; FAILED also holds timed-out and aborted executions. */
export const RESULT_STATUSES = ['FAILED', 'PENDING', 'SUCCEEDED'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export interface ResultFileRef {
  /** Full key, e.g. `batch-results/<batch>/<map run id>/SUCCEEDED_0.json`. */
  Key: string;
  Size: number;
}

/** `manifest.json`, written last, beside the result files. */
export interface ResultManifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: Record<ResultStatus, ResultFileRef[]>;
}

/**
 * One child workflow execution in a result file (Transformation NONE, the default when exporting):
 * DescribeExecution's fields in PascalCase, Input and Output as JSON text, dates as ISO-8601.
 */
export interface ResultRecord {
  Cause?: string;
  Error?: string;
  ExecutionArn?: string;
  Input: string;
  InputDetails: { Included: boolean };
  Name?: string;
  Output?: string;
  OutputDetails?: { Included: boolean };
  RedriveCount?: number;
  RedriveStatus?: string;
  RedriveStatusReason?: string;
  StartDate?: string;
  StateMachineArn?: string;
  Status?: string;
  StopDate?: string;
}

/** What the Distributed Map state returns when it exports its results. */
export interface MapRunOutput {
  MapRunArn: string;
  ResultWriterDetails: { Bucket: string; Key: string };
}

/** The output of one child workflow of the batch (the ItemProcessor's ResultSelector). */
export interface BatchItemOutput {
  /** The nested image-classification execution. */
  execution_arn: string;
  result: WorkflowResult;
}

export interface BatchFailure {
  s3_key: string;
  error: string;
  cause: string;
  /** The child workflow execution of the Map Run (its nested classification is `<batch>-<index>`). */
  execution_arn?: string;
}

/** The batch's summary: SummarizeBatch's output and the content of summary.json. */
export interface BatchSummary {
  batch_execution: string;
  s3_bucket: string;
  s3_prefix: string;
  map_run_arn: string;
  /** FAILED: more images failed than the tolerated share (the batch fails with ExceedToleratedFailureThreshold). */
  status: 'SUCCEEDED' | 'FAILED';
  /** Items listed: succeeded + failed + pending. */
  total: number;
  succeeded: number;
  failed: number;
  /** Not started because the Map Run failed first. */
  pending: number;
  decisions: Record<Decision, number> & Record<string, number>;
  errors: Record<string, number>;
  /** failed / total, in percent (two decimals). */
  failure_percentage: number;
  tolerated_failure_percentage: number;
  max_concurrency: number;
  /** The first failures (all when few); every one is in the FAILED result files. */
  failures: BatchFailure[];
  failures_truncated: boolean;
  results: { manifest: string; summary: string };
  /** FAILED only: the batch execution's Cause. */
  cause?: string;
}
