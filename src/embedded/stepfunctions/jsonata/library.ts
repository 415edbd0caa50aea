/**
 * The parts of aws-local-stepfunctions the JSONata extension builds on, which the library keeps
 * internal: patches/aws-local-stepfunctions+3.0.0.patch exports them (nothing else changes), and
 * this file gives them the types the extension relies on.
 */
import * as library from 'aws-local-stepfunctions';

export type Json = unknown;

export interface StateResult {
  stateResult: Json;
  nextState: string;
  isEndState: boolean;
}

export interface EventLogger {
  dispatchStateFailedEvent(name: string, type: string, input: Json, error: unknown): void;
  dispatchStateRetriedEvent(name: string, type: string, input: Json, retrier: unknown, attempt: number): void;
  dispatchStateCaughtEvent(name: string, type: string, input: Json, catcher: unknown): void;
}

export interface ExecuteOptions {
  eventLogger: EventLogger;
  abortSignal?: AbortSignal;
  runOptions?: {
    context?: Record<string | symbol, unknown>;
    overrides?: { retryIntervalOverrides?: Record<string, number | number[]> };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export type StateDefinition = Record<string, unknown> & { Type: string };

export type StateHandler = (
  definition: StateDefinition,
  rawInput: Json,
  input: Json,
  context: Record<string | symbol, unknown>,
  stateName: string,
  options: ExecuteOptions,
) => Promise<StateResult>;

export interface StateExecutorInstance {
  stateName: string;
  stateDefinition: StateDefinition;
  retrierAttempts: number[];
  stateHandlers: Record<string, StateHandler>;
  execute(
    input: Json,
    context: Record<string | symbol, unknown>,
    options: ExecuteOptions,
  ): Promise<StateResult>;
  shouldRetry(
    error: unknown,
    overrides?: Record<string, number | number[]>,
  ): { shouldRetry: boolean; waitTimeBeforeRetry?: number; retrierIndex?: number };
  catchError(error: unknown): {
    nextState: string;
    errorOutput?: { Error: string; Cause: string };
    catcherIndex?: number;
  };
}

export interface RuntimeErrorInstance extends Error {
  retryable: boolean;
  catchable: boolean;
}

interface Internals {
  /** The engine's payload template (`key.$` paths, intrinsic functions, `$$` context) over a value. */
  processPayloadTemplate: (template: unknown, json: unknown, context: unknown) => unknown;
  /** Where a JSONPath `$name...` (a workflow variable) is looked up; the patch consults it. */
  setVariableLookup: (lookup: (name: string, context: Record<string | symbol, unknown>) => unknown) => void;
  StateExecutor: { prototype: StateExecutorInstance };
  RuntimeError: new (message: string) => RuntimeErrorInstance;
  FailStateError: new (name?: string, message?: string) => RuntimeErrorInstance;
  StatesNoChoiceMatchedError: new () => RuntimeErrorInstance;
}

export function engineInternals(): Internals {
  const internals = library as unknown as Partial<Internals>;
  if (
    !internals.StateExecutor ||
    !internals.RuntimeError ||
    !internals.FailStateError ||
    !internals.processPayloadTemplate ||
    !internals.setVariableLookup
  ) {
    throw new Error(
      'aws-local-stepfunctions does not export StateExecutor: is patches/aws-local-stepfunctions+3.0.0.patch applied (npm install runs patch-package)?',
    );
  }
  return internals as Internals;
}
