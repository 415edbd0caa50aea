/**
 * Whether a failed state would be retried, as TestState answers it (developer guide, "Testing
 * retry and error handling"): the state's retriers are matched by the engine's own rule
 * (StateExecutor.shouldRetry: ErrorEquals, States.ALL, States.TaskFailed, terminal errors), each
 * taken as having already retried `retrierRetryCount` times, so a retrier whose MaxAttempts that
 * count reaches is exhausted and the error goes on to Catch. Nothing sleeps and nothing runs
 * again: the answer is RETRIABLE with the retrier's index and its backoff,
 * IntervalSeconds × BackoffRate^retrierRetryCount, capped by MaxDelaySeconds (the guide's example:
 * 2 s, rate 2.0, count 1 gives 4).
 */
import { engineInternals, type StateExecutorInstance } from '../jsonata/library.ts';

const DEFAULT_INTERVAL_SECONDS = 1;
const DEFAULT_BACKOFF_RATE = 2;

export interface RetryDecision {
  retryIndex: number;
  retryBackoffIntervalSeconds: number;
}

interface Retrier {
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

export function retryDecision(
  stateName: string,
  definition: Record<string, unknown> & { Type: string },
  error: unknown,
  retrierRetryCount: number,
): RetryDecision | undefined {
  if (!Array.isArray(definition.Retry)) return undefined;
  const { StateExecutor } = engineInternals();
  const judge = new (
    StateExecutor as unknown as new (
      name: string,
      definition: unknown,
    ) => StateExecutorInstance
  )(stateName, definition);
  judge.retrierAttempts.fill(retrierRetryCount);
  // Overriding the interval keeps the engine from drawing a jitter it would not use here.
  const decision = judge.shouldRetry(error, { [stateName]: 0 });
  if (!decision.shouldRetry || decision.retrierIndex === undefined) return undefined;
  const retrier = definition.Retry[decision.retrierIndex] as Retrier;
  const interval = retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
  const rate = retrier.BackoffRate ?? DEFAULT_BACKOFF_RATE;
  let backoff = interval * rate ** retrierRetryCount;
  if (retrier.MaxDelaySeconds !== undefined) backoff = Math.min(backoff, retrier.MaxDelaySeconds);
  return { retryIndex: decision.retrierIndex, retryBackoffIntervalSeconds: Math.round(backoff) };
}
