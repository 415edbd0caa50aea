/**
 * Runs an ASL definition in-process with aws-local-stepfunctions, one engine per state machine.
 * Every Task state (nested ones in Map and Parallel too) is bound to a local implementation that
 * answers like the AWS service behind it (integrations/: lambda.ts, sdk.ts, sagemaker.ts,
 * start-execution.ts), so the definition is the very one deployed elsewhere. Engines
 * find each other by ARN in a StateMachineRegistry (nested workflows). The state machine is built
 * (and validated) once; each run keeps its whole execution history.
 */
import { randomUUID } from 'node:crypto';
import {
  ExecutionError,
  ExecutionTimeoutError,
  type StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { ExecutionRecord, HistoryEvent } from '../../workflow/execution.ts';
import type { LambdaHandler } from '../functions/index.ts';
import { bindDistributedMap, isDistributedMap, localStateMachine } from './distributed-map/map.ts';
import { ExecutionRegistry } from './execution-registry.ts';
import { assertWithinPayloadLimit, bindLambdaInvoke } from './integrations/lambda.ts';
import { bindSageMaker, isSageMakerResource } from './integrations/sagemaker.ts';
import { bindSdkIntegration } from './integrations/sdk.ts';
import { bindSnsPublish, SNS_PUBLISH } from './integrations/sns.ts';
import { bindStartExecution, isStartExecutionResource } from './integrations/start-execution.ts';
import { withJobTimeouts } from './job-timeouts.ts';
import { type RegisteredStateMachine, StateMachineRegistry } from './state-machine-registry.ts';
import type {
  RunOverrides,
  SdkIntegrationClients,
  StartExecutionHandler,
  StartedExecution,
  TaskHandler,
} from './types.ts';

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/** A Task's request as written: `Parameters` (JSONPath) or `Arguments` (JSONata). */
const taskFields = (state: { Parameters?: unknown; Arguments?: unknown }) =>
  state.Parameters ?? state.Arguments;

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
  /** Names, outcomes and status-change listeners; default an in-memory registry. */
  executions?: ExecutionRegistry;
  /**
   * The state machines `states:startExecution` Tasks can start, by ARN; this engine registers
   * itself there. Default: a registry of its own (it can start only itself).
   */
  stateMachines?: StateMachineRegistry;
}

export class EmbeddedEngine implements RegisteredStateMachine {
  readonly stateMachineArn: string;
  /** Every execution's name and outcome (bounded), and its status changes. */
  readonly executions: ExecutionRegistry;
  /** The state machines this one's `states:startExecution` Tasks resolve (it is among them). */
  readonly stateMachines: StateMachineRegistry;
  /** The substituted ASL this engine runs (what DescribeStateMachine shows). */
  readonly definition: Record<string, unknown>;
  /** True when the definition starts executions of state machines (nested workflows). */
  readonly startsExecutions: boolean;
  private readonly stateMachine: StateMachine;
  private readonly taskHandlers: Record<string, TaskHandler>;
  /** `states:startExecution` Tasks, bound per execution: the child is told its parent. */
  private readonly nestedStartHandlers: Record<string, StartExecutionHandler>;
  private readonly retryIntervalOverrides: Record<string, number> | undefined;

  constructor(options: EngineOptions) {
    this.stateMachineArn =
      options.stateMachineArn ?? 'arn:aws:states:us-east-1:000000000000:stateMachine:scones-embedded';
    this.executions = options.executions ?? new ExecutionRegistry();
    this.stateMachines = options.stateMachines ?? new StateMachineRegistry();
    this.definition = options.definition;
    const definition = options.definition as unknown as StateMachineDefinition;
    // Distributed Map states run as Tasks bound to the local Map Run (distributed-map/).
    // `.sync` Tasks wait as long as on AWS, not the library's 60 s (job-timeouts.ts).
    this.stateMachine = localStateMachine(withJobTimeouts(definition));
    const bound = bindTaskStates(definition, options, this.stateMachines);
    this.taskHandlers = bound.handlers;
    this.nestedStartHandlers = bound.nestedStarts;
    this.startsExecutions = Object.keys(bound.nestedStarts).length > 0;
    const taskStates = [...Object.keys(this.taskHandlers), ...Object.keys(this.nestedStartHandlers)];
    this.retryIntervalOverrides =
      options.retryDelayMs === undefined
        ? undefined
        : Object.fromEntries(taskStates.map((name) => [name, options.retryDelayMs as number]));
    // Last: only an engine that was built (its definition valid) becomes startable by ARN.
    this.stateMachines.register(this);
  }

  /**
   * StartExecution, as for a Standard workflow: the same name and input while that execution runs
   * returns it (`started: false`); a different input, or a name already used by a closed
   * execution, throws ExecutionAlreadyExists; so does nothing else start twice.
   */
  start(input: unknown, name: string = randomUUID(), runOverrides: RunOverrides = {}): StartedExecution {
    assertWithinPayloadLimit(input, 'execution input');
    return this.executions.start(
      {
        executionArn: this.executionArnFor(name),
        stateMachineArn: this.stateMachineArn,
        name,
        input,
        startDate: new Date(),
      },
      () => this.execute(input, name, runOverrides),
    );
  }

  /** Starts an execution and resolves when it has ended, successfully or not. */
  async run(
    input: unknown,
    name: string = randomUUID(),
    runOverrides: RunOverrides = {},
  ): Promise<ExecutionRecord> {
    return await this.start(input, name, runOverrides).done;
  }

  private executionArnFor(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** One run of the state machine, from start() (which checked the input and the name). */
  private async execute(input: unknown, name: string, runOverrides: RunOverrides): Promise<ExecutionRecord> {
    const startDate = new Date();
    const executionArn = this.executionArnFor(name);
    const execution = this.stateMachine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: {
          ...this.taskHandlers,
          ...(this.startsExecutions ? this.nestedStartHandlersFor(executionArn) : undefined),
          ...runOverrides.taskHandlers,
        } as never,
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
      if (error instanceof ExecutionTimeoutError) {
        record.status = 'TIMED_OUT';
        record.error = 'States.Timeout';
        record.cause = 'The execution ran longer than the TimeoutSeconds of its definition';
      } else {
        const failure =
          error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
        record.status = 'FAILED';
        record.error = failure.name;
        record.cause = failure.message;
      }
    }
    record.history = await historyDone;
    record.stopDate = new Date();
    return record;
  }

  private nestedStartHandlersFor(executionArn: string): Record<string, TaskHandler> {
    return Object.fromEntries(
      Object.entries(this.nestedStartHandlers).map(([state, bind]) => [state, bind(executionArn)]),
    );
  }
}

type StatesOf = StateMachineDefinition['States'];

/** Every state of the definition with its name, those inside Map and Parallel states included. */
function* allStates(states: StatesOf): Generator<[string, StatesOf[string]]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    const nested = state as { ItemProcessor?: { States: StatesOf }; Iterator?: { States: StatesOf } };
    const processor = nested.ItemProcessor ?? nested.Iterator;
    if (processor) yield* allStates(processor.States);
    for (const branch of (state as { Branches?: { States: StatesOf }[] }).Branches ?? []) {
      yield* allStates(branch.States);
    }
  }
}

function bindTaskStates(
  definition: StateMachineDefinition,
  options: EngineOptions,
  stateMachines: StateMachineRegistry,
): { handlers: Record<string, TaskHandler>; nestedStarts: Record<string, StartExecutionHandler> } {
  const handlers: Record<string, TaskHandler> = {};
  const nestedStarts: Record<string, StartExecutionHandler> = {};
  for (const [stateName, state] of allStates(definition.States)) {
    if (isDistributedMap(state)) {
      nestedStarts[stateName] = bindDistributedMap(
        stateName,
        state,
        stateMachines,
        options.clients.s3,
        (spec) => new EmbeddedEngine({ ...options, ...spec }),
      );
      continue;
    }
    if (state.Type !== 'Task') continue;
    if (isStartExecutionResource(state.Resource)) {
      nestedStarts[stateName] = bindStartExecution(
        stateName,
        state.Resource,
        taskFields(state),
        stateMachines,
      );
      continue;
    }
    if (state.Resource === LAMBDA_INVOKE) {
      const functionArn = (taskFields(state) as { FunctionName?: string } | undefined)?.FunctionName;
      const handler = functionArn ? options.functions[functionArn] : undefined;
      if (!functionArn || !handler) {
        throw new Error(
          `State ${stateName} invokes ${functionArn ?? 'no FunctionName'}, which has no local handler`,
        );
      }
      handlers[stateName] = bindLambdaInvoke(functionArn, handler);
      continue;
    }
    if (isSageMakerResource(state.Resource)) {
      const { sagemaker, sagemakerPollMs } = options.clients;
      handlers[stateName] = bindSageMaker(stateName, state.Resource, sagemaker, {
        pollMs: sagemakerPollMs,
        timeoutSeconds: (state as { TimeoutSeconds?: number }).TimeoutSeconds,
      });
      continue;
    }
    if (state.Resource === SNS_PUBLISH) {
      handlers[stateName] = bindSnsPublish(stateName, options.clients.sns);
      continue;
    }
    const sdkHandler = bindSdkIntegration(state.Resource, options.clients, stateMachines);
    if (!sdkHandler)
      throw new Error(`State ${stateName}: resource ${state.Resource} is not supported in-process`);
    handlers[stateName] = sdkHandler;
  }
  return { handlers, nestedStarts };
}

async function collect(events: AsyncGenerator<unknown>): Promise<HistoryEvent[]> {
  const history: HistoryEvent[] = [];
  for await (const event of events) history.push(event as HistoryEvent);
  return history;
}
