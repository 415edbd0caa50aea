/**
 * Runs the workflow's ASL in-process with aws-local-stepfunctions. Every Task state is bound to a
 * local implementation that answers like the AWS service behind it (see lambda-integration.ts and
 * sdk-integration.ts), so the definition is the very one deployed elsewhere. The state machine is
 * built (and validated) once; each run keeps its whole execution history.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { assertWithinPayloadLimit, bindLambdaInvoke, type LambdaHandler } from './lambda-integration.ts';
import { bindSdkIntegration, type SdkIntegrationClients } from './sdk-integration.ts';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED';

/** One entry of the execution history, as aws-local-stepfunctions reports it. */
export interface HistoryEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
}

export interface ExecutionRecord {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  /** For failed executions: the error name (e.g. ImageNotFound) and its cause. */
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate: Date;
  history: HistoryEvent[];
}

export interface EngineOptions {
  /** The substituted ASL definition. */
  definition: Record<string, unknown>;
  /** Lambda handlers by function ARN, as named in the definition's `FunctionName` parameters. */
  functions: Record<string, LambdaHandler>;
  /** Clients for the `aws-sdk:` integrations the definition uses. */
  clients: SdkIntegrationClients;
  stateMachineArn?: string;
  /** Milliseconds to wait before each retry instead of the ASL's IntervalSeconds (tests). */
  retryDelayMs?: number;
}

type LocalHandler = (input: unknown) => Promise<unknown>;

export class EmbeddedEngine {
  readonly stateMachineArn: string;
  private readonly stateMachine: StateMachine;
  private readonly taskHandlers: Record<string, LocalHandler>;
  private readonly retryIntervalOverrides: Record<string, number> | undefined;

  constructor(options: EngineOptions) {
    this.stateMachineArn =
      options.stateMachineArn ?? 'arn:aws:states:us-east-1:000000000000:stateMachine:scones-embedded';
    const definition = options.definition as unknown as StateMachineDefinition;
    this.stateMachine = new StateMachine(definition);
    this.taskHandlers = bindTaskStates(definition, options);
    this.retryIntervalOverrides =
      options.retryDelayMs === undefined
        ? undefined
        : Object.fromEntries(
            Object.keys(this.taskHandlers).map((name) => [name, options.retryDelayMs as number]),
          );
  }

  /** Starts an execution and resolves when it has ended, successfully or not. */
  async run(input: unknown, name: string = randomUUID()): Promise<ExecutionRecord> {
    const startDate = new Date();
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    assertWithinPayloadLimit(input, 'execution input');
    const execution = this.stateMachine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers as never,
        ...(this.retryIntervalOverrides ? { retryIntervalOverrides: this.retryIntervalOverrides } : {}),
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: input as never,
          StartTime: startDate.toISOString(),
        },
        StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineArn.split(':').at(-1) },
      },
    });
    const historyDone = collect(execution.eventLogs);
    const record: ExecutionRecord = {
      executionArn,
      name,
      status: 'SUCCEEDED',
      input,
      startDate,
      stopDate: startDate,
      history: [],
    };
    try {
      record.output = await execution.result;
    } catch (error) {
      const failure =
        error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
      record.status = 'FAILED';
      record.error = failure.name;
      record.cause = failure.message;
    }
    record.history = await historyDone;
    record.stopDate = new Date();
    return record;
  }
}

function bindTaskStates(
  definition: StateMachineDefinition,
  options: EngineOptions,
): Record<string, LocalHandler> {
  const handlers: Record<string, LocalHandler> = {};
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    if (state.Resource === LAMBDA_INVOKE) {
      const functionArn = (state.Parameters as { FunctionName?: string } | undefined)?.FunctionName;
      const handler = functionArn ? options.functions[functionArn] : undefined;
      if (!functionArn || !handler) {
        throw new Error(
          `State ${stateName} invokes ${functionArn ?? 'no FunctionName'}, which has no local handler`,
        );
      }
      handlers[stateName] = bindLambdaInvoke(functionArn, handler);
      continue;
    }
    const sdkHandler = bindSdkIntegration(state.Resource, options.clients);
    if (!sdkHandler)
      throw new Error(`State ${stateName}: resource ${state.Resource} is not supported in-process`);
    handlers[stateName] = sdkHandler;
  }
  return handlers;
}

async function collect(events: AsyncGenerator<unknown>): Promise<HistoryEvent[]> {
  const history: HistoryEvent[] = [];
  for await (const event of events) history.push(event as HistoryEvent);
  return history;
}
