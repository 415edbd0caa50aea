/**
 * Local SageMaker endpoint: one HTTP server speaking
 * - the SageMaker Runtime API, `POST /endpoints/{name}/invocations`, with the service's response
 *   headers and error shapes (restJson1: `x-amzn-ErrorType` + JSON body), so the real
 *   `@aws-sdk/client-sagemaker-runtime` raises its typed `ValidationError`, `ModelError`
 *   (`OriginalStatusCode`, `OriginalMessage`, `LogStreamArn`), `ServiceUnavailable`, `InternalFailure`;
 * - the container contract, `GET /ping` and `POST /invocations`, with the built-in
 *   image-classification algorithm's content types (image in; JSON list or JSON Lines out);
 * - control routes for tests that drive a server in another process (container, emulator tier):
 *   `GET /_stub/behavior` (state: faults, invocations, predictor, capture counts);
 *   `POST /_stub/behavior` with JSON, every field optional: `{"reset": true, "latencyMs": 50,
 *   "fail": {"status": 503, "count": 2}, "connections": "refuse" | "reset" | "accept",
 *   "durationMs": 500, "predictor": {"probabilities": [0.9, 0.1] | null, "script": [[0.2, 0.8],
 *   {"error": "bad image", "statusCode": 400}], "ready": false, "reset": true}}` (400 naming the
 *   problem when malformed, nothing changed); `POST /_stub/capture/flush` writes buffered capture
 *   records now (endpoint-control.ts).
 *
 * The model is a pluggable `Predictor` (the deterministic stub or the real model). A container
 * error (4xx/5xx from `/invocations`) becomes `ModelError` 424 on the runtime route, as on AWS.
 *
 * No request brings the server down (http-hardening.ts): a handler error answers InternalFailure;
 * slow clients meet header and request timeouts; a body over SageMaker's 6 MB payload limit is
 * refused with the service's ValidationError once the limit is passed (never buffered whole), then
 * the connection is closed; a malformed endpoint name is a ValidationError, an unknown route
 * UnknownOperationException 404. It listens on 127.0.0.1 unless given another host, and says so
 * on stderr when that host is reachable from the network (the control routes have no auth).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  announceIfReachable,
  applyServerLimits,
  guardRequests,
  readBody,
  type ServerLimits,
  serverOptionsFor,
} from '../gateway/index.ts';
import { runContainer } from './container.ts';
import { handleControl } from './control.ts';
import { DataCapture, inferenceIdProblem } from './data-capture.ts';
import { EndpointFaults, FAULT_ERRORS } from './faults.ts';
import { sendJson, sendModelError, sendText } from './http.ts';
import type { ContainerAnswer } from './types.ts';


import type { EndpointServer, EndpointServerOptions } from './types.ts';

/**
 * SageMaker Runtime's payload limit for real-time invocations: 6 MB ("The real time endpoint has
 * an input data size of approximately 6MB", https://docs.aws.amazon.com/sagemaker/latest/dg/timeseries-forecasting-realtime.html).
 * Over it the service answers ValidationError "Request <id> has oversize body." (as reported in
 * https://github.com/aws/sagemaker-python-sdk/issues/4271).
 */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOCATIONS_PATH = /^\/endpoints\/([^/]+)\/invocations$/;
/** InvokeEndpoint's EndpointName constraint, as the API reference states it. */
const ENDPOINT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * A whole request (at most 6 MB) must arrive within 60 s, SageMaker's own invocation budget;
 * headers within 10 s; the rest as every local server.
 */
export const ENDPOINT_LIMITS: Partial<ServerLimits> = { requestTimeoutMs: 60_000 };

export async function startEndpointServer(options: EndpointServerOptions): Promise<EndpointServer> {
  const endpointName = options.endpointName ?? 'scones-image-classification';
  if (!ENDPOINT_NAME_PATTERN.test(endpointName)) {
    // Otherwise every invocation would be refused by the same check, with less context.
    throw new RangeError(
      `endpoint name "${endpointName}" is not one SageMaker accepts (${ENDPOINT_NAME_PATTERN.source})`,
    );
  }
  const variantName = options.variantName ?? 'AllTraffic';
  const accountId = options.accountId ?? '000000000000';
  const region = options.region ?? 'us-east-1';
  const host = options.host ?? '127.0.0.1';
  const { predictor } = options;
  const capture = options.capture ? new DataCapture(options.capture, endpointName, variantName) : undefined;
  const modelErrorContext = { endpointName, region, accountId };
  let invocations = 0;

  const limits = { ...ENDPOINT_LIMITS, ...options.limits };
  const server = createServer(
    serverOptionsFor(limits),
    guardRequests(route, (error, _request, response) => {
      const message = `Local endpoint failure: ${(error as Error).message}`;
      sendJson(response, 500, { message }, { errorType: 'InternalFailure', close: true });
    }),
  );
  applyServerLimits(server, limits);
  let port = options.port ?? 0;

  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const faults = new EndpointFaults({
    async closeListener(spare) {
      // close() stops accepting at once; it would wait for open sockets only to emit 'close'.
      server.close();
      for (const socket of sockets) if (socket !== spare) socket.destroy();
      // Let in-process clients see their keep-alive sockets close before anyone sends again,
      // so the next request opens a new connection and meets ECONNREFUSED, not a stale socket.
      await sleep(5);
    },
    reopenListener: () => listen(port),
  });

  function listen(onPort: number): Promise<void> {
    return new Promise((done, fail) => {
      server.once('error', fail);
      server.listen(onPort, host, () => {
        server.off('error', fail);
        done();
      });
    });
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const path = url.split('?', 1)[0] as string;
    if (request.method === 'POST') {
      const runtimeRoute = INVOCATIONS_PATH.exec(path);
      if (runtimeRoute) return invokeEndpoint(request, response, runtimeRoute[1] as string);
      if (path === '/invocations') return invokeContainer(request, response);
    }
    if (path === '/ping' && (request.method === 'GET' || request.method === 'HEAD')) {
      const healthy = predictor.ready();
      response.writeHead(healthy ? 200 : 503, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
      return void response.end();
    }
    if (path.startsWith('/_stub/')) {
      return handleControl(request, response, path, {
        predictor,
        faults,
        capture,
        invocations: () => invocations,
      });
    }
    sendJson(
      response,
      404,
      { message: `No route for ${request.method} ${path}` },
      'UnknownOperationException',
    );
  }

  /** Runs the model behind the container contract; faults and latency apply here. */
  async function answer(request: IncomingMessage, body: Buffer): Promise<ContainerAnswer | 'reset'> {
    invocations++;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (faults.connections === 'reset') return 'reset';
    return runContainer(predictor, request.headers, body);
  }

  async function invokeContainer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request, MAX_PAYLOAD_BYTES);
    if (body === undefined) return sendText(response, 413, 'Request payload too large', true);
    const failure = faults.takeFailure();
    if (failure) {
      invocations++;
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      const status = failure.status === 424 ? 500 : failure.status;
      return sendText(response, status, failure.message);
    }
    const result = await answer(request, body);
    if (result === 'reset') return void request.socket.destroy();
    response.writeHead(result.status, {
      'Content-Type': result.contentType,
      'Content-Length': result.body.length,
    });
    response.end(result.body);
    if (result.status === 200) recordCapture(request, body, result);
  }

  async function invokeEndpoint(
    request: IncomingMessage,
    response: ServerResponse,
    encodedName: string,
  ): Promise<void> {
    const body = await readBody(request, MAX_PAYLOAD_BYTES);
    if (body === undefined) {
      const requestId = randomUUID();
      const message = `Request ${requestId} has oversize body.`;
      return sendJson(response, 400, { message }, { errorType: 'ValidationError', close: true, requestId });
    }
    const name = decodePathSegment(encodedName);
    if (name === undefined || !ENDPOINT_NAME_PATTERN.test(name)) {
      const shown = name ?? encodedName;
      const message =
        `1 validation error detected: Value '${shown}' at 'endpointName' failed to satisfy constraint: ` +
        `Member must satisfy regular expression pattern: ${ENDPOINT_NAME_PATTERN.source.slice(1, -1)}`;
      return sendJson(response, 400, { message }, 'ValidationError');
    }
    if (name !== endpointName) {
      return sendJson(
        response,
        400,
        { message: `Endpoint ${name} of account ${accountId} not found.` },
        'ValidationError',
      );
    }
    if (body.length === 0) {
      const message =
        "1 validation error detected: Value at 'body' failed to satisfy constraint: Member must not be null";
      return sendJson(response, 400, { message }, 'ValidationError');
    }
    const badInferenceId = inferenceIdProblem(request.headers['x-amzn-sagemaker-inference-id']);
    if (badInferenceId) return sendJson(response, 400, { message: badInferenceId }, 'ValidationError');
    const failure = faults.takeFailure();
    if (failure) {
      invocations++;
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (failure.status === 424) return sendModelError(response, modelErrorContext, 500, failure.message);
      return sendJson(response, failure.status, { message: failure.message }, FAULT_ERRORS[failure.status]);
    }
    const result = await answer(request, body);
    if (result === 'reset') return void request.socket.destroy();
    if (result.status !== 200) {
      return sendModelError(response, modelErrorContext, result.status, result.body.toString('utf8'));
    }
    const inferenceId = request.headers['x-amzn-sagemaker-inference-id'];
    response.writeHead(200, {
      'Content-Type': result.contentType,
      'Content-Length': result.body.length,
      'x-Amzn-Invoked-Production-Variant': variantName,
      'x-amzn-RequestId': randomUUID(),
      ...(typeof inferenceId === 'string' ? { 'X-Amzn-SageMaker-Inference-Id': inferenceId } : {}),
    });
    response.end(result.body);
    recordCapture(request, body, result);
  }

  function recordCapture(request: IncomingMessage, body: Buffer, result: ContainerAnswer): void {
    if (!capture) return;
    const inferenceId = request.headers['x-amzn-sagemaker-inference-id'];
    capture.record({
      input: body,
      inputContentType: request.headers['content-type'] ?? 'application/octet-stream',
      output: result.body,
      outputContentType: result.contentType,
      ...(typeof inferenceId === 'string' ? { inferenceId } : {}),
      time: new Date(),
    });
  }

  await listen(port);
  port = (server.address() as AddressInfo).port;
  announceIfReachable(
    server,
    'endpoint',
    'InvokeEndpoint and the unauthenticated /_stub/* control routes (fault injection, capture flush)',
  );
  const urlHost = urlHostFor(host);
  return {
    url: `http://${urlHost}:${port}`,
    port,
    endpointName,
    variantName,
    predictor,
    faults,
    capture,
    get invocations() {
      return invocations;
    },
    async stop() {
      faults.dispose();
      const closed = server.listening ? new Promise<void>((done) => server.close(() => done())) : undefined;
      // Also sockets a refused listener spared (the control request's keep-alive socket).
      for (const socket of sockets) socket.destroy();
      await closed;
      await capture?.stop();
    },
  };
}

/** A percent-encoded path segment, or `undefined` when its encoding is malformed (`%zz`). */
function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** How clients reach a server bound to `host` (a wildcard address means this machine). */
function urlHostFor(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
