/**
 * A local Step Functions API for the embedded tier, served on the gateway's port (`scones up`),
 * so aws-cli, the SDKs and `scones load` find executions and their outcomes the way they do on
 * AWS. AWS JSON 1.0 protocol: `POST /` with `X-Amz-Target: AWSStepFunctions.<Action>` and a JSON
 * body; answers `application/x-amz-json-1.0` with `x-amzn-RequestId`; errors in the service's
 * shape (errors.ts). Actions: ListStateMachines, DescribeStateMachine, StartExecution,
 * DescribeExecution, ListExecutions (statusFilter, paging), GetExecutionHistory (the start and end
 * events: the registry keeps no state-by-state history), Create/Update/DeleteStateMachine
 * (lifecycle.ts), ValidateStateMachineDefinition (validate-definition.ts), TestState (one state,
 * mocked: test-state/). Any other action is
 * UnknownOperationException naming the ones served. Signatures are not checked, as by the local S3.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonAnswer, type RequestHandler, type Route, readBody, writeAnswer } from '../../gateway/index.ts';
import { runSfnAction } from './actions.ts';
import { SfnApiError, sfnErrors } from './errors.ts';
import type { SfnApiHost } from './types.ts';

const TARGET_PREFIX = 'AWSStepFunctions.';
/** Above the largest valid request (262,144 characters of input, JSON-escaped), well below harm. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The API on a gateway: requests signed for `states`, or naming an `AWSStepFunctions.` target. */
export function stepFunctionsRoute(host: SfnApiHost): Route {
  return {
    name: 'stepfunctions',
    signingName: 'states',
    targetPrefix: TARGET_PREFIX,
    handle: createSfnApiHandler(host),
    answerError: (error, _request, response) => send(response, randomUUID(), internalError(error)),
  };
}

export function createSfnApiHandler(host: SfnApiHost): RequestHandler {
  return async (request, response) => {
    const requestId = randomUUID();
    try {
      if (request.method !== 'POST')
        throw sfnErrors.unknownOperation(`${request.method} is not an API call: POST /`);
      const action = actionOf(request);
      const body = await readBody(request, MAX_BODY_BYTES);
      if (body === undefined) {
        send(response, requestId, sfnErrors.serialization(`request body over ${MAX_BODY_BYTES} bytes`), true);
        return;
      }
      send(response, requestId, await runSfnAction(host, action, parseBody(body)));
    } catch (error) {
      send(response, requestId, internalError(error));
    }
  };
}

/** The action an `X-Amz-Target: AWSStepFunctions.<Action>` names. */
function actionOf(request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    throw sfnErrors.unknownOperation(`no ${TARGET_PREFIX}<Action> in X-Amz-Target (${String(target)})`);
  }
  return target.slice(TARGET_PREFIX.length);
}

function internalError(error: unknown): SfnApiError {
  return error instanceof SfnApiError ? error : sfnErrors.internal(String(error));
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw sfnErrors.serialization(`the request body is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw sfnErrors.serialization('the request body must be a JSON object');
  }
  return parsed;
}

/** AWS JSON 1.0: errors carry their `__type` in the body. */
function send(response: ServerResponse, requestId: string, result: unknown, close = false): void {
  const error = result instanceof SfnApiError ? result : undefined;
  const answer = jsonAnswer(error ? error.status : 200, error ? error.toJSON() : result, {
    contentType: 'application/x-amz-json-1.0',
    requestId,
    close,
  });
  writeAnswer(response, answer);
}
