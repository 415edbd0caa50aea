/**
 * How a JSON protocol service of the tier (SageMaker, CloudWatch Logs) turns `call(action, input)`
 * into one of its operations: an unknown action, a body that is not a JSON object, and a fault of
 * the service's own code each become that service's own error class, so the gateway writes every
 * answer in the service's envelope.
 */

export type Operation = (input: unknown) => unknown;

/** The service's words for what the dispatch can refuse. */
export interface DispatchErrors {
  unknownOperation(action: string): Error;
  notAnObject(action: string): Error;
  /** True for the service's own errors, which pass through as thrown. */
  isServiceError(error: unknown): boolean;
  /** Anything else thrown by an operation: a fault of the local service, never the caller's. */
  internal(action: string, error: unknown): Error;
}

export async function dispatchAction(
  operations: Readonly<Record<string, Operation>>,
  action: string,
  input: unknown,
  errors: DispatchErrors,
): Promise<unknown> {
  const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
  if (!operation) throw errors.unknownOperation(action);
  if (input !== undefined && input !== null && (typeof input !== 'object' || Array.isArray(input)))
    throw errors.notAnObject(action);
  try {
    return await operation(input ?? {});
  } catch (error) {
    if (errors.isServiceError(error)) throw error;
    throw errors.internal(action, error);
  }
}

/** What a JSON service exposes of its operations: their names and `call`. */
export interface OperationTable {
  readonly actions: readonly string[];
  call(action: string, input: unknown): Promise<unknown>;
}

/** `operations` behind `dispatchAction`, with their names sorted (for the gateway's routing and tests). */
export function operationTable(
  operations: Readonly<Record<string, Operation>>,
  errors: DispatchErrors,
): OperationTable {
  return {
    actions: Object.keys(operations).sort(),
    call: (action, input) => dispatchAction(operations, action, input, errors),
  };
}
