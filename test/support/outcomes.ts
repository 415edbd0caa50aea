/**
 * What the tiers are compared on: per image, the decision (route, review or error), the confidence
 * and predicted label, or the error name and message. Timing and execution names are left out.
 */
import type { ExecutionRecord } from '../../src/workflow/execution.ts';
import type { ImageEvent, WorkflowResult } from '../../src/workflow/types.ts';
import { forEachConcurrent } from '../../training/concurrency.ts';

export interface Decision {
  decision: string;
  confidence: number | null;
  predictedLabel: string | null;
  error: string | null;
  /** The errorType inside the Lambda Cause JSON; equals `error` on AWS. */
  errorType: string | null;
  errorMessage: string | null;
}

export function decisionOf(record: ExecutionRecord): Decision {
  if (record.status === 'FAILED') {
    const cause = JSON.parse(record.cause ?? '{}') as { errorType?: string; errorMessage?: string };
    return {
      decision: 'error',
      confidence: null,
      predictedLabel: null,
      error: record.error ?? null,
      errorType: cause.errorType ?? null,
      errorMessage: cause.errorMessage ?? null,
    };
  }
  const result = record.output as WorkflowResult;
  return {
    decision: result.decision,
    confidence: result.confidence,
    predictedLabel: result.predicted_label,
    error: null,
    errorType: null,
    errorMessage: null,
  };
}

/** Decisions for every key, `concurrency` executions in flight. */
export async function decideAll(
  run: (event: ImageEvent) => Promise<ExecutionRecord>,
  bucket: string,
  keys: string[],
  concurrency: number,
): Promise<Map<string, Decision>> {
  const decisions = new Map<string, Decision>();
  await forEachConcurrent(keys, concurrency, async (key) => {
    decisions.set(key, decisionOf(await run({ s3_bucket: bucket, s3_key: key })));
  });
  return decisions;
}
