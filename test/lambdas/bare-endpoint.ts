/**
 * A bare HTTP server in place of SageMaker Runtime, for what the local endpoint never does (a
 * body that is not JSON) or to see a request exactly as the service would receive it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BareAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: string;
  delayMs?: number;
}

export interface BareEndpoint {
  url: string;
  /** Headers of every request received, oldest first. */
  requests: IncomingMessage['headers'][];
  stop(): Promise<void>;
}

export async function startBareEndpoint(answer: () => BareAnswer): Promise<BareEndpoint> {
  const requests: IncomingMessage['headers'][] = [];
  const server = createServer((request, response) => {
    requests.push(request.headers);
    request.resume();
    const { status = 200, headers = {}, body, delayMs = 0 } = answer();
    setTimeout(() => {
      response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      response.end(body);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
