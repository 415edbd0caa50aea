/**
 * The actions of the embedded Step Functions API over the engine's state machines and execution
 * registry: request members checked as the service model declares them (botocore's and the
 * SDK's `stepfunctions` model: names 1-80 characters, page sizes 0-1000 with 0 meaning the
 * default, input up to 262,144 characters), answers in the API reference's shapes, dates as epoch
 * seconds (the JSON 1.0 protocol's timestamp format).
 */
import { z } from 'zod';
import type { ExecutionStatusValue } from '../../../events/execution-events.ts';
import { isValidExecutionName } from '../../../events/execution-name.ts';
import { TaskError } from '../../shared/index.ts';
import { ExecutionAlreadyExists } from '../execution-registry.ts';
import type { StartedExecution } from '../types.ts';
import { SfnApiError, sfnErrors } from './errors.ts';
import {
  type ExecutionView,
  findExecution,
  historyOf,
  listExecutions,
  parseExecutionArn,
} from './executions.ts';
import { STATE_MACHINE_LIFECYCLE } from './lifecycle.ts';
import { type Action, arn, parse, seconds, stateMachineOf } from './requests.ts';
import { TEST_STATE } from './test-state-action.ts';
import type { SfnApiHost } from './types.ts';
import { VALIDATE_DEFINITION } from './validate-definition.ts';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
const DEFAULT_PAGE = 100;

const pageSize = z.number().int().min(0).max(1000).optional();
const pageToken = z.string().min(1).max(3096).optional();

const schemas = {
  ListStateMachines: z.object({ maxResults: pageSize, nextToken: pageToken }),
  DescribeStateMachine: z.object({ stateMachineArn: arn }),
  StartExecution: z.object({
    stateMachineArn: arn,
    name: z.string().min(1).max(80).optional(),
    input: z.string().max(262_144).optional(),
    traceHeader: z.string().max(256).optional(),
  }),
  DescribeExecution: z.object({ executionArn: arn }),
  ListExecutions: z.object({
    stateMachineArn: arn.optional(),
    mapRunArn: z.string().optional(),
    statusFilter: z.enum(STATUSES).optional(),
    maxResults: pageSize,
    nextToken: pageToken,
  }),
  GetExecutionHistory: z.object({
    executionArn: arn,
    maxResults: pageSize,
    reverseOrder: z.boolean().optional(),
    nextToken: pageToken,
    includeExecutionData: z.boolean().optional(),
  }),
};

/** ListExecutions' ExecutionListItem. */
function listItem(view: ExecutionView) {
  return {
    executionArn: view.executionArn,
    stateMachineArn: view.stateMachineArn,
    name: view.name,
    status: view.status,
    startDate: seconds(view.startDate),
    ...(view.stopDate ? { stopDate: seconds(view.stopDate) } : {}),
    redriveCount: 0,
  };
}

/** The execution an ARN names, looked up among its state machine's executions. */
function executionOf(host: SfnApiHost, executionArn: string): ExecutionView {
  const { stateMachineArn } = parseExecutionArn(executionArn);
  const machine = host.stateMachines().find((candidate) => candidate.stateMachineArn === stateMachineArn);
  if (!machine) throw sfnErrors.executionDoesNotExist(executionArn);
  return findExecution(machine.executions, executionArn);
}

function describeExecution(view: ExecutionView) {
  return {
    ...listItem(view),
    ...(view.input === undefined ? {} : { input: view.input }),
    inputDetails: { included: view.input !== undefined },
    ...(view.output === undefined ? {} : { output: view.output }),
    ...(view.status === 'SUCCEEDED' ? { outputDetails: { included: view.output !== undefined } } : {}),
    ...(view.error === undefined ? {} : { error: view.error }),
    ...(view.cause === undefined ? {} : { cause: view.cause }),
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

/** An offset page of a fixed list (state machines, one execution's history events). */
function offsetPage<T>(
  items: readonly T[],
  maxResults: number | undefined,
  token: string | undefined,
  scope: string,
) {
  let offset = 0;
  if (token !== undefined) {
    const [tokenScope, position] = Buffer.from(token, 'base64url').toString('utf8').split('\n');
    offset = Number(position);
    if (tokenScope !== scope || !Number.isInteger(offset) || offset < 0) throw sfnErrors.invalidToken(token);
  }
  const end = offset + (maxResults || DEFAULT_PAGE);
  const nextToken = end < items.length ? Buffer.from(`${scope}\n${end}`).toString('base64url') : undefined;
  return { page: items.slice(offset, end), ...(nextToken ? { nextToken } : {}) };
}

export const SFN_ACTIONS: Record<string, Action> = {
  ...STATE_MACHINE_LIFECYCLE,
  ...TEST_STATE,
  ...VALIDATE_DEFINITION,

  ListStateMachines(host, request) {
    const { maxResults, nextToken } = parse(schemas.ListStateMachines, request);
    const { page, ...rest } = offsetPage(host.stateMachines(), maxResults, nextToken, 'state-machines');
    return {
      stateMachines: page.map((machine) => ({
        stateMachineArn: machine.stateMachineArn,
        name: machine.name,
        type: 'STANDARD',
        creationDate: seconds(machine.creationDate),
      })),
      ...rest,
    };
  },

  DescribeStateMachine(host, request) {
    const machine = stateMachineOf(host, parse(schemas.DescribeStateMachine, request).stateMachineArn);
    return {
      stateMachineArn: machine.stateMachineArn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: 'STANDARD',
      creationDate: seconds(machine.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  },

  StartExecution(host, request) {
    const { stateMachineArn, name, input = '{}' } = parse(schemas.StartExecution, request);
    const machine = stateMachineOf(host, stateMachineArn);
    if (name !== undefined && !isValidExecutionName(name)) throw sfnErrors.invalidName(name);
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch (error) {
      throw sfnErrors.invalidExecutionInput((error as Error).message);
    }
    let started: StartedExecution;
    try {
      started = machine.start(parsedInput, name);
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) throw sfnErrors.executionAlreadyExists(error.message);
      if (error instanceof TaskError) throw sfnErrors.invalidExecutionInput(error.message);
      throw error;
    }
    // The outcome lands in the registry; a run that could not even start is only worth a log line.
    started.done.catch((error: unknown) =>
      (host.log ?? console.error)(
        `sfn api: execution ${started.name} did not run: ${(error as Error).message}`,
      ),
    );
    return { executionArn: started.executionArn, startDate: seconds(started.startDate) };
  },

  DescribeExecution(host, request) {
    return describeExecution(executionOf(host, parse(schemas.DescribeExecution, request).executionArn));
  },

  ListExecutions(host, request) {
    const input = parse(schemas.ListExecutions, request);
    if (input.mapRunArn !== undefined) {
      throw sfnErrors.validation('mapRunArn: the embedded engine runs Map states inline and has no map runs');
    }
    if (input.stateMachineArn === undefined) {
      throw sfnErrors.validation('Must provide a StateMachine ARN or MapRun ARN');
    }
    const machine = stateMachineOf(host, input.stateMachineArn);
    const { executions, nextToken } = listExecutions(machine.executions, {
      stateMachineArn: input.stateMachineArn,
      maxResults: input.maxResults || DEFAULT_PAGE,
      ...(input.statusFilter ? { statusFilter: input.statusFilter as ExecutionStatusValue } : {}),
      ...(input.nextToken ? { nextToken: input.nextToken } : {}),
    });
    return {
      executions: executions.map(listItem),
      ...(nextToken ? { nextToken } : {}),
    };
  },

  GetExecutionHistory(host, request) {
    const input = parse(schemas.GetExecutionHistory, request);
    const view = executionOf(host, input.executionArn);
    const { roleArn } = stateMachineOf(host, view.stateMachineArn);
    const events = historyOf(view, roleArn, input.includeExecutionData ?? true).map((event) => ({
      ...event,
      timestamp: seconds(event.timestamp as Date),
    }));
    if (input.reverseOrder) events.reverse();
    const scope = `${input.executionArn}:${input.reverseOrder ? 'reverse' : 'forward'}`;
    const { page, ...rest } = offsetPage(events, input.maxResults, input.nextToken, scope);
    return { events: page, ...rest };
  },
};

/** Runs one action; anything that is not the service's own error becomes InternalFailure. */
export async function runSfnAction(host: SfnApiHost, action: string, request: unknown): Promise<unknown> {
  const handler = Object.hasOwn(SFN_ACTIONS, action) ? SFN_ACTIONS[action] : undefined;
  if (!handler) {
    throw sfnErrors.unknownOperation(
      `The embedded Step Functions API does not implement ${action}; it answers ${Object.keys(SFN_ACTIONS).join(', ')}`,
    );
  }
  try {
    return await handler(host, request);
  } catch (error) {
    if (error instanceof SfnApiError) throw error;
    throw sfnErrors.internal((error as Error).message);
  }
}
