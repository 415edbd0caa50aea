/**
 * The gateway: one HTTP server on one port, hardened as every local server of the kit
 * (hardening.ts), handing each request to the service of its route table (router.ts). A service
 * joins with one route: how its requests are recognised, its handler, and how its errors are
 * answered (each in its own service's shape: S3's XML document, a JSON error envelope). Routes can
 * be mounted while it runs, for services that start after the port is open (the endpoint's model
 * loads from the local S3 this port serves). With a single route there is no routing at all: that
 * route takes every request, as its own server would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  announceIfReachable,
  applyServerLimits,
  guardRequests,
  listenOn,
  serverOptionsFor,
} from './hardening.ts';
import { routerFor } from './router.ts';
import type { Gateway, GatewayOptions, Route } from './types.ts';

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const routes: Route[] = [];
  const guarded = new Map<Route, Listener>();
  let dispatch: Listener = () => undefined;
  const mount = (route: Route) => {
    if (routes.some((mounted) => mounted.name === route.name)) {
      throw new Error(`the gateway already serves a route named ${route.name}`);
    }
    routes.push(route);
    guarded.set(route, guardRequests(route.handle, route.answerError));
    if (routes.length === 1) {
      dispatch = guarded.get(route) as Listener;
      return;
    }
    const routeOf = routerFor([...routes]);
    dispatch = (request, response) => (guarded.get(routeOf(request)) as Listener)(request, response);
  };
  if (options.routes.length === 0) throw new Error('a gateway needs at least one route');
  for (const route of options.routes) mount(route);

  const server = createServer(serverOptionsFor(options.limits), (request, response) =>
    dispatch(request, response),
  );
  applyServerLimits(server, options.limits);
  const host = options.host ?? '127.0.0.1';
  await listenOn(server, options.port ?? 0, host);
  announceIfReachable(server, options.name, options.exposed);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    mount,
    get routes() {
      return routes.map((route) => route.name);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
