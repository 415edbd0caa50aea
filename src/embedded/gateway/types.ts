/** Shapes of the gateway: request handlers, their error answerers, and the limits every server keeps. */
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';

export interface ServerLimits {
  /** A client must send all its headers within this time (slowloris); Node answers 408. */
  headersTimeoutMs: number;
  /**
   * Whole-request limit; 0 turns it off. Off for servers that take multi-GB uploads, which are
   * bounded by `idleTimeoutMs` instead: a stalled upload is dropped, a slow but moving one is not.
   */
  requestTimeoutMs: number;
  /** A socket with no traffic for this long is closed (also bounds keep-alive connections). */
  idleTimeoutMs: number;
  /** Headers beyond this count are dropped by Node's parser. */
  maxHeadersCount: number;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

export type RequestErrorHandler = (
  error: unknown,
  request: IncomingMessage,
  response: ServerResponse,
) => void;

/**
 * One service on the gateway: how its requests are recognised (router.ts), its handler, and how
 * what the handler throws is answered, in the service's own error shape.
 */
export interface Route {
  /** The service, in messages (`s3`, `stepfunctions`, `sagemaker-runtime`); unique per gateway. */
  name: string;
  /** The service of a SigV4 credential scope that selects it (`s3`, `states`, `sagemaker`). */
  signingName?: string;
  /** An `X-Amz-Target` prefix that selects it (AWS JSON protocols), e.g. `AWSStepFunctions.`. */
  targetPrefix?: string;
  /** Paths it serves when the request names no service (unsigned), e.g. SageMaker's invocations. */
  matchesPath?: (path: string, method: string) => boolean;
  /** Takes whatever no route recognised (S3: in path-style REST any path is a bucket or a key). */
  fallback?: boolean;
  handle: RequestHandler;
  /** Answers an error `handle` threw or rejected with (a response not yet started). */
  answerError: RequestErrorHandler;
}

export interface GatewayOptions {
  /** The route table; more can be mounted later (Gateway.mount). */
  routes: readonly Route[];
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  limits?: Partial<ServerLimits>;
  /** What the stderr line says is listening, and what it exposes, when the host is reachable from the network. */
  name: string;
  exposed: string;
}

export interface Gateway {
  /** Base URL, e.g. `http://127.0.0.1:4566`. */
  url: string;
  port: number;
  server: Server;
  /** Adds a service to the table; a request already routed keeps its route. */
  mount(route: Route): void;
  /** Names of the routes served, in the order they were mounted. */
  readonly routes: readonly string[];
  /** Closes every connection and the listener. */
  stop(): Promise<void>;
}

/** What a service answers, before it is written (answers.ts writes it). */
export interface Answer {
  status: number;
  headers: OutgoingHttpHeaders;
  /** Nothing (an empty or HEAD answer), bytes, text, or a stream piped to the client. */
  body?: Buffer | string | NodeJS.ReadableStream;
}

export interface AnswerOptions {
  /** restJson1's `x-amzn-ErrorType` (JSON 1.0 services put `__type` in the body instead). */
  errorType?: string;
  /** End the connection after this answer (the rest of an oversized body is not read). */
  close?: boolean;
  /** `x-amzn-RequestId` (default: a new one). */
  requestId?: string;
  /** Default `application/json`; the AWS JSON 1.0 services say `application/x-amz-json-1.0`. */
  contentType?: string;
}

/** An AWS error as a service throws it: the code (`__type`), the HTTP status, the message. */
export interface ServiceFault {
  code: string;
  status: number;
  message: string;
}

/** A service of the AWS JSON protocols on the gateway (json-route.ts). */
export interface JsonServiceRouteOptions {
  /** The route's name (`sagemaker`, `logs`). */
  name: string;
  /** `X-Amz-Target` prefix, e.g. `SageMaker.`; the rest is the action. */
  targetPrefix: string;
  /** The SigV4 scope's service, when it selects this route (shared scopes: see router.ts). */
  signingName?: string;
  /** Larger bodies are refused (413) without being read whole. */
  maxBodyBytes: number;
  /** Default `application/x-amz-json-1.1`. */
  contentType?: string;
  /** Runs the action on the parsed body; throws a ServiceFault-shaped error for the caller's errors. */
  call(action: string, input: unknown): Promise<unknown>;
}
