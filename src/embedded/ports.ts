/**
 * Where the embedded tier's services listen. By default each service has a port of its own: the
 * local S3 in a worker thread (a core of its own, with the serialize function beside it), or in
 * this thread for a short run; the endpoint on its own port. A running stack (`scones up`, the
 * runtime's `stepFunctionsApi`) serves every service on one port instead: a gateway whose table is
 * S3 (up first: the endpoint's model may load from it) and then `stackRoutes`. Adding a service to
 * the stack is its folder and one line in that table.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { AwsApis } from './aws-apis.ts';
import { startLocalS3Threaded, type ThreadedLocalS3 } from './functions/index.ts';
import { type Gateway, type Route, startGateway } from './gateway/index.ts';
import { type LocalS3, openS3Service, S3Error, sendError, startLocalS3 } from './s3/index.ts';
import { type EndpointServer, faultsRoute, type ModelFaults } from './sagemaker-runtime/index.ts';
import { DEFAULT_DATA_DIR } from './shared/index.ts';
import { type SfnApiHost, stepFunctionsRoute } from './stepfunctions/index.ts';
import type { EmbeddedRuntimeOptions } from './types.ts';

/** The services of a running stack's port besides S3, each recognised by its own route. */
export function stackRoutes(
  endpoint: EndpointServer,
  stepFunctions: SfnApiHost,
  apis: AwsApis | undefined,
  faults: ModelFaults,
): Route[] {
  return [
    endpoint.route, // SageMaker runtime: signed for `sagemaker`, or POST /endpoints/{name}/invocations
    faultsRoute(faults), // the fleet's model fault rules: /_scones/faults (kit-only, unsigned)
    stepFunctionsRoute(stepFunctions), // Step Functions: signed for `states`, or X-Amz-Target AWSStepFunctions.*
    ...(apis?.routes ?? []), // SageMaker (X-Amz-Target SageMaker.*) and the APIs beside it (aws-apis.ts)
  ];
}

export interface ListeningS3 {
  localS3: LocalS3 | ThreadedLocalS3;
  /** A running stack's one port, where `stackRoutes` are mounted once their services exist. */
  gateway?: Gateway;
}

/**
 * Starts the local S3 where the options put it. On a running stack's gateway, a write to an object
 * for which `refused(bucket, key)` holds is refused (503, which clients retry, then report): while
 * the stack stops, an upload under the intake prefix would never start its execution, as the
 * trigger no longer listens; every other write (the drain's captured records and review items) is
 * taken until the S3 closes.
 */
export async function startS3For(
  options: EmbeddedRuntimeOptions,
  bucket: string,
  refused: (bucket: string, key: string) => boolean,
): Promise<ListeningS3> {
  const directory = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR, 's3');
  const port = options.port === undefined ? {} : { port: options.port };
  if (!options.stepFunctionsApi) {
    // The thread's module (and the sharp it preloads for the functions it hosts) loads only when used.
    const start = options.s3Thread === false ? startLocalS3 : startLocalS3Threaded;
    return { localS3: await start({ directory, buckets: [bucket], ...port }) };
  }
  const s3 = await openS3Service({ directory, buckets: [bucket] });
  const gateway = await startGateway({
    routes: [refusingWrites(refused, s3.route)],
    ...port,
    name: 'local stack',
    exposed: 'every bucket, the Step Functions API and InvokeEndpoint, unauthenticated',
  });
  return {
    localS3: {
      endpoint: gateway.url,
      directory,
      notifications: s3.notifications,
      stop: () => gateway.stop(),
    },
    gateway,
  };
}

function refusingWrites(refused: (bucket: string, key: string) => boolean, route: Route): Route {
  return {
    ...route,
    handle(request, response) {
      const write = request.method !== 'GET' && request.method !== 'HEAD';
      if (write) {
        const { bucket, key } = objectOf(request.url ?? '/');
        if (refused(bucket, key)) return refuseWhileStopping(request, response);
      }
      return route.handle(request, response);
    },
  };
}

/**
 * The bucket and key a path-style request names (`/<bucket>/<key>?<query>`), decoded; a malformed
 * escape is left as written (the S3 route then answers InvalidURI).
 */
function objectOf(url: string): { bucket: string; key: string } {
  const queryStart = url.indexOf('?');
  const path = (queryStart < 0 ? url : url.slice(0, queryStart)).slice(1);
  const slash = path.indexOf('/');
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return slash < 0
    ? { bucket: decode(path), key: '' }
    : { bucket: decode(path.slice(0, slash)), key: decode(path.slice(slash + 1)) };
}

function refuseWhileStopping(request: IncomingMessage, response: ServerResponse): void {
  const error = new S3Error(
    'ServiceUnavailable',
    503,
    'The local stack is stopping; the request was not taken.',
  );
  sendError(response, request, error, true);
  request.resume();
}
