/**
 * What a JSONata state does before its Output and Assign, one function per state type, on top of
 * the engine's own state handlers (Task integrations, Map and Parallel runs, Wait's clock): the
 * JSONata fields are evaluated here and the engine gets plain values.
 */
import { QueryEvaluationError, stateQueryError } from './errors.ts';
import { type Evaluation, evaluateExpression, evaluateTemplate, isExpression } from './expressions.ts';
import {
  type ExecuteOptions,
  engineInternals,
  type StateDefinition,
  type StateExecutorInstance,
} from './library.ts';
import { type VariableScope, withNestedScope } from './variables.ts';

const { FailStateError, StatesNoChoiceMatchedError } = engineInternals();

export interface StateRun {
  executor: StateExecutorInstance;
  definition: StateDefinition;
  input: unknown;
  context: Record<string | symbol, unknown>;
  options: ExecuteOptions;
  scope: VariableScope;
  /** The evaluation context of the state's fields before its result exists. */
  before: () => Evaluation;
}

export interface ActionResult {
  result: unknown;
  nextState: string;
  isEndState: boolean;
  /** A Choice rule that matched: its Output and Assign take the place of the state's. */
  rule?: Record<string, unknown>;
}

const transition = (definition: StateDefinition, result: unknown): ActionResult => ({
  result,
  nextState: typeof definition.Next === 'string' ? definition.Next : '',
  isEndState: definition.End === true || definition.Type === 'Succeed',
});

/** Nested runs (Map iterations, Parallel branches) each get a variable scope under this state's. */
const nestedOptions = (run: StateRun): ExecuteOptions => withNestedScope(run.options, run.scope);

async function handle(run: StateRun, definition: StateDefinition, input: unknown, options = run.options) {
  const handler = run.executor.stateHandlers[definition.Type];
  if (!handler) throw new QueryEvaluationError(`Unknown state type ${definition.Type}`);
  return handler.call(
    run.executor,
    definition,
    run.input,
    input,
    run.context,
    run.executor.stateName,
    options,
  );
}

async function argumentsOf(run: StateRun): Promise<unknown> {
  return 'Arguments' in run.definition
    ? evaluateTemplate(run.definition.Arguments, 'Arguments', run.before())
    : run.input;
}

async function numberField(run: StateRun, field: string): Promise<unknown> {
  const value = run.definition[field];
  if (!isExpression(value)) return value;
  const number = await evaluateExpression(value, field, run.before());
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
    throw stateQueryError(
      run.executor.stateName,
      `The JSONata expression '${value}' specified for the field '${field}' returned ${JSON.stringify(number)}, not a non-negative number.`,
    );
  }
  return number;
}

async function task(run: StateRun): Promise<ActionResult> {
  const outcome = await handle(run, run.definition, await argumentsOf(run));
  return { ...outcome, result: outcome.stateResult };
}

async function parallel(run: StateRun): Promise<ActionResult> {
  const outcome = await handle(run, run.definition, await argumentsOf(run), nestedOptions(run));
  return { ...outcome, result: outcome.stateResult };
}

async function map(run: StateRun): Promise<ActionResult> {
  const { Items, ItemSelector, ItemsPath: _path, Parameters: _parameters, ...rest } = run.definition;
  const items = Items === undefined ? run.input : await evaluateTemplate(Items, 'Items', run.before());
  if (!Array.isArray(items)) {
    throw stateQueryError(
      run.executor.stateName,
      `The field 'Items' must be an array; got ${JSON.stringify(items)?.slice(0, 100)}.`,
    );
  }
  const selected =
    ItemSelector === undefined
      ? items
      : await Promise.all(
          items.map((value, index) => {
            const at = run.before();
            const context = {
              ...(at.states.context as object),
              Map: { Item: { Index: index, Value: value } },
            };
            return evaluateTemplate(ItemSelector, 'ItemSelector', {
              ...at,
              states: { ...at.states, context },
            });
          }),
        );
  const definition = { ...rest, MaxConcurrency: await numberField(run, 'MaxConcurrency') } as StateDefinition;
  const outcome = await handle(run, definition, selected, nestedOptions(run));
  return { ...outcome, result: outcome.stateResult };
}

async function wait(run: StateRun): Promise<ActionResult> {
  const definition = { ...run.definition };
  if ('Seconds' in definition) definition.Seconds = await numberField(run, 'Seconds');
  if (isExpression(definition.Timestamp)) {
    definition.Timestamp = await evaluateExpression(definition.Timestamp, 'Timestamp', run.before());
  }
  await handle(run, definition, run.input);
  return transition(run.definition, run.input);
}

async function choice(run: StateRun): Promise<ActionResult> {
  const rules = (run.definition.Choices as Record<string, unknown>[] | undefined) ?? [];
  for (const [index, rule] of rules.entries()) {
    const field = `Choices[${index}]/Condition`;
    const condition = isExpression(rule.Condition)
      ? await evaluateExpression(rule.Condition, field, run.before())
      : rule.Condition;
    if (typeof condition !== 'boolean') {
      throw stateQueryError(
        run.executor.stateName,
        `The field '${field}' returned ${JSON.stringify(condition)}, not a boolean.`,
      );
    }
    if (condition) return { result: run.input, nextState: String(rule.Next), isEndState: false, rule };
  }
  if (typeof run.definition.Default === 'string') {
    return { result: run.input, nextState: run.definition.Default, isEndState: false };
  }
  throw new StatesNoChoiceMatchedError();
}

async function fail(run: StateRun): Promise<ActionResult> {
  const text = async (field: 'Error' | 'Cause') => {
    const value = run.definition[field];
    return isExpression(value)
      ? String(await evaluateExpression(value, field, run.before()))
      : (value as string);
  };
  throw new FailStateError(await text('Error'), await text('Cause'));
}

const passThrough = async (run: StateRun): Promise<ActionResult> => transition(run.definition, run.input);

export const STATE_ACTIONS: Record<string, (run: StateRun) => Promise<ActionResult>> = {
  Task: task,
  Parallel: parallel,
  Map: map,
  Wait: wait,
  Choice: choice,
  Fail: fail,
  Pass: passThrough,
  Succeed: passThrough,
};
