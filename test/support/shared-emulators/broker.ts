/**
 * The emulator broker: an HTTP server on 127.0.0.1 in vitest's main process that starts each shared
 * server once, on the first file's demand, builds the Lambda bundles once, and stops everything when
 * the run ends. Test files run in worker processes; they reach it through client.ts.
 *
 *   POST /servers/<name>         -> the started server (SharedServerInfo)
 *   GET  /servers/<name>/output  -> the server's recent output, for failure messages
 *   POST /bundles/x86_64         -> BundleInfo[] of the kit's Lambda bundles
 *
 * Starting can outlast an HTTP request (a fresh clone installs the Python venvs first): an answer
 * not ready within LONG_POLL_MS is `{ pending: true }` and the client asks again.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type BundleInfo, buildBundles } from '../../../src/deploy/index.ts';
import { type ServerContext, SHARED_SERVERS, type StartedServer } from './servers.ts';
import {
  type BrokerAnswer,
  SHARED_SERVER_NAMES,
  type SharedServerInfo,
  type SharedServerName,
} from './types.ts';

const LONG_POLL_MS = 20_000;

/** A promise's outcome once settled, readable without awaiting. */
class Settling<T> {
  readonly promise: Promise<T>;
  outcome: { value: T } | { error: unknown } | undefined;

  constructor(promise: Promise<T>) {
    this.promise = promise;
    promise.then(
      (value) => {
        this.outcome = { value };
      },
      (error: unknown) => {
        this.outcome = { error };
      },
    );
  }
}

export class EmulatorBroker {
  readonly #servers = new Map<SharedServerName, Settling<StartedServer>>();
  #bundles: Settling<BundleInfo[]> | undefined;
  readonly #runDir: string;
  readonly #context: Promise<ServerContext>;
  #http: Server | undefined;

  /** `context` resolves once what the servers read (the merged mock file) is written. */
  constructor(runDir: string, context: Promise<ServerContext>) {
    this.#runDir = runDir;
    this.#context = context;
  }

  async listen(): Promise<string> {
    const http = createServer((request, response) => {
      this.#route(request, response).catch((error: unknown) => {
        respond(response, 500, { error: String(error) });
      });
    });
    this.#http = http;
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const [, kind, name, detail] = (request.url ?? '').split('/');
    if (kind === 'bundles' && name === 'x86_64' && request.method === 'POST') {
      this.#bundles ??= new Settling(buildBundles({ arch: 'x86_64', outDir: join(this.#runDir, 'bundles') }));
      return answer(response, this.#bundles, (bundles) => bundles);
    }
    if (kind !== 'servers' || !SHARED_SERVER_NAMES.includes(name as SharedServerName)) {
      return respond(response, 404, { error: `no route ${request.method} ${request.url}` });
    }
    const serverName = name as SharedServerName;
    if (detail === 'output') {
      const started = this.#servers.get(serverName)?.outcome;
      return respond(response, 200, {
        value: started && 'value' in started ? started.value.recentOutput() : '',
      });
    }
    let server = this.#servers.get(serverName);
    if (!server) {
      server = new Settling(this.#context.then((context) => SHARED_SERVERS[serverName](context)));
      this.#servers.set(serverName, server);
    }
    return answer(
      response,
      server,
      (started): SharedServerInfo => ({
        name: serverName,
        url: started.url,
        environment: started.environment(),
      }),
    );
  }

  /** Stops every server started, builds included; waits for starts still under way. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#http ? this.#http.close(() => resolve()) : resolve()));
    const starts = [...this.#servers.values()].map((server) => server.promise.then((s) => s.stop()));
    await Promise.allSettled([...starts, this.#bundles?.promise]);
  }
}

async function answer<T, R>(response: ServerResponse, settling: Settling<T>, shape: (value: T) => R) {
  if (!settling.outcome) {
    await Promise.race([
      settling.promise.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, LONG_POLL_MS).unref()),
    ]);
  }
  const { outcome } = settling;
  if (!outcome) return respond(response, 202, { pending: true });
  if ('error' in outcome) {
    const error = outcome.error as Error;
    return respond(response, 500, { error: error?.stack ?? String(error) });
  }
  return respond(response, 200, { value: shape(outcome.value) });
}

function respond<T>(response: ServerResponse, status: number, body: BrokerAnswer<T>): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
