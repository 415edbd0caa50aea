/**
 * The structure of a definition, scope by scope (the top, each Parallel branch, each Map's
 * ItemProcessor or Iterator): StartAt and States present, state names unique across the whole
 * definition and at most 80 characters, every transition (`StartAt`, `Next`, `Default`, a choice
 * rule's and a catcher's `Next`) naming a state of its own scope, every state reachable from
 * StartAt, and a terminal state in each scope. Codes and wording as the service answers (the API
 * reference's code list; messages on record: "These fields are required: [States, StartAt]",
 * "Missing 'Next' target: X", `State "X" is not reachable.`, "Duplicate State name: X",
 * "Workflow has no terminal state").
 */
import { CODES, error, type Segment } from './diagnostics.ts';
import { rootFields } from './fields.ts';
import { checkState, isObject, type StateContext } from './states.ts';
import type { DefinitionDiagnostic, ValidateOptions } from './types.ts';

interface Transition {
  target: string;
  /** The field, for the message: StartAt, Next or Default. */
  field: string;
  path: Segment[];
}

interface Walk extends StateContext {
  /** The state names seen so far: names are unique across scopes. */
  seen: Set<string>;
  diagnostics: DefinitionDiagnostic[];
}

const MAX_STATE_NAME = 80;

export function checkStructure(
  definition: Record<string, unknown>,
  options: ValidateOptions = {},
): DefinitionDiagnostic[] {
  const diagnostics: DefinitionDiagnostic[] = [];
  for (const field of Object.keys(definition)) {
    if (!rootFields().has(field))
      diagnostics.push(error(CODES.schema, `Field '${field}' is not supported`, []));
  }
  const { QueryLanguage } = definition;
  if (QueryLanguage !== undefined && QueryLanguage !== 'JSONPath' && QueryLanguage !== 'JSONata') {
    diagnostics.push(
      error(
        CODES.schema,
        `Value is not a valid query language: ${JSON.stringify(QueryLanguage)} (JSONPath or JSONata)`,
        ['QueryLanguage'],
      ),
    );
  }
  checkScope(definition, [], {
    rootLanguage: QueryLanguage === 'JSONata' ? 'JSONata' : 'JSONPath',
    type: options.type ?? 'STANDARD',
    seen: new Set(),
    diagnostics,
  });
  return diagnostics;
}

function checkScope(scope: Record<string, unknown>, path: Segment[], walk: Walk): void {
  const out = walk.diagnostics;
  const missing = ['States', 'StartAt'].filter((field) => scope[field] === undefined);
  if (missing.length > 0) {
    out.push(error(CODES.schema, `These fields are required: [${missing.join(', ')}]`, path));
    return;
  }
  if (!isObject(scope.States)) {
    out.push(error(CODES.schema, "The value for the field 'States' must be an OBJECT", [...path, 'States']));
    return;
  }
  if (typeof scope.StartAt !== 'string') {
    out.push(error(CODES.schema, "The value for the field 'StartAt' must be a STRING", [...path, 'StartAt']));
    return;
  }
  const states = scope.States;
  for (const [name, state] of Object.entries(states)) {
    const statePath = [...path, 'States', name];
    checkName(name, statePath, walk);
    out.push(...checkState(state, statePath, walk));
    for (const [nestedPath, nested] of nestedScopes(state, statePath)) {
      if (isObject(nested)) checkScope(nested, nestedPath, walk);
      else out.push(error(CODES.schema, 'A nested state machine must be a JSON object', nestedPath));
    }
  }
  const start: Transition = { target: scope.StartAt, field: 'StartAt', path: [...path, 'StartAt'] };
  const transitionsOf = (name: string) => transitions(states[name], [...path, 'States', name]);
  for (const transition of [start, ...Object.keys(states).flatMap(transitionsOf)]) {
    if (!Object.hasOwn(states, transition.target)) {
      out.push(
        error(
          CODES.missingTransitionTarget,
          `Missing '${transition.field}' target: ${transition.target}`,
          transition.path,
        ),
      );
    }
  }
  if (Object.hasOwn(states, start.target)) {
    const reached = reachable(start.target, (name) => transitionsOf(name).map((t) => t.target));
    for (const name of Object.keys(states).filter((candidate) => !reached.has(candidate))) {
      out.push(
        error(CODES.missingTransitionTarget, `State "${name}" is not reachable.`, [...path, 'States', name]),
      );
    }
  }
  const terminal = Object.values(states).some(
    (state) => isObject(state) && (state.End === true || state.Type === 'Succeed' || state.Type === 'Fail'),
  );
  if (!terminal) {
    // The service names no location for the whole definition; a nested one is located by its scope.
    out.push(
      error(CODES.missingEndState, 'Workflow has no terminal state', path.length > 0 ? path : undefined),
    );
  }
}

function checkName(name: string, path: Segment[], walk: Walk): void {
  if (name.length === 0 || [...name].length > MAX_STATE_NAME) {
    walk.diagnostics.push(
      error(CODES.invalidStateName, `State names must be 1 to ${MAX_STATE_NAME} characters long`, path),
    );
  }
  if (walk.seen.has(name)) {
    walk.diagnostics.push(error(CODES.duplicateStateName, `Duplicate State name: ${name}`, path));
  }
  walk.seen.add(name);
}

/** Every state of the definition with its path, those of nested scopes included. */
export function* allStates(
  scope: Record<string, unknown>,
  path: Segment[] = [],
): Generator<[Record<string, unknown>, Segment[]]> {
  if (!isObject(scope.States)) return;
  for (const [name, state] of Object.entries(scope.States)) {
    if (!isObject(state)) continue;
    const statePath = [...path, 'States', name];
    yield [state, statePath];
    for (const [nestedPath, nested] of nestedScopes(state, statePath)) {
      if (isObject(nested)) yield* allStates(nested, nestedPath);
    }
  }
}

/** How many scopes deep states nest: 1 for a definition without Parallel or Map states. */
export function nestingDepth(definition: Record<string, unknown>): number {
  let deepest = 0;
  for (const [, path] of allStates(definition)) {
    deepest = Math.max(deepest, path.filter((segment) => segment === 'States').length);
  }
  return deepest;
}

/** A Parallel's branches and a Map's ItemProcessor (or Iterator, its former name). */
function nestedScopes(state: unknown, path: Segment[]): [Segment[], unknown][] {
  if (!isObject(state)) return [];
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    return state.Branches.map((branch, index) => [[...path, 'Branches', index], branch]);
  }
  if (state.Type === 'Map') {
    const field = state.ItemProcessor !== undefined ? 'ItemProcessor' : 'Iterator';
    return state[field] === undefined ? [] : [[[...path, field], state[field]]];
  }
  return [];
}

/** Where a state can go next: Next, Default, its choice rules' and its catchers' Next. */
function transitions(state: unknown, path: Segment[]): Transition[] {
  if (!isObject(state)) return [];
  const found: Transition[] = [];
  const add = (value: unknown, field: string, at: Segment[]) => {
    if (typeof value === 'string') found.push({ target: value, field, path: at });
  };
  add(state.Next, 'Next', [...path, 'Next']);
  add(state.Default, 'Default', [...path, 'Default']);
  for (const list of ['Choices', 'Catch'] as const) {
    const items = state[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item, index) => {
      if (isObject(item)) add(item.Next, 'Next', [...path, list, index, 'Next']);
    });
  }
  return found;
}

function reachable(start: string, next: (name: string) => string[]): Set<string> {
  const reached = new Set([start]);
  const queue = [start];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    for (const target of next(name)) {
      if (!reached.has(target)) {
        reached.add(target);
        queue.push(target);
      }
    }
  }
  return reached;
}
