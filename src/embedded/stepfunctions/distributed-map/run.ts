/**
 * One Map Run: the items handed to child workflow executions, at most MaxConcurrency at once (0:
 * Step Functions' ceiling of 10,000), and the tolerated-failure rule as "Tolerated failure
 * threshold for Distributed Map state" words it
 * (https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html): the share is
 * failed or timed-out items over all items, the Map Run fails when the share (or the count) is
 * *exceeded*; with neither set, one failure fails it; with both, whichever is exceeded first. Once it
 * is exceeded no further child starts (those running finish and are recorded); the items never
 * started are the PENDING results.
 */
import type { ResultStatus } from '../../../workflow/batch-types.ts';
import type { ExecutionRecord } from '../../../workflow/execution.ts';
import type { ItemOutcome, MapRunPlan, MapRunResult, Tolerance } from './types.ts';

/** Step Functions runs at most this many child workflows of a Map Run at once. */
export const DISTRIBUTED_MAX_CONCURRENCY = 10_000;

/** True when `failed` of `total` items exceed the tolerance (neither set: any failure does). */
export function exceedsTolerance(tolerance: Tolerance, failed: number, total: number): boolean {
  const { percentage, count } = tolerance;
  if (percentage === undefined && count === undefined) return failed > 0;
  if (count !== undefined && failed > count) return true;
  return percentage !== undefined && failed * 100 > percentage * total;
}

export async function runMapRun(plan: MapRunPlan): Promise<MapRunResult> {
  const iterator = plan.items[Symbol.asyncIterator]();
  const counts: Record<ResultStatus, number> = { FAILED: 0, PENDING: 0, SUCCEEDED: 0 };
  let next = 0;
  let exceeded = false;
  /** An item that could not even be started (its ItemSelector failed): the Map state fails with it. */
  let broken: { error: unknown } | undefined;
  let total = plan.total;
  // One pull at a time: the listing is read page by page, in key order.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<IteratorResult<unknown>> => {
    const result = pulling.then(() => iterator.next());
    pulling = result.catch(() => {});
    return result;
  };
  const worker = async () => {
    for (let item = await pull(); !item.done && !broken; item = await pull()) {
      const index = next++;
      total = Math.max(total, next);
      if (exceeded) {
        const record = await plan.pendingItem(item.value, index);
        counts.PENDING++;
        plan.onOutcome({ status: 'PENDING', record }, index);
        continue;
      }
      let outcome: ItemOutcome;
      try {
        outcome = await plan.runItem(item.value, index);
      } catch (error) {
        broken ??= { error };
        return;
      }
      counts[outcome.status]++;
      plan.onOutcome(outcome, index);
      if (outcome.status === 'FAILED' && exceedsTolerance(plan.tolerance, counts.FAILED, total))
        exceeded = true;
    }
  };
  const concurrency = Math.min(
    plan.maxConcurrency || DISTRIBUTED_MAX_CONCURRENCY,
    DISTRIBUTED_MAX_CONCURRENCY,
  );
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, plan.total || 1)) }, worker);
  const settled = await Promise.allSettled(workers);
  if (broken) throw broken.error;
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return { exceeded, total: Math.max(total, next), counts };
}

/** A closed child workflow execution as a result-file record (Transformation NONE). */
export function resultRecordOf(record: ExecutionRecord, stateMachineArn: string): ItemOutcome {
  const succeeded = record.status === 'SUCCEEDED';
  return {
    status: succeeded ? 'SUCCEEDED' : 'FAILED',
    ...(succeeded ? { output: record.output } : {}),
    record: {
      ...(succeeded || record.cause === undefined ? {} : { Cause: record.cause }),
      ...(succeeded || record.error === undefined ? {} : { Error: record.error }),
      ExecutionArn: record.executionArn,
      Input: JSON.stringify(record.input ?? null),
      InputDetails: { Included: true },
      Name: record.name,
      ...(succeeded
        ? { Output: JSON.stringify(record.output ?? null), OutputDetails: { Included: true } }
        : {}),
      RedriveCount: 0,
      // A failed child is redriven by redriving its Map Run (the parent), never on its own.
      RedriveStatus: succeeded ? 'NOT_REDRIVABLE' : 'REDRIVABLE_BY_MAP_RUN',
      ...(succeeded ? { RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' } : {}),
      StartDate: record.startDate.toISOString(),
      StateMachineArn: stateMachineArn,
      Status: record.status,
      StopDate: record.stopDate.toISOString(),
    },
  };
}
