/**
 * Workflow variables in JSONPath states (developer guide, "Passing data between states with
 * variables"): `$name` and `$name.path` in any JSONPath field (Parameters, ResultSelector, Choice
 * rules, intrinsic functions' arguments) read a variable; a state's `Assign` (and a Catch's) sets
 * them once the state is done, its `key.$` paths reading the state's result (the Task's, or what a
 * Pass produced) or, in a Catch, the error output. Evaluated together, visible from the next state,
 * scoped like JSONata's (variables.ts).
 */
import {
  type ExecuteOptions,
  engineInternals,
  type StateExecutorInstance,
  type StateResult,
} from './library.ts';
import { scopeOf, withNestedScope } from './variables.ts';

const internals = engineInternals();
const RUNNING = Symbol('scones.jsonpath.running');

/** The engine's JSONPath lookups read variables through the execution's scope. */
export function installVariableLookup(): void {
  internals.setVariableLookup((name, context) => scopeOf(context).visible()[name]);
}

/** Decided once per state definition: every execution of every state asks (the engine's hot path). */
const decided = new WeakMap<object, boolean>();

/** A JSONPath state that assigns variables, or runs nested states that may read them. */
export function usesVariables(definition: Record<string, unknown>): boolean {
  let uses = decided.get(definition);
  if (uses === undefined) {
    const catchers = Array.isArray(definition.Catch) ? (definition.Catch as Record<string, unknown>[]) : [];
    uses =
      'Assign' in definition ||
      catchers.some((catcher) => 'Assign' in catcher) ||
      definition.Type === 'Map' ||
      definition.Type === 'Parallel';
    decided.set(definition, uses);
  }
  return uses;
}

export async function executeJsonPathWithVariables(
  executor: StateExecutorInstance & { [RUNNING]?: boolean },
  original: StateExecutorInstance['execute'],
  input: unknown,
  context: Record<string | symbol, unknown>,
  options: ExecuteOptions,
): Promise<StateResult> {
  // A retry runs `execute` again on the same executor: the first call assigns, once.
  if (executor[RUNNING]) return original.call(executor, input, context, options);
  const definition = executor.stateDefinition;
  const scope = scopeOf(context);
  const prototype = Object.getPrototypeOf(executor) as StateExecutorInstance & {
    processResult(result: unknown, rawInput: unknown, context: unknown): unknown;
  };
  let result: unknown;
  let caught: { index: number; errorOutput: unknown } | undefined;
  const instance = executor as typeof prototype;
  instance.processResult = function processResult(value, rawInput, runContext) {
    result = value;
    return prototype.processResult.call(this, value, rawInput, runContext);
  };
  instance.catchError = function catchError(error) {
    const found = prototype.catchError.call(this, error);
    if (found.nextState && found.errorOutput && found.catcherIndex !== undefined) {
      caught = { index: found.catcherIndex, errorOutput: found.errorOutput };
    }
    return found;
  };
  executor[RUNNING] = true;
  let outcome: StateResult;
  try {
    outcome = await original.call(executor, input, context, withNestedScope(options, scope));
  } finally {
    executor[RUNNING] = false;
  }
  const assign = caught
    ? (definition.Catch as Record<string, unknown>[])[caught.index]?.Assign
    : definition.Assign;
  if (assign !== undefined) {
    const values = internals.processPayloadTemplate(assign, caught ? caught.errorOutput : result, context);
    scope.assign(values as Record<string, unknown>, executor.stateName);
  }
  return outcome;
}
