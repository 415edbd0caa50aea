/**
 * The mocked invocation of the state under test (developer guide, "Mocking service integrations",
 * "Testing Map and Parallel states"): the Task handler answers the mock's result, or fails with its
 * error and cause, which then go through the state's Retry and Catch like a real failure. Checks
 * of the mocked result: a Parallel's is an array of one element per branch; a Map's is an array or
 * an object; with `mapIterationFailureCount` over the Map's tolerated failures, the Map fails with
 * States.ExceedToleratedFailureThreshold. fieldValidationMode is accepted, but mocked fields are not
 * checked against the services' API models (the kit does not carry them): every mode acts as NONE.
 */
import { TaskError } from '../../shared/index.ts';
import { refuse } from './errors.ts';
import type { ParsedMembers } from './request.ts';
import type { StateUnderTest, TestStateConfiguration } from './types.ts';

/** States.Runtime and States.DataLimitExceeded: no Retry or Catch handles them. */
const TERMINAL = new Set(['States.Runtime', 'States.DataLimitExceeded']);

export type MockedHandler = (input: unknown) => Promise<unknown>;

function checkResult(state: StateUnderTest, value: unknown): void {
  const { definition } = state;
  if (definition.Type === 'Parallel') {
    const branches = Array.isArray(definition.Branches) ? definition.Branches.length : 0;
    if (!Array.isArray(value) || value.length !== branches) {
      throw refuse.validation(
        `The mocked result of a Parallel state must be a JSON array of one element per branch (${branches})`,
      );
    }
  }
  if (definition.Type === 'Map' && (typeof value !== 'object' || value === null)) {
    throw refuse.validation('The mocked result of a Map state must be a JSON array or object');
  }
}

/** The Map's iterations given `input`, for the failure threshold. */
function exceedsTolerance(state: StateUnderTest, failures: number, itemCount: number): boolean {
  if (failures > itemCount) {
    throw refuse.validation(
      `stateConfiguration.mapIterationFailureCount (${failures}) exceeds the number of items (${itemCount})`,
    );
  }
  const { ToleratedFailureCount: count, ToleratedFailurePercentage: percentage } = state.definition;
  const byCount = typeof count === 'number' ? failures > count : undefined;
  const byPercentage =
    typeof percentage === 'number' && itemCount > 0 ? (failures / itemCount) * 100 > percentage : undefined;
  if (byCount === undefined && byPercentage === undefined) return failures > 0;
  return byCount !== false && byPercentage !== false;
}

type Machine = { States?: Record<string, Record<string, unknown>> };

/** The names of the states inside a Map's ItemProcessor or a Parallel's branches, at any depth. */
function nestedStateNames(definition: Record<string, unknown>, names = new Set<string>()): Set<string> {
  const machines = [
    definition.ItemProcessor,
    definition.Iterator,
    ...((definition.Branches as unknown[]) ?? []),
  ];
  for (const machine of machines as (Machine | undefined)[]) {
    for (const [name, state] of Object.entries(machine?.States ?? {})) {
      names.add(name);
      nestedStateNames(state, names);
    }
  }
  return names;
}

function checkErrorSource(state: StateUnderTest, configuration: TestStateConfiguration): void {
  const source = configuration.errorCausedByState;
  if (source === undefined) return;
  if (!nestedStateNames(state.definition).has(source)) {
    throw refuse.validation(
      `stateConfiguration.errorCausedByState '${source}' is not a state inside ${state.name}`,
    );
  }
}

export function mockedHandler(
  state: StateUnderTest,
  members: ParsedMembers,
  configuration: TestStateConfiguration,
  itemCount: () => number,
): MockedHandler {
  checkErrorSource(state, configuration);
  if (members.mockResult) checkResult(state, members.mockResult.value);
  return async () => {
    const failures = configuration.mapIterationFailureCount;
    if (failures !== undefined && exceedsTolerance(state, failures, itemCount())) {
      throw new TaskError(
        'States.ExceedToleratedFailureThreshold',
        'The specified tolerated failure threshold was exceeded',
      );
    }
    if (members.mockError) {
      const { error, cause } = members.mockError;
      throw new TaskError(error, cause, TERMINAL.has(error));
    }
    return structuredClone(members.mockResult?.value ?? null);
  };
}
