/**
 * What every local server of the kit (S3, SageMaker endpoint, review page) does so that no
 * request, however malformed, brings it down or holds it forever:
 * - `guardRequests` runs the request handler so that a synchronous throw (e.g. a URIError from
 *   `decodeURIComponent` on `%zz`) and a rejected promise both become an error response, never an
 *   uncaught exception that ends the process;
 * - `applyServerLimits` bounds what a client can make the server hold: time to send the headers,
 *   idle time on a socket, the number of headers. Node's own defaults apply to the rest
 *   (`maxHeaderSize` 16 KiB answered with 431; a missing Host header answered with 400).
 *
 * Node answers protocol-level garbage itself ('clientError': 400, 408 or 431, then closes the
 * socket); the handler below only adds that a socket already mid-response is destroyed quietly.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestErrorHandler, RequestHandler, ServerLimits } from './types.ts';

/** Defaults for the kit's local servers: generous for real clients, short for stuck ones. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 0,
  idleTimeoutMs: 60_000,
  maxHeadersCount: 200,
};

export function applyServerLimits(server: Server, limits: Partial<ServerLimits> = {}): void {
  const resolved = { ...DEFAULT_SERVER_LIMITS, ...limits };
  server.headersTimeout = resolved.headersTimeoutMs;
  server.requestTimeout = resolved.requestTimeoutMs;
  server.maxHeadersCount = resolved.maxHeadersCount;
  server.setTimeout(resolved.idleTimeoutMs, (socket: Socket) => socket.destroy());
  // SDK agents keep sockets open between calls; keep them a while so clients need not reconnect.
  server.keepAliveTimeout = Math.min(resolved.idleTimeoutMs, 60_000);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(error.code);
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
}

/**
 * Options for `createServer`: Node checks header and request timeouts only every
 * `connectionsCheckingInterval` (default 30 s, so a 10 s headers timeout could take 40 s); check
 * often enough that the limits given to `applyServerLimits` hold to within a second.
 */
export function serverOptionsFor(limits: Partial<ServerLimits> = {}): {
  connectionsCheckingInterval: number;
} {
  const resolved = { ...DEFAULT_SERVER_LIMITS, ...limits };
  const shortest = Math.min(...[resolved.headersTimeoutMs, resolved.requestTimeoutMs].filter((ms) => ms > 0));
  return { connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(shortest / 4))) };
}

/** Whether a bound address is reachable from this machine only. */
export function isLoopbackAddress(address: string): boolean {
  return (
    /^127\./.test(address) || address === '::1' || address === '::ffff:127.0.0.1' || address === 'localhost'
  );
}

/**
 * One stderr line when a local server listens beyond loopback: the kit's servers have no
 * authentication, so whoever can reach the address can use them (`exposed` says what).
 */
export function announceIfReachable(server: Server, name: string, exposed: string): void {
  const bound = server.address();
  if (!bound || typeof bound === 'string' || isLoopbackAddress(bound.address)) return;
  console.error(
    `${name}: listening on ${bound.address}:${bound.port}, reachable from the network: ${exposed} (set HOST=127.0.0.1 to keep it local)`,
  );
}

function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

/**
 * A request listener that never throws: errors, synchronous or not, go to `onError`, which answers
 * in the server's own error format. If `onError` itself fails, or the response has already started,
 * the connection is destroyed instead.
 */
export function guardRequests(handler: RequestHandler, onError: RequestErrorHandler) {
  const fail = (error: unknown, request: IncomingMessage, response: ServerResponse) => {
    try {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      onError(error, request, response);
    } catch {
      response.destroy();
    }
  };
  return (request: IncomingMessage, response: ServerResponse): void => {
    try {
      const pending = handler(request, response);
      if (pending) pending.catch((error: unknown) => fail(error, request, response));
    } catch (error) {
      fail(error, request, response);
    }
  };
}

/** Starts `server` listening on `host:port` (0: a free port); rejects with the listen error (EADDRINUSE, ...). */
export function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
}
