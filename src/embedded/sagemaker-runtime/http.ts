/**
 * The endpoint's invocations over HTTP: the body read within SageMaker's payload limit (over it:
 * the service's answer, and the connection closed instead of reading the rest), the endpoint's
 * answer written, or the connection dropped for the reset fault. Both the endpoint's own server
 * and the gateway's route serve invocations through here.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonAnswer, readBody, textAnswer, writeAnswer } from '../gateway/index.ts';
import type { Endpoint, EndpointDirectory, HostedEndpoint, InvocationAnswer } from './types.ts';

/**
 * SageMaker Runtime's payload limit for real-time invocations: 6 MB ("The real time endpoint has
 * an input data size of approximately 6MB", https://docs.aws.amazon.com/sagemaker/latest/dg/timeseries-forecasting-realtime.html).
 * Over it the service answers ValidationError "Request <id> has oversize body." (as reported in
 * https://github.com/aws/sagemaker-python-sdk/issues/4271).
 */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** `POST /endpoints/{name}/invocations`, the name still percent-encoded as in the path. */
export const INVOCATIONS_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

/**
 * The endpoint an invocation path names. With a directory (`hosted`: a running tier's fleet, where
 * the server's own endpoint is registered too), the directory alone answers for names: a name it
 * does not serve gets SageMaker's refusal. Without one, the server's own endpoint answers (and
 * refuses names that are not its own the same way).
 */
export function endpointFor(
  own: Endpoint | undefined,
  hosted: EndpointDirectory | undefined,
  encodedName: string,
  unknown: HostedEndpoint,
): HostedEndpoint {
  if (!hosted) return own ?? unknown;
  let name: string;
  try {
    name = decodeURIComponent(encodedName);
  } catch {
    return unknown; // a malformed escape: its ValidationError
  }
  return hosted.find(name) ?? unknown;
}

/** InvokeEndpoint (`encodedName` from INVOCATIONS_PATH). */
export async function serveInvocation(
  endpoint: HostedEndpoint,
  request: IncomingMessage,
  response: ServerResponse,
  encodedName: string,
): Promise<void> {
  const body = await readBody(request, MAX_PAYLOAD_BYTES);
  if (body === undefined) {
    const requestId = randomUUID();
    const message = `Request ${requestId} has oversize body.`;
    writeAnswer(
      response,
      jsonAnswer(400, { message }, { errorType: 'ValidationError', close: true, requestId }),
    );
    return;
  }
  send(request, response, await endpoint.invoke(encodedName, request.headers, body));
}

/** The container contract's `POST /invocations`. */
export async function serveContainerInvocation(
  endpoint: Endpoint,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request, MAX_PAYLOAD_BYTES);
  if (body === undefined) {
    writeAnswer(response, textAnswer(413, 'Request payload too large', true));
    return;
  }
  send(request, response, await endpoint.invokeContainer(request.headers, body));
}

function send(request: IncomingMessage, response: ServerResponse, answer: InvocationAnswer): void {
  if (answer === 'reset') return void request.socket.destroy();
  writeAnswer(response, answer);
  answer.afterSend?.();
}
