/** Shapes of the gateway: request handlers, their error answerers, and the limits every server keeps. */
import type { IncomingMessage, ServerResponse } from 'node:http';

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

