/**
 * A gateway route for a service of the AWS JSON protocols (`POST /`, `X-Amz-Target:
 * <prefix><Action>`, a JSON body): SageMaker and CloudWatch Logs (JSON 1.1). The service is a
 * `call(action, input)` without HTTP; this is its HTTP: the action from the target, the body read
 * within a limit and parsed, the answer as `application/x-amz-json-1.1`, and what it throws as the
 * protocol's error envelope (`{"__type", "message"}` with `x-amzn-ErrorType`, which the SDKs read
 * first). A body that is not JSON is the protocol's SerializationException; one over the limit is
 * refused before it is read whole, and the connection closed.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonAnswer, writeAnswer } from './answers.ts';
import { readBody } from './body.ts';
import type { JsonServiceRouteOptions, Route, ServiceFault } from './types.ts';

/** Whether `error` carries an AWS error of its own (code, status, message). */
function isServiceFault(error: unknown): error is ServiceFault {
  const fault = error as Partial<ServiceFault> | null;
  return (
    typeof fault === 'object' &&
    fault !== null &&
    typeof fault.code === 'string' &&
    typeof fault.status === 'number' &&
    typeof fault.message === 'string'
  );
}

function answerFault(
  response: ServerResponse,
  contentType: string,
  fault: ServiceFault,
  options: { close?: boolean; requestId?: string } = {},
): void {
  writeAnswer(
    response,
    jsonAnswer(
      fault.status,
      { __type: fault.code, message: fault.message },
      { errorType: fault.code, contentType, ...options },
    ),
  );
}

/** The route of a JSON-protocol service: see the file's comment. */
export function jsonServiceRoute(options: JsonServiceRouteOptions): Route {
  const contentType = options.contentType ?? 'application/x-amz-json-1.1';
  const internal = (error: unknown): ServiceFault =>
    isServiceFault(error)
      ? error
      : { code: 'InternalFailure', status: 500, message: `${options.name}: ${(error as Error).message}` };
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(options.targetPrefix)) {
      request.resume();
      const message = `${request.method} ${request.url} with X-Amz-Target ${String(target)} is no ${options.name} call: POST / with X-Amz-Target ${options.targetPrefix}<Action>`;
      return answerFault(response, contentType, { code: 'UnknownOperationException', status: 404, message });
    }
    const body = await readBody(request, options.maxBodyBytes);
    if (body === undefined) {
      const message = `The request body is larger than the ${options.maxBodyBytes} bytes ${options.name} takes.`;
      const fault = { code: 'RequestEntityTooLargeException', status: 413, message };
      return answerFault(response, contentType, fault, { close: true, requestId });
    }
    let input: unknown = {};
    if (body.length > 0) {
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch (error) {
        const message = `The request body is not JSON: ${(error as Error).message}`;
        const fault = { code: 'SerializationException', status: 400, message };
        return answerFault(response, contentType, fault, { requestId });
      }
    }
    let output: unknown;
    try {
      output = await options.call(target.slice(options.targetPrefix.length), input);
    } catch (error) {
      return answerFault(response, contentType, internal(error), { requestId });
    }
    writeAnswer(response, jsonAnswer(200, output ?? {}, { contentType, requestId }));
  }
  return {
    name: options.name,
    ...(options.signingName ? { signingName: options.signingName } : {}),
    targetPrefix: options.targetPrefix,
    handle,
    answerError: (error, _request, response) =>
      answerFault(response, contentType, internal(error), { close: true }),
  };
}
