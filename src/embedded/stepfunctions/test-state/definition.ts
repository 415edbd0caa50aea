/**
 * The state TestState runs: the request's `definition` is one state, or (with `stateName`) a whole
 * state machine whose state of that name (nested ones in Map and Parallel states included) is
 * tested. Either way the definition is checked by the same validator the engine builds state
 * machines with (asl-validator through aws-local-stepfunctions); a single state is checked as the
 * only state of a machine whose transitions (Next, Default, Choices, Catch) end in placeholders, so
 * a state that points at states the request does not carry is still valid, as on AWS.
 */
import { type QueryLanguage, resolveQueryLanguages } from '../jsonata/index.ts';
import { validatedStateMachine } from '../validated-state-machine.ts';
import { refuse } from './errors.ts';
import type { StateUnderTest } from './types.ts';

type Json = Record<string, unknown>;
type Machine = { States?: Record<string, Json>; StartAt?: string; QueryLanguage?: QueryLanguage };

const STATE_TYPES = ['Task', 'Pass', 'Wait', 'Choice', 'Succeed', 'Fail', 'Map', 'Parallel'];
/** The name a single state runs under: AWS's own context names it so. */
export const SINGLE_STATE_NAME = 'TestState';

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseDefinition(text: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw refuse.definition(
      `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(error as Error).message}'`,
    );
  }
  if (!isRecord(parsed)) {
    throw refuse.definition(
      "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: not a JSON object'",
    );
  }
  return parsed;
}

function validate(machine: Json): void {
  try {
    validatedStateMachine(machine as never);
  } catch (error) {
    throw refuse.definition(`Invalid State Machine Definition: '${(error as Error).message}'`);
  }
}

/** Each state of a machine with its name, nested ones too, and whether it is inside a Map. */
function* statesOf(machine: Machine, insideMap = false): Generator<[string, Json, boolean]> {
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    yield [name, state, insideMap];
    const processor = (state.ItemProcessor ?? state.Iterator) as Machine | undefined;
    if (isRecord(processor)) yield* statesOf(processor, true);
    for (const branch of (state.Branches as Machine[] | undefined) ?? []) {
      if (isRecord(branch)) yield* statesOf(branch, insideMap);
    }
  }
}

/** A one-state machine around `state`, its transitions ending in Succeed placeholders. */
function machineAround(state: Json): Json {
  const targets = new Set<string>();
  const add = (target: unknown) => typeof target === 'string' && targets.add(target);
  add(state.Next);
  add(state.Default);
  for (const rule of (state.Choices as Json[] | undefined) ?? []) if (isRecord(rule)) add(rule.Next);
  for (const catcher of (state.Catch as Json[] | undefined) ?? []) if (isRecord(catcher)) add(catcher.Next);
  targets.delete(SINGLE_STATE_NAME);
  const placeholders = Object.fromEntries([...targets].map((name) => [name, { Type: 'Succeed' }]));
  return { StartAt: SINGLE_STATE_NAME, States: { ...placeholders, [SINGLE_STATE_NAME]: state } };
}

/** The state the request tests, validated, with its query language resolved. */
export function stateUnderTest(definitionText: string, stateName: string | undefined): StateUnderTest {
  const definition = parseDefinition(definitionText);
  if (stateName === undefined) {
    if ('States' in definition || 'StartAt' in definition) {
      throw refuse.definition(
        "Invalid State Machine Definition: 'a state machine definition needs stateName, the state to test'",
      );
    }
    if (typeof definition.Type !== 'string' || !STATE_TYPES.includes(definition.Type)) {
      throw refuse.definition(
        `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the state's Type must be one of ${STATE_TYPES.join(', ')}; got ${JSON.stringify(definition.Type)}'`,
      );
    }
    validate(machineAround(definition));
    const resolved = resolveQueryLanguages(machineAround(definition) as Machine).States as Record<
      string,
      Json
    >;
    return {
      name: SINGLE_STATE_NAME,
      definition: resolved[SINGLE_STATE_NAME] as StateUnderTest['definition'],
      insideMap: false,
    };
  }
  if (!isRecord(definition.States)) {
    throw refuse.definition(
      "Invalid State Machine Definition: 'with stateName, the definition must be a state machine (StartAt, States)'",
    );
  }
  validate(definition);
  for (const [name, state, insideMap] of statesOf(resolveQueryLanguages(definition as Machine))) {
    if (name === stateName) return { name, definition: state as StateUnderTest['definition'], insideMap };
  }
  throw refuse.validation(`stateName '${stateName}' is not a state of the definition`);
}
