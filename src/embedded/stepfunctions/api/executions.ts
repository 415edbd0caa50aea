/**
 * Executions as the Step Functions API shows them, read from the engine's execution registry:
 * running ones (with their input) and the closed summaries it keeps (the newest 10,000: status,
 * input and output up to 4 KiB, error, cause; no state-by-state history). DescribeExecution,
 * ListExecutions (newest first, `statusFilter`, paging that stays stable while executions start)
 * and GetExecutionHistory (the events those summaries support) are built from here.
 */
import type { ExecutionStatusSnapshot, ExecutionStatusValue } from '../../../events/execution-events.ts';
import type { ExecutionRegistry } from '../execution-registry.ts';
import type { ExecutionSummary, StartedExecution } from '../types.ts';
import { sfnErrors } from './errors.ts';

/** One execution in the API's terms: input and output as JSON text, absent when not kept (over 4 KiB). */
export interface ExecutionView extends Omit<ExecutionStatusSnapshot, 'input' | 'output'> {
  input?: string;
  output?: string;
}

/** `arn:aws:states:<region>:<account>:execution:<state machine>:<name>` → its parts. */
export function parseExecutionArn(arn: string): { stateMachineArn: string; name: string } {
  const parts = arn.split(':');
  if (parts.length !== 8 || parts[0] !== 'arn' || parts[2] !== 'states' || parts[5] !== 'execution') {
    throw sfnErrors.invalidArn(arn, 'Resource type not valid in this context: expected an execution ARN');
  }
  const [, partition, service, region, account, , machine, name] = parts;
  return {
    stateMachineArn: `arn:${partition}:${service}:${region}:${account}:stateMachine:${machine}`,
    name: name as string,
  };
}

function runningView(entry: { input: string; started: StartedExecution }): ExecutionView {
  const { executionArn, name, startDate } = entry.started;
  return {
    executionArn,
    stateMachineArn: parseExecutionArn(executionArn).stateMachineArn,
    name,
    status: 'RUNNING',
    startDate,
    input: entry.input,
  };
}

function closedView(summary: ExecutionSummary): ExecutionView {
  return {
    executionArn: summary.executionArn,
    stateMachineArn: parseExecutionArn(summary.executionArn).stateMachineArn,
    name: summary.name,
    status: summary.status,
    startDate: new Date(summary.startDate),
    stopDate: new Date(summary.stopDate),
    ...(summary.input === undefined ? {} : { input: JSON.stringify(summary.input) }),
    ...(summary.output === undefined ? {} : { output: JSON.stringify(summary.output) }),
    ...(summary.error === undefined ? {} : { error: summary.error }),
    ...(summary.cause === undefined ? {} : { cause: summary.cause }),
  };
}

export function findExecution(registry: ExecutionRegistry, executionArn: string): ExecutionView {
  const { name } = parseExecutionArn(executionArn);
  const running = registry.running.get(name);
  if (running?.started.executionArn === executionArn) return runningView(running);
  const closed = registry.closed.get(name);
  if (closed?.executionArn === executionArn) return closedView(closed);
  throw sfnErrors.executionDoesNotExist(executionArn);
}

/** Newest first, as ListExecutions sorts; equal start times by name, so the order is total. */
type Position = Pick<ExecutionView, 'startDate' | 'name'>;

function newerFirst(a: Position, b: Position): number {
  return b.startDate.getTime() - a.startDate.getTime() || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
}

export interface ListRequest {
  stateMachineArn: string;
  statusFilter?: ExecutionStatusValue;
  maxResults: number;
  nextToken?: string;
}

/**
 * One page of a state machine's executions. The token names the last execution returned (start
 * time and name) together with the request's arguments: the next page starts after it, so
 * executions started meanwhile never shift a page, and a token reused with other arguments is
 * InvalidToken, as AWS says ("Keep all other arguments unchanged").
 */
export function listExecutions(
  registry: ExecutionRegistry,
  request: ListRequest,
): { executions: ExecutionView[]; nextToken?: string } {
  const after = request.nextToken === undefined ? undefined : readToken(request.nextToken, request);
  const matching: ExecutionView[] = [];
  const consider = (view: ExecutionView) => {
    if (view.stateMachineArn !== request.stateMachineArn) return;
    if (request.statusFilter && view.status !== request.statusFilter) return;
    if (after && newerFirst(view, after) <= 0) return;
    matching.push(view);
  };
  for (const entry of registry.running.values()) consider(runningView(entry));
  for (const summary of registry.closed.values()) consider(closedView(summary));
  matching.sort(newerFirst);
  const page = matching.slice(0, request.maxResults);
  const last = page.at(-1);
  return matching.length > page.length && last
    ? { executions: page, nextToken: writeToken(last, request) }
    : { executions: page };
}

interface TokenBody {
  arn: string;
  status: string;
  at: number;
  name: string;
}

function writeToken(last: ExecutionView, request: ListRequest): string {
  const body: TokenBody = {
    arn: request.stateMachineArn,
    status: request.statusFilter ?? '',
    at: last.startDate.getTime(),
    name: last.name,
  };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

function readToken(token: string, request: ListRequest): Position {
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw sfnErrors.invalidToken(token);
  }
  if (
    body.arn !== request.stateMachineArn ||
    body.status !== (request.statusFilter ?? '') ||
    typeof body.at !== 'number' ||
    typeof body.name !== 'string'
  ) {
    throw sfnErrors.invalidToken(token);
  }
  return { name: body.name, startDate: new Date(body.at) };
}

/** GetExecutionHistory's events, from what the registry keeps: the start and, once closed, the end. */
export function historyOf(view: ExecutionView, roleArn: string, includeData: boolean) {
  const data = (key: 'input' | 'output', value: string | undefined) =>
    includeData && value !== undefined ? { [key]: value, [`${key}Details`]: { truncated: false } } : {};
  const events: Record<string, unknown>[] = [
    {
      id: 1,
      previousEventId: 0,
      timestamp: view.startDate,
      type: 'ExecutionStarted',
      executionStartedEventDetails: { ...data('input', view.input), roleArn },
    },
  ];
  if (view.stopDate) {
    const end = { id: 2, previousEventId: 1, timestamp: view.stopDate };
    if (view.status === 'SUCCEEDED') {
      events.push({
        ...end,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: data('output', view.output),
      });
    } else {
      const kind =
        view.status === 'TIMED_OUT' ? 'TimedOut' : view.status === 'ABORTED' ? 'Aborted' : 'Failed';
      const details = {
        ...(view.error === undefined ? {} : { error: view.error }),
        ...(view.cause === undefined ? {} : { cause: view.cause }),
      };
      events.push({ ...end, type: `Execution${kind}`, [`execution${kind}EventDetails`]: details });
    }
  }
  return events;
}
