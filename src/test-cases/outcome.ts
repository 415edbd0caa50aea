/**
 * What a test case is judged on, read from an execution record of any engine: the status, the
 * decision or the Error, the states entered in order and the invocations of each Task state.
 * Two history vocabularies arrive here: aws-local-stepfunctions' (`StateEntered`, one
 * `StateRetried` per retry) and the Step Functions API's (`TaskStateEntered`, `PassStateEntered`,
 * ..., one `TaskScheduled` per invocation, retries included).
 */
import { isDeepStrictEqual } from 'node:util';
import type { ExecutionRecord, HistoryEvent } from '../workflow/execution.ts';
import type { ExpectedOutcome } from './expected-outcomes.ts';

export interface Outcome {
  status: 'SUCCEEDED' | 'FAILED';
  decision?: string;
  error?: string;
  states: string[];
  attempts: Record<string, number>;
}

function isStateEntered(event: HistoryEvent): boolean {
  return event.type === 'StateEntered' || /^[A-Za-z]+StateEntered$/.test(event.type);
}

/** `decisionField`: the output field a succeeded execution's decision is read from. */
export function outcomeOf(record: ExecutionRecord, decisionField = 'decision'): Outcome {
  const states: string[] = [];
  const attempts: Record<string, number> = {};
  let current: string | undefined;
  let currentIsTask = false;
  for (const event of record.history) {
    if (isStateEntered(event) && event.state) {
      current = event.state.name;
      currentIsTask = event.type === 'TaskStateEntered' || event.state.type === 'Task';
      states.push(current);
      // The embedded engine reports retries, not invocations: its first invocation is implied.
      if (event.type === 'StateEntered' && currentIsTask) attempts[current] = (attempts[current] ?? 0) + 1;
      continue;
    }
    if (!current || !currentIsTask) continue;
    if (event.type === 'StateRetried' || event.type === 'TaskScheduled')
      attempts[current] = (attempts[current] ?? 0) + 1;
  }
  const output = record.output as Record<string, unknown> | undefined;
  const decision = output?.[decisionField];
  return {
    // A timed-out execution (TIMED_OUT, from a definition's TimeoutSeconds) did not succeed either.
    status: record.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
    ...(record.status === 'SUCCEEDED'
      ? { decision: typeof decision === 'string' ? decision : '(none)' }
      : {}),
    ...(record.status === 'FAILED' ? { error: record.error ?? '(none)' } : {}),
    states,
    attempts,
  };
}

/** `short-range`, or `FAILED EndpointUnavailable`. */
export function resultOf(outcome: Pick<Outcome, 'status' | 'decision' | 'error'>): string {
  return outcome.status === 'SUCCEEDED' ? (outcome.decision ?? '(none)') : `FAILED ${outcome.error}`;
}

/**
 * How `got` differs from `expected`, one line per difference (empty when it matches).
 * `reviewItem` is the stored review object's text, when the case expects one.
 */
export function differences(expected: ExpectedOutcome, got: Outcome, reviewItem?: string): string[] {
  const found: string[] = [];
  if (resultOf(expected) !== resultOf(got))
    found.push(`result: expected ${resultOf(expected)}, got ${resultOf(got)}`);
  if (!isDeepStrictEqual(expected.states, got.states))
    found.push(`states: expected ${expected.states.join(' > ')}, got ${got.states.join(' > ')}`);
  if (!isDeepStrictEqual(expected.attempts, got.attempts))
    found.push(
      `attempts: expected ${JSON.stringify(expected.attempts)}, got ${JSON.stringify(got.attempts)}`,
    );
  if (expected.status === 'SUCCEEDED' && expected.reviewItem)
    found.push(...reviewItemDifferences(expected.reviewItem, reviewItem));
  return found;
}

function reviewItemDifferences(wanted: Record<string, unknown>, stored: string | undefined): string[] {
  if (stored === undefined) return ['review item: no object was stored'];
  let item: unknown;
  try {
    item = JSON.parse(stored);
  } catch {
    return [`review item: not JSON: ${stored.slice(0, 120)}`];
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return [
      `review item: expected a JSON object, got ${typeof item === 'string' ? 'a JSON string (double-encoded)' : JSON.stringify(item).slice(0, 80)}`,
    ];
  const record = item as Record<string, unknown>;
  return Object.entries(wanted)
    .filter(([field, value]) => !isDeepStrictEqual(record[field], value))
    .map(
      ([field, value]) =>
        `review item: ${field} expected ${JSON.stringify(value)}, got ${JSON.stringify(record[field])}`,
    );
}
