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

export type LambdaHandler = (event: never, context: LambdaContext) => Promise<unknown>;

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

/** Throws the terminal `States.DataLimitExceeded` when `value` exceeds the state payload limit. */
export function assertWithinPayloadLimit(value: unknown, what: string): void {
  const size = payloadSize(value);
  if (size > STATE_PAYLOAD_LIMIT_BYTES) {
    throw new TaskError(
      'States.DataLimitExceeded',
      `The ${what} has a size of ${size} bytes, which exceeds the maximum of ${STATE_PAYLOAD_LIMIT_BYTES} bytes`,
      true,
    );
  }
}

/** The `Cause` Step Functions records for a Lambda function error. */
export function lambdaErrorCause(error: unknown): { name: string; cause: string } {
  const err = error instanceof Error ? error : new Error(String(error));
  const errorType = err.name || 'Error';
  const trace = (err.stack ?? '').split('\n');
  return { name: errorType, cause: JSON.stringify({ errorType, errorMessage: err.message, trace }) };
}

const FUNCTION_TIMEOUT_MS = 30_000;

/**
 * A Task-state local handler that invokes `handler` as the Lambda service would for
 * `lambda:invoke` with Parameters `{ FunctionName, Payload }`.
 */
export function bindLambdaInvoke(functionArn: string, handler: LambdaHandler) {
  const functionName = functionArn.split(':').at(-1) ?? functionArn;
  return async (input: unknown): Promise<LambdaInvokeEnvelope> => {
    assertWithinPayloadLimit(input, 'state input after Parameters');
    const parameters = (input ?? {}) as { Payload?: unknown };
    // Round-trip through JSON, as the wire does: the handler never shares objects with the engine.
    const event = JSON.parse(JSON.stringify(parameters.Payload ?? {})) as never;
    const requestId = randomUUID();
    const deadline = Date.now() + FUNCTION_TIMEOUT_MS;
    const context: LambdaContext = {
      awsRequestId: requestId,
      functionName,
      invokedFunctionArn: functionArn,
      functionVersion: '$LATEST',
      memoryLimitInMB: '512',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let result: unknown;
    try {
      result = await handler(event, context);
    } catch (error) {
      const { name, cause } = lambdaErrorCause(error);
      throw new TaskError(name, cause);
    }
    const payload = JSON.parse(JSON.stringify(result ?? null)) as JsonValue;
    const envelope: LambdaInvokeEnvelope = {
      ExecutedVersion: '$LATEST',
      Payload: payload,
      SdkHttpMetadata: {
        AllHttpHeaders: { 'X-Amz-Executed-Version': ['$LATEST'], 'x-amzn-RequestId': [requestId] },
        HttpHeaders: { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId },
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: requestId },
      StatusCode: 200,
    };
    assertWithinPayloadLimit(envelope, `result returned by ${functionName}`);
    return envelope;
  };
}
