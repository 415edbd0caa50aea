/**
 * Binds a Lambda handler to a Task state the way the Lambda service answers Step Functions'
 * `arn:aws:states:::lambda:invoke` integration, so the ASL that runs here runs unchanged on AWS:
 * - the result arrives wrapped in the Invoke envelope (`Payload`, `StatusCode`, ...);
 * - a function error surfaces as an error named by its `errorType`, whose Cause is the JSON of
 *   `errorMessage`, `errorType` and `trace`, as Retry and Catch see it on AWS;
 * - state input and task result above 256 KiB fail with the terminal `States.DataLimitExceeded`.
 */
import { randomUUID } from 'node:crypto';

/** Step Functions' limit on a state's input, output and a task's result (UTF-8 bytes). */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The part of the Lambda context object the kit's handlers may look at. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  invokedFunctionArn: string;
  functionVersion: string;
  memoryLimitInMB: string;
  getRemainingTimeInMillis(): number;
}

/** A handler called in this thread with the parsed event. */
export type LocalLambdaHandler = (event: never, context: LambdaContext) => Promise<unknown>;

/** The context as it crosses to another thread: the remaining time is computed there from the deadline. */
export type LambdaContextData = Omit<LambdaContext, 'getRemainingTimeInMillis'> & { deadline: number };

/**
 * A function that runs elsewhere (its own thread, lambda-threads.ts): it takes the event as JSON
 * and resolves with the result as JSON, or rejects with the TaskError of the function's error.
 */
export interface RemoteLambdaHandler {
  invokeJson(eventJson: string, context: LambdaContextData): Promise<string>;
}

export type LambdaHandler = LocalLambdaHandler | RemoteLambdaHandler;

export interface LambdaInvokeEnvelope {
  ExecutedVersion: string;
  Payload: JsonValue;
  SdkHttpMetadata: {
    AllHttpHeaders: Record<string, string[]>;
    HttpHeaders: Record<string, string>;
    HttpStatusCode: number;
  };
  SdkResponseMetadata: { RequestId: string };
  StatusCode: number;
}

/** An error as the Step Functions interpreter sees it: `name` is the Error, `message` the Cause. */
export class TaskError extends Error {
  /** Read by aws-local-stepfunctions: terminal errors skip Retry and Catch, as on AWS. */
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;

  constructor(name: string, cause: string, terminal = false) {
    super(cause);
    this.name = name;
    this.isRetryable = !terminal;
    this.isCatchable = !terminal;
  }
}

export function payloadSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
}

function dataLimitExceeded(what: string, size: number): TaskError {
  return new TaskError(
    'States.DataLimitExceeded',
    `The ${what} has a size of ${size} bytes, which exceeds the maximum of ${STATE_PAYLOAD_LIMIT_BYTES} bytes`,
    true,
  );
}

/** Throws the terminal `States.DataLimitExceeded` when `value` exceeds the state payload limit. */
export function assertWithinPayloadLimit(value: unknown, what: string): void {
  const size = payloadSize(value);
  if (size > STATE_PAYLOAD_LIMIT_BYTES) throw dataLimitExceeded(what, size);
}

/**
 * Size of `container` serialized with `json` (the JSON of one of its members) in place of that
 * member's value: the container is serialized with `null` there (4 bytes), so a large payload is
 * serialized once for both its size and its copy, not once per use.
 */
function sizeWithMember(container: Record<string, unknown>, member: string, json: string): number {
  return payloadSize({ ...container, [member]: null }) - 4 + Buffer.byteLength(json, 'utf8');
}

/** The `Cause` Step Functions records for a Lambda function error. */
export function lambdaErrorCause(error: unknown): { name: string; cause: string } {
  const err = error instanceof Error ? error : new Error(String(error));
  const errorType = err.name || 'Error';
  const trace = (err.stack ?? '').split('\n');
  return { name: errorType, cause: JSON.stringify({ errorType, errorMessage: err.message, trace }) };
}

const FUNCTION_TIMEOUT_MS = 30_000;

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

/**
 * A Task-state local handler that invokes `handler` as the Lambda service would for
 * `lambda:invoke` with Parameters `{ FunctionName, Payload }`.
 */
export function bindLambdaInvoke(functionArn: string, handler: LambdaHandler) {
  const functionName = functionArn.split(':').at(-1) ?? functionArn;
  return async (input: unknown): Promise<LambdaInvokeEnvelope> => {
    const parameters = (input ?? {}) as { Payload?: unknown };
    // The event crosses as JSON, as on the wire: the handler never shares objects with the engine.
    // One serialization gives both the event and the size of the state input.
    const eventJson = JSON.stringify(parameters.Payload ?? {});
    const inputSize =
      parameters.Payload === undefined
        ? payloadSize(input)
        : sizeWithMember(parameters as Record<string, unknown>, 'Payload', eventJson);
    if (inputSize > STATE_PAYLOAD_LIMIT_BYTES)
      throw dataLimitExceeded('state input after Parameters', inputSize);
    const requestId = randomUUID();
    const contextData: LambdaContextData = {
      awsRequestId: requestId,
      functionName,
      invokedFunctionArn: functionArn,
      functionVersion: '$LATEST',
      memoryLimitInMB: '512',
      deadline: Date.now() + FUNCTION_TIMEOUT_MS,
    };
    const resultJson =
      typeof handler === 'function'
        ? await invokeHere(handler, JSON.parse(eventJson) as never, lambdaContext(contextData))
        : await handler.invokeJson(eventJson, contextData);
    const envelope: LambdaInvokeEnvelope = {
      ExecutedVersion: '$LATEST',
      Payload: JSON.parse(resultJson) as JsonValue,
      SdkHttpMetadata: {
        AllHttpHeaders: { 'X-Amz-Executed-Version': ['$LATEST'], 'x-amzn-RequestId': [requestId] },
        HttpHeaders: { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId },
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: requestId },
      StatusCode: 200,
    };
    const resultSize = sizeWithMember(envelope as unknown as Record<string, unknown>, 'Payload', resultJson);
    if (resultSize > STATE_PAYLOAD_LIMIT_BYTES) {
      throw dataLimitExceeded(`result returned by ${functionName}`, resultSize);
    }
    return envelope;
  };
}
