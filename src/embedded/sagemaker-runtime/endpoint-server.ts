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
 *   records now (control.ts).
 *
 * The model is a pluggable `Predictor` (the deterministic stub or the real model), optional: a
 * server started without one (a running tier's, before any endpoint exists) has no endpoint of its
 * own and serves only the names its directory (`hosted`, the fleet) finds; with a directory, the
 * directory alone answers for names (the runtime registers the server's own endpoint in it). A
 * container
 * error (4xx/5xx from `/invocations`) becomes `ModelError` 424 on the runtime route, as on AWS.
 * What an invocation answers is endpoint.ts's; this file is the server around it (and the route
 * that serves the same endpoint on a gateway).
 *
 * No request brings the server down (gateway/hardening.ts): a handler error answers InternalFailure;
 * slow clients meet header and request timeouts; a body over SageMaker's 6 MB payload limit is
 * refused with the service's ValidationError once the limit is passed (never buffered whole), then
 * the connection is closed; a malformed endpoint name is a ValidationError, an unknown route
 * UnknownOperationException 404. It listens on 127.0.0.1 unless given another host, and says so
 * on stderr when that host is reachable from the network (the control routes have no auth).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  announceIfReachable,
  applyServerLimits,
  guardRequests,
  listenOn,
  type ServerLimits,
  sendJson,
  serverOptionsFor,
  writeAnswer,
} from '../gateway/index.ts';
import { LOCAL_ACCOUNT } from '../shared/index.ts';
import { handleControl } from './control.ts';
import { createEndpoint, ENDPOINT_NAME_PATTERN, unknownEndpoint } from './endpoint.ts';
import { EndpointFaults } from './faults.ts';
import { endpointFor, INVOCATIONS_PATH, serveContainerInvocation, serveInvocation } from './http.ts';
import { answerInternalFailure, runtimeRoute } from './route.ts';
import type { EndpointServer, EndpointServerOptions } from './types.ts';

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
  const host = options.host ?? '127.0.0.1';
  const limits = { ...ENDPOINT_LIMITS, ...options.limits };
  const server = createServer(serverOptionsFor(limits), guardRequests(route, answerInternalFailure));
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
  const accountId = options.accountId ?? LOCAL_ACCOUNT;
  const variantName = options.variantName ?? 'AllTraffic';
  const endpoint = options.predictor
    ? createEndpoint({
        predictor: options.predictor,
        endpointName,
        variantName,
        accountId,
        region: options.region ?? 'us-east-1',
        faults,
        ...(options.capture ? { capture: options.capture } : {}),
        ...(options.modelFaults ? { modelFaults: options.modelFaults } : {}),
      })
    : undefined;
  const unknown = unknownEndpoint(accountId);
  const endpointNamed = (encodedName: string) => endpointFor(endpoint, options.hosted, encodedName, unknown);

  const listen = (onPort: number) => listenOn(server, onPort, host);

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const path = url.split('?', 1)[0] as string;
    if (request.method === 'POST') {
      const runtimeRoute = INVOCATIONS_PATH.exec(path);
      if (runtimeRoute) {
        const encodedName = runtimeRoute[1] as string;
        return serveInvocation(endpointNamed(encodedName), request, response, encodedName);
      }
      if (path === '/invocations' && endpoint) return serveContainerInvocation(endpoint, request, response);
    }
    if (path === '/ping' && (request.method === 'GET' || request.method === 'HEAD') && endpoint) {
      return void writeAnswer(response, endpoint.ping());
    }
    if (path.startsWith('/_stub/') && endpoint) {
      return handleControl(request, response, path, {
        predictor: endpoint.predictor,
        faults,
        capture: endpoint.capture,
        invocations: () => endpoint.invocations,
      });
    }
    // Without a model of its own, the container contract and the control routes have nothing to serve.
    const message = endpoint
      ? `No route for ${request.method} ${path}`
      : `No route for ${request.method} ${path}: this server has no model of its own; it serves the endpoints of its tier by name (POST /endpoints/{name}/invocations)`;
    sendJson(response, 404, { message }, 'UnknownOperationException');
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
    predictor: endpoint?.predictor,
    own: endpoint,
    faults,
    capture: endpoint?.capture,
    get invocations() {
      return endpoint?.invocations ?? 0;
    },
    route: runtimeRoute(endpointNamed),
    async stop() {
      faults.dispose();
      const closed = server.listening ? new Promise<void>((done) => server.close(() => done())) : undefined;
      // Also sockets a refused listener spared (the control request's keep-alive socket).
      for (const socket of sockets) socket.destroy();
      await closed;
      await endpoint?.capture?.stop();
    },
  };
}

/** How clients reach a server bound to `host` (a wildcard address means this machine). */
function urlHostFor(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
