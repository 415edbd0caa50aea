/**
 * Executions as a benchmark runs them: each one counted (succeeded, failed, lost), and the
 * engine's own time of each read from its history's timestamps: the execution's span (started ->
 * ended) minus the spans of its Task states (entered -> exited), i.e. the time the engine spent
 * on transitions, Choice, Pass and Fail states and its own bookkeeping, not in the Lambdas or SDK
 * integrations. Percentiles are then taken over executions. Timestamps have 1 ms resolution
 * (Date.now() in aws-local-stepfunctions; Step Functions' own event timestamps), so the mean is
 * the steadier figure for sub-millisecond engines.
 */
import {
  paginateGetExecutionHistory,
  type SFNClient,
  type HistoryEvent as SfnHistoryEvent,
} from '@aws-sdk/client-sfn';
import type { ExecutionRecord, HistoryEvent } from '../src/workflow/execution.ts';
import type { ExecutionTally } from './checks.ts';
import { type LatencySummary, summarizeLatencies, type TimedRun, timeConcurrent } from './stats.ts';

/** One history event reduced to what the engine-time figure needs. */
export interface TimedEvent {
  kind: 'execution-start' | 'execution-end' | 'task-enter' | 'task-leave' | 'other';
  state?: string;
  timestamp: number;
}

const EXECUTION_ENDS = [
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimeout',
  'ExecutionTimedOut',
];

/** aws-local-stepfunctions events: StateEntered / StateExited / StateFailed with `state.type`. */
export function embeddedEvents(history: HistoryEvent[]): TimedEvent[] {
  return history.map((event) => {
    const task = event.state?.type === 'Task';
    const kind: TimedEvent['kind'] =
      event.type === 'ExecutionStarted'
        ? 'execution-start'
        : EXECUTION_ENDS.includes(event.type)
          ? 'execution-end'
          : task && event.type === 'StateEntered'
            ? 'task-enter'
            : task && (event.type === 'StateExited' || event.type === 'StateFailed')
              ? 'task-leave'
              : 'other';
    return { kind, timestamp: event.timestamp, ...(event.state ? { state: event.state.name } : {}) };
  });
}

/** Step Functions history events (GetExecutionHistory): TaskStateEntered / TaskStateExited. */
export function sfnEvents(history: SfnHistoryEvent[]): TimedEvent[] {
  return history.map((event) => {
    const type = event.type ?? '';
    const kind: TimedEvent['kind'] =
      type === 'ExecutionStarted'
        ? 'execution-start'
        : EXECUTION_ENDS.includes(type)
          ? 'execution-end'
          : type === 'TaskStateEntered'
            ? 'task-enter'
            : type === 'TaskStateExited'
              ? 'task-leave'
              : 'other';
    const state = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
    return { kind, timestamp: event.timestamp?.getTime() ?? 0, ...(state ? { state } : {}) };
  });
}

/** Span minus Task spans, in ms; undefined when the history lacks a start or an end. */
export function engineOwnMs(events: TimedEvent[]): number | undefined {
  const start = events.find((event) => event.kind === 'execution-start')?.timestamp;
  const end = events.findLast((event) => event.kind === 'execution-end')?.timestamp;
  if (start === undefined || end === undefined) return undefined;
  let inTasks = 0;
  const entered = new Map<string, number>();
  for (const event of events) {
    if (event.kind === 'task-enter' && event.state) entered.set(event.state, event.timestamp);
    if (event.kind === 'task-leave' && event.state && entered.has(event.state)) {
      inTasks += event.timestamp - (entered.get(event.state) as number);
      entered.delete(event.state);
    }
  }
  return end - start - inTasks;
}

/** Engine time over executions; `missing` counts executions whose history could not give it. */
export function summarizeEngineTime(histories: TimedEvent[][]): LatencySummary & { missing: number } {
  const times = histories.map(engineOwnMs);
  const known = times.filter((ms): ms is number => ms !== undefined);
  return { ...summarizeLatencies(known), missing: times.length - known.length };
}

/** Every event of an execution on a Step Functions API (all pages). */
export async function sfnHistory(sfn: SFNClient, executionArn: string): Promise<SfnHistoryEvent[]> {
  const events: SfnHistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client: sfn, pageSize: 1000 }, { executionArn }))
    events.push(...(page.events ?? []));
  return events;
}

export interface ExecutionRun extends TimedRun<ExecutionRecord> {
  tally: ExecutionTally;
  /** A few failures, "error: cause" or why the execution was lost. */
  examples: string[];
}

/** Runs `count` executions, `concurrency` at a time; a run that throws or hangs is counted lost. */
export async function runExecutions(
  count: number,
  concurrency: number,
  run: (index: number) => Promise<ExecutionRecord>,
  timeoutMs = 120_000,
): Promise<ExecutionRun> {
  const timed = await timeConcurrent(count, concurrency, run, { timeoutMs });
  const returned = timed.results.filter((record): record is ExecutionRecord => record !== undefined);
  const failed = returned.filter((record) => record.status !== 'SUCCEEDED');
  const examples = [
    ...failed.map((record) => `${record.error}: ${String(record.cause).slice(0, 200)}`),
    ...timed.errors.map((error) => `lost #${error.index}: ${error.message}`),
  ];
  return {
    ...timed,
    tally: {
      executions: count,
      succeeded: returned.length - failed.length,
      failed: failed.length,
      lost: count - returned.length,
    },
    examples,
  };
}
