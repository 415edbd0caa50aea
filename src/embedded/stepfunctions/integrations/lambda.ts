/**
 * Binds a Lambda handler to a Task state the way the Lambda service answers Step Functions'
 * `arn:aws:states:::lambda:invoke` integration, so the ASL that runs here runs unchanged on AWS:
 * - the result arrives wrapped in the Invoke envelope (`Payload`, `StatusCode`, ...);
 * - a function error surfaces as an error named by its `errorType`, whose Cause is the JSON of
 *   `errorMessage`, `errorType` and `trace`, as Retry and Catch see it on AWS;
 * - state input and task result above 256 KiB fail with the terminal `States.DataLimitExceeded`.
 */
import { randomUUID } from 'node:crypto';
import {
  invokeHere,
  type LambdaContextData,
  type LambdaHandler,
  lambdaContext,
} from '../../functions/index.ts';
import { TaskError } from '../../shared/index.ts';
import type { JsonValue, LambdaInvokeEnvelope } from '../types.ts';

/** Step Functions' limit on a state's input, output and a task's result (UTF-8 bytes). */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;

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

const FUNCTION_TIMEOUT_MS = 30_000;

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
