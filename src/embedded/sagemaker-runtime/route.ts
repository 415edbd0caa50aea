/**
 * The endpoint's SageMaker-runtime API as a gateway route: requests signed for `sagemaker`, or
 * unsigned ones to `/endpoints/{name}/invocations` (the endpoint `endpointNamed` finds: the
 * server's own, or one of its directory's). Only InvokeEndpoint is served there: the
 * container contract and the control routes belong to the endpoint's own port.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Route, sendJson } from '../gateway/index.ts';
import { INVOCATIONS_PATH, serveInvocation } from './http.ts';
import type { HostedEndpoint } from './types.ts';

/** What a failed handler answers: SageMaker's InternalFailure, and the connection closed. */
export function answerInternalFailure(error: unknown, _request: IncomingMessage, response: ServerResponse) {
  const message = `Local endpoint failure: ${(error as Error).message}`;
  sendJson(response, 500, { message }, { errorType: 'InternalFailure', close: true });
}

export function runtimeRoute(endpointNamed: (encodedName: string) => HostedEndpoint): Route {
  return {
    name: 'sagemaker-runtime',
    signingName: 'sagemaker',
    matchesPath: (path, method) => method === 'POST' && INVOCATIONS_PATH.test(path),
    handle(request, response) {
      const path = (request.url ?? '/').split('?', 1)[0] as string;
      const invocation = request.method === 'POST' ? INVOCATIONS_PATH.exec(path) : null;
      if (invocation) {
        const encodedName = invocation[1] as string;
        return serveInvocation(endpointNamed(encodedName), request, response, encodedName);
      }
      const message = `No route for ${request.method} ${path}`;
      sendJson(response, 404, { message }, 'UnknownOperationException');
    },
    answerError: answerInternalFailure,
  };
}
