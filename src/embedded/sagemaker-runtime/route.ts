/**
 * The endpoint's SageMaker-runtime API as a gateway route: requests signed for `sagemaker`, or
 * unsigned ones to `/endpoints/{name}/invocations` (this endpoint, or one the SageMaker API deployed:
 * `hosted`). Only InvokeEndpoint is served there: the
 * container contract and the control routes belong to the endpoint's own port.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Route, sendJson } from '../gateway/index.ts';
import { endpointFor, INVOCATIONS_PATH, serveInvocation } from './http.ts';
import type { Endpoint, EndpointDirectory } from './types.ts';

/** What a failed handler answers: SageMaker's InternalFailure, and the connection closed. */
export function answerInternalFailure(error: unknown, _request: IncomingMessage, response: ServerResponse) {
  const message = `Local endpoint failure: ${(error as Error).message}`;
  sendJson(response, 500, { message }, { errorType: 'InternalFailure', close: true });
}

export function runtimeRoute(endpoint: Endpoint, hosted?: EndpointDirectory): Route {
  return {
    name: 'sagemaker-runtime',
    signingName: 'sagemaker',
    matchesPath: (path, method) => method === 'POST' && INVOCATIONS_PATH.test(path),
    handle(request, response) {
      const path = (request.url ?? '/').split('?', 1)[0] as string;
      const invocation = request.method === 'POST' ? INVOCATIONS_PATH.exec(path) : null;
      if (invocation) {
        const encodedName = invocation[1] as string;
        return serveInvocation(endpointFor(endpoint, hosted, encodedName), request, response, encodedName);
      }
      const message = `No route for ${request.method} ${path}`;
      sendJson(response, 404, { message }, 'UnknownOperationException');
    },
    answerError: answerInternalFailure,
  };
}
