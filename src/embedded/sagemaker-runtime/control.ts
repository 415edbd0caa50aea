/**
 * The endpoint's control routes, for tests that drive a server in another process:
 * - `GET /_stub/behavior`: state (faults, invocations, predictor, capture counts);
 * - `POST /_stub/behavior`: a JSON `BehaviorRequest`, plus `predictor` rules for the stub;
 * - `POST /_stub/capture/flush`: writes buffered capture records now.
 *
 * A control request is checked whole before anything changes: malformed JSON, a wrong type, an
 * unknown field or a value out of range answers 400 naming the field, and the state stays as it
 * was. Bodies over 64 KiB are refused unread.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Predictor } from '../../workflow/predictor.ts';
import { readBody, sendJson } from '../gateway/index.ts';
import type { DataCapture } from './data-capture.ts';
import type { BehaviorRequest, EndpointFaults, FaultState } from './faults.ts';
import { objectIssue, stubRulesSchema } from './stub-predictor.ts';
import type { StubPredictor, StubRules } from './types.ts';

const MAX_CONTROL_BODY_BYTES = 64 * 1024;

/** Shapes only; ranges and allowed values are checked by `EndpointFaults.check`, for every caller. */
const behaviorSchema = z.strictObject(
  {
    reset: z.boolean().optional(),
    latencyMs: z.number().optional(),
    fail: z
      .strictObject(
        {
          status: z.number().optional(),
          count: z.number().optional(),
          message: z.string().max(1024).optional(),
        },
        { error: objectIssue },
      )
      .optional(),
    connections: z.string().optional(),
    durationMs: z.number().optional(),
    predictor: stubRulesSchema.optional(),
  },
  { error: objectIssue },
);

type ControlRequest = BehaviorRequest & { predictor?: StubRules };

export interface ControlledEndpoint {
  predictor: Predictor;
  faults: EndpointFaults;
  capture: DataCapture | undefined;
  invocations(): number;
}

class ControlRequestError extends Error {}

/** Answers one `/_stub/*` request. */
export async function handleControl(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  endpoint: ControlledEndpoint,
): Promise<void> {
  if (path === '/_stub/behavior' && request.method === 'GET') {
    return sendJson(response, 200, stateOf(endpoint, endpoint.faults.state()));
  }
  if (path === '/_stub/behavior' && request.method === 'POST') {
    const body = await readBody(request, MAX_CONTROL_BODY_BYTES);
    if (body === undefined) {
      const message = `control request bodies are limited to ${MAX_CONTROL_BODY_BYTES} bytes`;
      return sendJson(response, 400, { message }, { errorType: 'ValidationError', close: true });
    }
    let state: FaultState;
    try {
      state = await applyControl(endpoint, parseControlRequest(body), request);
    } catch (error) {
      if (!(error instanceof ControlRequestError || error instanceof RangeError)) throw error;
      return sendJson(response, 400, { message: error.message }, 'ValidationError');
    }
    return sendJson(response, 200, stateOf(endpoint, state));
  }
  if (path === '/_stub/capture/flush' && request.method === 'POST') {
    await endpoint.capture?.flush();
    return sendJson(response, 200, { files: endpoint.capture?.writtenKeys ?? [] });
  }
  sendJson(
    response,
    404,
    { message: `No control route ${request.method} ${path}` },
    'UnknownOperationException',
  );
}

function parseControlRequest(body: Buffer): ControlRequest {
  let value: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new ControlRequestError(`the control request is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const parsed = behaviorSchema.safeParse(value);
  if (parsed.success) return parsed.data as ControlRequest;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the control request';
  throw new ControlRequestError(`${where} ${issue?.message ?? 'is malformed'}`);
}

async function applyControl(
  endpoint: ControlledEndpoint,
  control: ControlRequest,
  request: IncomingMessage,
): Promise<FaultState> {
  const { predictor: rules, ...behavior } = control;
  const stub = stubOf(endpoint.predictor);
  if (rules !== undefined && !stub) {
    throw new ControlRequestError('predictor rules apply to the stub predictor only');
  }
  endpoint.faults.check(behavior);
  // Both are checked now; the stub's own capacity check runs before it changes anything.
  if (rules !== undefined) stub?.applyRules(rules);
  return endpoint.faults.apply(behavior, request.socket);
}

function stubOf(predictor: Predictor): StubPredictor | undefined {
  return 'applyRules' in predictor ? (predictor as StubPredictor) : undefined;
}

function stateOf(endpoint: ControlledEndpoint, faults: FaultState) {
  const stub = stubOf(endpoint.predictor);
  const { capture } = endpoint;
  return {
    faults,
    invocations: endpoint.invocations(),
    predictor: stub
      ? { kind: 'stub', calls: stub.calls, ready: stub.ready() }
      : { kind: 'model', ready: endpoint.predictor.ready() },
    capture: capture ? { captured: capture.captured, files: capture.writtenKeys.length } : null,
  };
}
