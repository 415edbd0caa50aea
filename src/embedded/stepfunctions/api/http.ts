/**
 * A local Step Functions API for the embedded tier, served on the local S3's port (`scones up`),
 * so aws-cli, the SDKs and `scones load` find executions and their outcomes the way they do on
 * AWS. AWS JSON 1.0 protocol: `POST /` with `X-Amz-Target: AWSStepFunctions.<Action>` and a JSON
 * body; answers `application/x-amz-json-1.0` with `x-amzn-RequestId`; errors in the service's
 * shape (sfn-api-errors.ts). Actions: ListStateMachines, DescribeStateMachine, StartExecution,
 * DescribeExecution, ListExecutions (statusFilter, paging), GetExecutionHistory (the start and end
 * events: the registry keeps no state-by-state history). Any other action is
 * UnknownOperationException naming the ones served. Signatures are not checked, as by the local S3.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RequestHandler, readBody } from '../../gateway/index.ts';
import { runSfnAction } from './actions.ts';
import { SfnApiError, sfnErrors } from './errors.ts';
import type { SfnApiHost } from './types.ts';

const TARGET_PREFIX = 'AWSStepFunctions.';
/** Above the largest valid request (262,144 characters of input, JSON-escaped), well below harm. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** A request for the Step Functions API (by its X-Amz-Target), not for S3. */
export function isSfnApiRequest(request: IncomingMessage): boolean {
  const target = request.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX);
}

export function createSfnApiHandler(host: SfnApiHost): RequestHandler {
  return async (request, response) => {
    const requestId = randomUUID();
    try {
      if (request.method !== 'POST')
        throw sfnErrors.unknownOperation(`${request.method} is not an API call: POST /`);
      const action = String(request.headers['x-amz-target']).slice(TARGET_PREFIX.length);
      const body = await readBody(request, MAX_BODY_BYTES);
      if (body === undefined) {
        send(response, requestId, sfnErrors.serialization(`request body over ${MAX_BODY_BYTES} bytes`), true);
        return;
      }
      send(response, requestId, runSfnAction(host, action, parseBody(body)));
    } catch (error) {
      send(response, requestId, error instanceof SfnApiError ? error : sfnErrors.internal(String(error)));
    }
  };
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

function send(response: ServerResponse, requestId: string, result: unknown, close = false): void {
  const error = result instanceof SfnApiError ? result : undefined;
  const text = JSON.stringify(error ? error.toJSON() : result);
  response.writeHead(error ? error.status : 200, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
    ...(close ? { Connection: 'close' } : {}),
  });
  response.end(text);
}
