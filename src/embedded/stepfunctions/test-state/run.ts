/**
 * TestState: one state run once on the embedded engine, as AWS's TestState runs it. The state is
 * run by the engine's own StateExecutor (JSONata states through the kit's extension, so Arguments,
 * Output, Assign and `$states` behave as in an execution), its Task handler the request's mock, its
 * Wait at once. Retry is decided without retrying (retry.ts) and Catch by the engine, so the answer
 * is SUCCEEDED, CAUGHT_ERROR (the catcher's Next and output), RETRIABLE (the retrier and its
 * backoff) or FAILED, with the error and cause. A Map or Parallel state runs as a Task of the same
 * fields whose result is the mock: TestState tests their input and output processing, not the
 * states inside them.
 */
import { TaskError } from '../../shared/index.ts';
import { installJsonata } from '../jsonata/index.ts';
import { type ExecuteOptions, engineInternals, type StateExecutorInstance } from '../jsonata/library.ts';
import { scopeOf } from '../jsonata/variables.ts';
import { contextOf } from './context.ts';
import { stateUnderTest } from './definition.ts';
import { type Captured, jsonataInspection, jsonPathInspection, mapItems } from './inspection.ts';
import { mockedHandler } from './mock.ts';
import { parseMembers } from './request.ts';
import { retryDecision } from './retry.ts';
import type { InspectionData, StateUnderTest, TestStateRequest, TestStateResponse } from './types.ts';

installJsonata();

type Definition = StateUnderTest['definition'];
type Executor = new (name: string, definition: unknown) => StateExecutorInstance;

/** Where TestState's default context places the test (the tier's region and account). */
export interface TestStateOptions {
  region?: string;
  account?: string;
}

const MOCKED_RESOURCE = 'arn:aws:states:::scones:testState.mock';
/** What a Map or Parallel keeps when it runs as a Task whose result is the mock. */
const FLOW_ONLY_FIELDS = [
  'ItemProcessor',
  'Iterator',
  'Branches',
  'ItemsPath',
  'ItemSelector',
  'Items',
  'ItemReader',
  'ItemBatcher',
  'ResultWriter',
  'MaxConcurrency',
  'MaxConcurrencyPath',
  'ToleratedFailureCount',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentage',
  'ToleratedFailurePercentagePath',
  'Label',
];

function runnable(definition: Definition): Definition {
  if (definition.Type !== 'Map' && definition.Type !== 'Parallel') return definition;
  const copy: Record<string, unknown> = { ...definition, Type: 'Task', Resource: MOCKED_RESOURCE };
  for (const field of FLOW_ONLY_FIELDS) delete copy[field];
  // A Map's Parameters are its items' selector (the older name of ItemSelector), not its input's.
  if (definition.Type === 'Map') delete copy.Parameters;
  return copy as Definition;
}

interface Events {
  failure?: unknown;
  catchIndex?: number;
}

function eventLogger(definition: Definition, events: Events): ExecuteOptions['eventLogger'] {
  return {
    dispatchStateFailedEvent: (_name, _type, _input, error) => {
      events.failure = error;
    },
    dispatchStateRetriedEvent: () => {},
    dispatchStateCaughtEvent: (_name, _type, _input, catcher) => {
      events.catchIndex = (definition.Catch as unknown[]).indexOf(catcher);
    },
  };
}

const errorOf = (error: unknown) =>
  error instanceof Error
    ? { error: error.name, cause: error.message }
    : { error: 'States.Runtime', cause: String(error) };

export async function testState(
  request: TestStateRequest,
  options: TestStateOptions = {},
): Promise<TestStateResponse> {
  const state = stateUnderTest(request.definition, request.stateName);
  const { definition, name } = state;
  const jsonata = definition.QueryLanguage === 'JSONata';
  const members = parseMembers(request, state);
  const configuration = request.stateConfiguration ?? {};
  const retryCount = configuration.retrierRetryCount ?? 0;
  const context: Record<string | symbol, unknown> = contextOf({
    stateName: name,
    input: members.input,
    insideMap: state.insideMap,
    retryCount,
    region: options.region ?? 'us-east-1',
    account: options.account ?? '000000000000',
    ...(request.roleArn ? { roleArn: request.roleArn } : {}),
    ...(members.context ? { given: members.context } : {}),
  });
  const scope = scopeOf(context);
  if (members.variables) scope.assign(members.variables, name);

  const shape = runnable(definition);
  const { Retry: _retry, ...withoutRetry } = shape;
  const { StateExecutor } = engineInternals();
  const executor = new (StateExecutor as unknown as Executor)(name, withoutRetry);
  const captured: Captured = {};
  const handler = executor.stateHandlers[shape.Type];
  if (handler) {
    executor.stateHandlers[shape.Type] = async (...args) => {
      captured.effectiveInput = { value: structuredClone(args[2]) };
      const outcome = await handler(...args);
      captured.result = { value: structuredClone(outcome.stateResult) };
      return outcome;
    };
  }
  const mocked = request.mock
    ? mockedHandler(state, members, configuration, () => mapItems(definition, members.input, context).length)
    : undefined;
  const events: Events = {};
  let outcome: Awaited<ReturnType<StateExecutorInstance['execute']>> | undefined;
  let thrown: unknown;
  try {
    outcome = await executor.execute(structuredClone(members.input), context, {
      eventLogger: eventLogger(shape, events),
      runOptions: {
        // Wait states return at once, as AWS's TestState answers them.
        overrides: {
          ...(mocked ? { taskResourceLocalHandlers: { [name]: mocked } } : {}),
          waitTimeOverrides: { [name]: 0 },
        } as NonNullable<ExecuteOptions['runOptions']>['overrides'],
      },
    });
  } catch (error) {
    thrown = error;
  }

  const debug = request.inspectionLevel === 'DEBUG' || request.inspectionLevel === 'TRACE';
  const inspection: InspectionData = debug
    ? jsonata
      ? jsonataInspection(definition, members.input, captured)
      : jsonPathInspection(definition, members.input, context, captured)
    : {};
  const variables = scope.visible();
  if (debug && (members.variables || Object.keys(variables).length > 0))
    inspection.variables = JSON.stringify(variables);
  const answer = (response: TestStateResponse): TestStateResponse =>
    Object.keys(inspection).length > 0 ? { ...response, inspectionData: inspection } : response;

  if (events.failure !== undefined) {
    const failure = errorOf(events.failure);
    const retry = retryDecision(name, shape, events.failure, retryCount);
    if (retry) {
      inspection.errorDetails = retry;
      return answer({ status: 'RETRIABLE', ...failure });
    }
    if (outcome && events.catchIndex !== undefined) {
      inspection.errorDetails = { catchIndex: events.catchIndex };
      return answer({
        status: 'CAUGHT_ERROR',
        ...failure,
        output: JSON.stringify(outcome.stateResult),
        nextState: outcome.nextState,
      });
    }
  }
  if (!outcome) {
    const failure = errorOf(thrown instanceof TaskError || thrown instanceof Error ? thrown : events.failure);
    return answer({ status: 'FAILED', ...failure });
  }
  return answer({
    status: 'SUCCEEDED',
    output: JSON.stringify(outcome.stateResult),
    ...(outcome.nextState && !outcome.isEndState ? { nextState: outcome.nextState } : {}),
  });
}
