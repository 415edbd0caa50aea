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
 *   problem when malformed); `POST /_stub/capture/flush` writes buffered capture records now.
 *
 * The model is a pluggable `Predictor` (the deterministic stub or the real model). A container
 * error (4xx/5xx from `/invocations`) becomes `ModelError` 424 on the runtime route, as on AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CaptureOptions, DataCapture } from './data-capture.ts';
import { type BehaviorRequest, EndpointFaults, FAULT_ERRORS, type FaultState } from './endpoint-faults.ts';
import { ModelInputError, type Predictor, parseStubRules, type StubPredictor } from './predictors.ts';

export type { CaptureOptions } from './data-capture.ts';

export interface EndpointServerOptions {
  predictor: Predictor;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1; a container binds 0.0.0.0. */
  host?: string;
  /** The one endpoint name the runtime route answers (default `scones-image-classification`). */
  endpointName?: string;
  /** Reported in `x-Amzn-Invoked-Production-Variant` and capture paths (default `AllTraffic`). */
  variantName?: string;
  capture?: CaptureOptions;
  /** Account and region in messages and ARNs, as the service words them. */
  accountId?: string;
  region?: string;
}

export interface EndpointServer {
  /** Base URL for `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  endpointName: string;
  variantName: string;
  predictor: Predictor;
  faults: EndpointFaults;
  /** Present when capture is enabled. */
  capture: DataCapture | undefined;
  /** Invocations that reached the predictor or a fault. */
  readonly invocations: number;
  stop(): Promise<void>;
}

/** SageMaker Runtime's payload limit for real-time invocations. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const IMAGE_CONTENT_TYPES = new Set(['image/png', 'image/jpeg', 'application/x-image']);
const INVOCATIONS_PATH = /^\/endpoints\/([^/]+)\/invocations$/;

interface ContainerAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

export async function startEndpointServer(options: EndpointServerOptions): Promise<EndpointServer> {
  const endpointName = options.endpointName ?? 'scones-image-classification';
  const variantName = options.variantName ?? 'AllTraffic';
  const accountId = options.accountId ?? '000000000000';
  const region = options.region ?? 'us-east-1';
  const host = options.host ?? '127.0.0.1';
  const { predictor } = options;
  const capture = options.capture ? new DataCapture(options.capture, endpointName, variantName) : undefined;
  let invocations = 0;

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      sendJson(
        response,
        500,
        { message: `Local endpoint failure: ${(error as Error).message}` },
        'InternalFailure',
      );
    });
  });
  server.keepAliveTimeout = 60_000; // SDK agents reuse sockets; do not make them reconnect
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
      if (runtimeRoute)
        return invokeEndpoint(request, response, decodeURIComponent(runtimeRoute[1] as string));
      if (path === '/invocations') return invokeContainer(request, response);
    }
    if (path === '/ping' && (request.method === 'GET' || request.method === 'HEAD')) {
      const healthy = predictor.ready();
      response.writeHead(healthy ? 200 : 503, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
      return void response.end();
    }
    if (path.startsWith('/_stub/')) return control(request, response, path);
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
    const contentType =
      (request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]?.trim() ?? '';
    if (!IMAGE_CONTENT_TYPES.has(contentType.toLowerCase())) {
      return textAnswer(415, `Content type ${contentType} is not supported by this algorithm.`);
    }
    const accept = (
      request.headers['x-amzn-sagemaker-accept'] ??
      request.headers.accept ??
      'application/json'
    )
      .toString()
      .toLowerCase();
    const wantsJsonLines = accept.includes('application/jsonlines');
    if (!wantsJsonLines && !accept.includes('application/json') && !accept.includes('*/*')) {
      return textAnswer(406, `Accept type ${accept} is not supported by this algorithm.`);
    }
    let probabilities: number[];
    try {
      probabilities = await predictor.predict(body, contentType);
    } catch (error) {
      if (error instanceof ModelInputError) return textAnswer(error.statusCode, error.message);
      return textAnswer(500, `Inference failed: ${(error as Error).message}`);
    }
    // Only the shape is checked: odd numbers pass as given (NaN serializes as null), so tests can
    // stage malformed answers for the classify Lambda to refuse.
    if (!Array.isArray(probabilities)) {
      return textAnswer(
        500,
        `Inference failed: the predictor returned ${JSON.stringify(probabilities)}, not a list`,
      );
    }
    return wantsJsonLines
      ? jsonAnswer('application/jsonlines', `${JSON.stringify({ prediction: probabilities })}\n`)
      : jsonAnswer('application/json', JSON.stringify(probabilities));
  }

  async function invokeContainer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === undefined) return sendText(response, 413, 'Request payload too large');
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
    name: string,
  ): Promise<void> {
    const body = await readBody(request);
    if (name !== endpointName) {
      return sendJson(
        response,
        400,
        { message: `Endpoint ${name} of account ${accountId} not found.` },
        'ValidationError',
      );
    }
    if (body === undefined) {
      const message = `Request payload exceeds the ${MAX_PAYLOAD_BYTES}-byte limit of real-time endpoints.`;
      return sendJson(response, 400, { message }, 'ValidationError');
    }
    if (body.length === 0) {
      const message =
        "1 validation error detected: Value at 'body' failed to satisfy constraint: Member must not be null";
      return sendJson(response, 400, { message }, 'ValidationError');
    }
    const failure = faults.takeFailure();
    if (failure) {
      invocations++;
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (failure.status === 424) return sendModelError(response, 500, failure.message);
      return sendJson(response, failure.status, { message: failure.message }, FAULT_ERRORS[failure.status]);
    }
    const result = await answer(request, body);
    if (result === 'reset') return void request.socket.destroy();
    if (result.status !== 200) return sendModelError(response, result.status, result.body.toString('utf8'));
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

  /** As SageMaker Runtime words a container error: ModelError 424 carrying the original answer. */
  function sendModelError(response: ServerResponse, originalStatus: number, originalMessage: string): void {
    const kind = originalStatus >= 500 ? 'server' : 'client';
    const logGroup = `/aws/sagemaker/Endpoints/${endpointName}`;
    const message =
      `Received ${kind} error (${originalStatus}) from primary with message "${originalMessage}". ` +
      `See https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logEventViewer:group=${logGroup} ` +
      `in account ${accountId} for more information.`;
    const body = {
      ErrorCode: kind === 'server' ? 'SERVER_ERROR_FROM_MODEL' : 'CLIENT_ERROR_FROM_MODEL',
      LogStreamArn: `arn:aws:logs:${region}:${accountId}:log-group:${logGroup}`,
      Message: message,
      OriginalMessage: originalMessage,
      OriginalStatusCode: originalStatus,
    };
    sendJson(response, 424, body, 'ModelError');
  }

  async function control(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const stub = 'applyRules' in predictor ? (predictor as StubPredictor) : undefined;
    const state = (faultState: FaultState) => ({
      faults: faultState,
      invocations,
      predictor: stub
        ? { kind: 'stub', calls: stub.calls, ready: stub.ready() }
        : { kind: 'model', ready: predictor.ready() },
      capture: capture ? { captured: capture.captured, files: capture.writtenKeys.length } : null,
    });
    if (path === '/_stub/behavior' && request.method === 'GET')
      return sendJson(response, 200, state(faults.state()));
    if (path === '/_stub/behavior' && request.method === 'POST') {
      let behavior: BehaviorRequest & { predictor?: unknown };
      try {
        behavior = JSON.parse((await readBody(request))?.toString('utf8') || '{}');
        if (behavior.predictor !== undefined) {
          if (!stub) throw new TypeError('predictor rules apply to the stub predictor only');
          stub.applyRules(parseStubRules(behavior.predictor));
        }
        return sendJson(response, 200, state(await faults.apply(behavior, request.socket)));
      } catch (error) {
        return sendJson(response, 400, { message: (error as Error).message }, 'ValidationError');
      }
    }
    if (path === '/_stub/capture/flush' && request.method === 'POST') {
      await capture?.flush();
      return sendJson(response, 200, { files: capture?.writtenKeys ?? [] });
    }
    sendJson(response, 404, { message: `No control route ${request.method} ${path}` });
  }

  await listen(port);
  port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
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

function textAnswer(status: number, message: string): ContainerAnswer {
  return { status, contentType: 'text/plain', body: Buffer.from(message) };
}

function jsonAnswer(contentType: string, text: string): ContainerAnswer {
  return { status: 200, contentType, body: Buffer.from(text) };
}

/** The body, or `undefined` when it exceeds the payload limit (read to the end, not kept). */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_PAYLOAD_BYTES) return undefined;
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/** restJson1 errors: the SDK reads the type from `x-amzn-ErrorType` and the fields from the body. */
function sendJson(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  response.end(text);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
