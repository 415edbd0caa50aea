/**
 * A function invoked as the Lambda runtime invokes it: the context object it sees, its result as
 * JSON, its error as the errorType and Cause Step Functions records. The engine's thread runs
 * handlers through it, and so does a function's own thread (host.ts).
 */
import { TaskError } from '../shared/index.ts';
import type { LambdaContext, LambdaContextData, LocalLambdaHandler } from './types.ts';

/** The `Cause` Step Functions records for a Lambda function error. */
export function lambdaErrorCause(error: unknown): { name: string; cause: string } {
  const err = error instanceof Error ? error : new Error(String(error));
  const errorType = err.name || 'Error';
  const trace = (err.stack ?? '').split('\n');
  return { name: errorType, cause: JSON.stringify({ errorType, errorMessage: err.message, trace }) };
}

/** The context object a handler sees, from the data that can cross threads. */
export function lambdaContext(data: LambdaContextData): LambdaContext {
  const { deadline, ...fields } = data;
  return { ...fields, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}

/**
 * Runs a handler as the Lambda runtime does: resolves with its result as JSON, or rejects with
 * the TaskError of its error (lambdaErrorCause). Also what a function's thread runs.
 */
export async function invokeHere(
  handler: LocalLambdaHandler,
  event: never,
  context: LambdaContext,
): Promise<string> {
  let result: unknown;
  try {
    result = await handler(event, context);
  } catch (error) {
    const { name, cause } = lambdaErrorCause(error);
    throw new TaskError(name, cause);
  }
  return JSON.stringify(result ?? null) ?? 'null';
}
