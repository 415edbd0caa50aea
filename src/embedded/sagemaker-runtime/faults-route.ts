/**
 * The fleet's model faults over HTTP, on a running stack's gateway, for tests and benchmarks in
 * other processes: a kit-only control route shaped after LocalStack's Chaos API
 * (`/_localstack/chaos/faults`), whose verbs it mirrors on `/_scones/faults`:
 * - `GET`: the rules in force;
 * - `POST` a rule or a list: replaces every rule (`[]` clears them);
 * - `PATCH` a rule or a list: adds them after those in force;
 * - `DELETE` a rule or a list: removes the rules equal to them; without a body, every rule.
 * Each answers 200 with the rules in force (a JSON list, as LocalStack answers). A body that is not
 * UTF-8 JSON, a malformed rule, or more than 64 KiB is refused with 400 and a message naming the
 * problem (the field, for a rule), and the rules stay as they were.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Route, readBody, sendJson } from '../gateway/index.ts';
import { FaultRuleError, type ModelFaultRule, type ModelFaults } from './model-faults.ts';

export const FAULTS_PATH = '/_scones/faults';

const MAX_FAULTS_BODY_BYTES = 64 * 1024;

class FaultsRequestError extends Error {
  /** Whether the connection is closed after the answer (a body too large is not read whole). */
  readonly close: boolean;
  readonly status: number;

  constructor(message: string, options: { close?: boolean; status?: number } = {}) {
    super(message);
    this.close = options.close ?? false;
    this.status = options.status ?? 400;
  }
}

/** The body's JSON; `undefined` for an empty body. */
async function jsonBody(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(request, MAX_FAULTS_BODY_BYTES);
  if (body === undefined)
    throw new FaultsRequestError(`fault rule bodies are limited to ${MAX_FAULTS_BODY_BYTES} bytes`, {
      close: true,
    });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new FaultsRequestError('the body is not UTF-8');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FaultsRequestError(`the body is not JSON: ${(error as Error).message}`);
  }
}

async function apply(faults: ModelFaults, request: IncomingMessage): Promise<ModelFaultRule[]> {
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      request.resume();
      return faults.list();
    case 'POST': {
      const body = await jsonBody(request);
      if (body === undefined)
        throw new FaultsRequestError('POST needs a rule or a list of rules ([] clears them)');
      return faults.set(body as ModelFaultRule | ModelFaultRule[]);
    }
    case 'PATCH': {
      const body = await jsonBody(request);
      if (body === undefined) throw new FaultsRequestError('PATCH needs a rule or a list of rules');
      return faults.add(body as ModelFaultRule | ModelFaultRule[]);
    }
    case 'DELETE': {
      const body = await jsonBody(request);
      if (body !== undefined) return faults.remove(body as ModelFaultRule | ModelFaultRule[]);
      faults.clear();
      return [];
    }
    default:
      request.resume();
      throw new FaultsRequestError(
        `${request.method} is not served on ${FAULTS_PATH}: GET, POST, PATCH or DELETE`,
        { status: 405 },
      );
  }
}

/** The gateway route of `/_scones/faults` over `faults` (the fleet's). */
export function faultsRoute(faults: ModelFaults): Route {
  return {
    name: 'scones-faults',
    matchesPath: (path) => path === FAULTS_PATH,
    async handle(request: IncomingMessage, response: ServerResponse) {
      let rules: ModelFaultRule[];
      try {
        rules = await apply(faults, request);
      } catch (error) {
        if (error instanceof FaultRuleError)
          return sendJson(response, 400, { message: error.message }, 'ValidationError');
        if (!(error instanceof FaultsRequestError)) throw error;
        const options = { errorType: 'ValidationError', close: error.close };
        return sendJson(response, error.status, { message: error.message }, options);
      }
      sendJson(response, 200, rules);
    },
    answerError(error, _request, response) {
      const message = `Local fault rules failure: ${(error as Error).message}`;
      sendJson(response, 500, { message }, { errorType: 'InternalFailure', close: true });
    },
  };
}
