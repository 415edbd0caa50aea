/**
 * JSONata states on the engine: the engine's StateExecutor runs JSONPath states as it always did;
 * a state whose `QueryLanguage` is JSONata (query-language.ts writes it on every state) goes
 * through `executeJsonataState` instead, which keeps the engine's Retry, Catch and history events
 * and replaces the five JSONPath fields with JSONata's two: `Arguments` in (state-actions.ts),
 * `Output` out, plus `Assign` (both evaluated together, against the variables as they were before
 * the state, and visible from the next state on).
 *
 * Why extend the library rather than write an engine: its Task integrations, Map and Parallel
 * runs, Retry back-off, Catch matching, timeouts, abort and history events are what the kit's
 * JSONPath workflows already run on and are tested with; JSONata changes how a state reads its
 * input and shapes its output, not how states run, so only that part is new.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { type Evaluation, evaluateTemplate } from './expressions.ts';
import { executeJsonPathWithVariables, installVariableLookup, usesVariables } from './jsonpath-variables.ts';
import {
  type ExecuteOptions,
  engineInternals,
  type StateExecutorInstance,
  type StateResult,
} from './library.ts';
import { STATE_ACTIONS, type StateRun } from './state-actions.ts';
import { scopeOf } from './variables.ts';

const INSTALLED = Symbol.for('scones.jsonata.installed');

/** A retry's wait, cut short by the execution's abort (as the engine's own). */
const sleep = (ms: number, signal?: AbortSignal) =>
  wait(ms, undefined, signal ? { signal } : {}).catch(() => undefined);

/** `$states.context`: the context object as JSON (the variables' scope is not part of it). */
function contextView(context: Record<string | symbol, unknown>, stateName: string): unknown {
  const view = JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
  return { ...view, State: { ...(view.State as object), Name: stateName } };
}

async function assignAndOutput(
  holder: Record<string, unknown>,
  prefix: string,
  at: Evaluation,
  defaultOutput: unknown,
): Promise<{ output: unknown; assigned?: Record<string, unknown> }> {
  const [output, assigned] = await Promise.all([
    'Output' in holder ? evaluateTemplate(holder.Output, `${prefix}Output`, at) : defaultOutput,
    'Assign' in holder
      ? (evaluateTemplate(holder.Assign, `${prefix}Assign`, at) as Promise<Record<string, unknown>>)
      : undefined,
  ]);
  return assigned === undefined ? { output } : { output, assigned };
}

async function executeJsonataState(
  executor: StateExecutorInstance,
  input: unknown,
  context: Record<string | symbol, unknown>,
  options: ExecuteOptions,
): Promise<StateResult> {
  const definition = executor.stateDefinition;
  const stateName = executor.stateName;
  const scope = scopeOf(context);
  const rawInput = structuredClone(input);
  // The context does not change while the state runs: one JSON view of it serves every field.
  let view: unknown;
  const evaluation = (extra: Partial<Evaluation['states']> = {}): Evaluation => {
    view ??= contextView(context, stateName);
    return { stateName, variables: scope.visible(), states: { input: rawInput, context: view, ...extra } };
  };
  const run: StateRun = {
    executor,
    definition,
    input: rawInput,
    context,
    options,
    scope,
    before: evaluation,
  };
  try {
    const action = STATE_ACTIONS[definition.Type];
    if (!action) throw new Error(`Unknown state type ${definition.Type}`);
    const done = await action(run);
    const after = evaluation({ result: done.result });
    const own = await assignAndOutput(definition, '', after, done.result);
    const rule = done.rule;
    const index = rule ? (definition.Choices as unknown[]).indexOf(rule) : -1;
    const fromRule = rule ? await assignAndOutput(rule, `Choices[${index}]/`, after, own.output) : own;
    const assigned = rule && 'Assign' in rule ? fromRule.assigned : own.assigned;
    if (assigned) scope.assign(assigned, stateName);
    return { stateResult: fromRule.output, nextState: done.nextState, isEndState: done.isEndState };
  } catch (error) {
    options.eventLogger.dispatchStateFailedEvent(stateName, definition.Type, input, error);
    const retry = executor.shouldRetry(error, options.runOptions?.overrides?.retryIntervalOverrides);
    if (retry.shouldRetry && retry.retrierIndex !== undefined) {
      await sleep(retry.waitTimeBeforeRetry ?? 0, options.abortSignal);
      const retriers = definition.Retry as unknown[];
      options.eventLogger.dispatchStateRetriedEvent(
        stateName,
        definition.Type,
        input,
        retriers[retry.retrierIndex],
        executor.retrierAttempts[retry.retrierIndex] ?? 0,
      );
      return executeJsonataState(executor, input, context, options);
    }
    const caught = executor.catchError(error);
    if (!caught.nextState || !caught.errorOutput || caught.catcherIndex === undefined) throw error;
    const catcher = (definition.Catch as Record<string, unknown>[])[caught.catcherIndex] ?? {};
    options.eventLogger.dispatchStateCaughtEvent(stateName, definition.Type, input, catcher);
    const at = evaluation({ errorOutput: caught.errorOutput });
    const { output, assigned } = await assignAndOutput(
      catcher,
      `Catch[${caught.catcherIndex}]/`,
      at,
      caught.errorOutput,
    );
    if (assigned) scope.assign(assigned, stateName);
    return { stateResult: output, nextState: caught.nextState, isEndState: false };
  }
}

/** Makes the engine run JSONata states (once per process; JSONPath states are untouched). */
export function installJsonata(): void {
  const prototype = engineInternals().StateExecutor.prototype as StateExecutorInstance & {
    [INSTALLED]?: boolean;
  };
  if (prototype[INSTALLED]) return;
  const original = prototype.execute;
  prototype.execute = function execute(input, context, options) {
    if (this.stateDefinition.QueryLanguage === 'JSONata')
      return executeJsonataState(this, input, context, options);
    if (usesVariables(this.stateDefinition)) {
      return executeJsonPathWithVariables(this, original, input, context, options);
    }
    return original.call(this, input, context, options);
  };
  installVariableLookup();
  prototype[INSTALLED] = true;
}
