/**
 * Which service of the gateway's table a request is for, told as LocalStack's gateway tells it:
 * 1. the service of the SigV4 credential scope (`Credential=<key>/<date>/<region>/<service>/aws4_request`
 *    in `Authorization`, or a presigned URL's `X-Amz-Credential`): what every SDK and aws-cli send.
 *    Two services can share a scope (`sagemaker`: the API and its runtime): the one whose
 *    `X-Amz-Target` prefix the request names, else the one that takes no target;
 * 2. else the `X-Amz-Target` prefix of the AWS JSON protocols (`AWSStepFunctions.StartExecution`);
 * 3. else the path (unsigned requests: curl at SageMaker's `/endpoints/{name}/invocations`);
 * 4. else the fallback: S3, whose path-style REST makes any path a bucket or a key.
 * A service named but not mounted here falls through to the next rule, as before it was mounted.
 */
import type { IncomingMessage } from 'node:http';
import type { Route } from './types.ts';

const SCOPE_END = '/aws4_request';
const PRESIGNED_CREDENTIAL = 'X-Amz-Credential=';

/** The service of a credential scope, e.g. `s3` in `AKID/20250101/us-east-1/s3/aws4_request`. */
function scopeService(credential: string, from: number): string | undefined {
  const end = credential.indexOf(SCOPE_END, from);
  if (end < 0) return undefined;
  const start = credential.lastIndexOf('/', end - 1);
  return start < from ? undefined : credential.slice(start + 1, end);
}

/** The service a request is signed for (header or presigned URL), if it is signed. */
export function signingServiceOf(request: IncomingMessage): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const credential = authorization.indexOf('Credential=');
    return credential < 0 ? undefined : scopeService(authorization, credential);
  }
  const url = request.url ?? '';
  const presigned = url.indexOf(PRESIGNED_CREDENTIAL);
  if (presigned < 0) return undefined;
  const valueStart = presigned + PRESIGNED_CREDENTIAL.length;
  const valueEnd = url.indexOf('&', valueStart);
  const encoded = url.slice(valueStart, valueEnd < 0 ? undefined : valueEnd);
  try {
    return scopeService(decodeURIComponent(encoded), 0);
  } catch {
    return undefined; // malformed escapes: the service answers what it makes of the request
  }
}

/** Picks a request's route from the table (at least one route). */
export function routerFor(routes: readonly Route[]): (request: IncomingMessage) => Route {
  const bySigningName = new Map<string, Route[]>();
  for (const route of routes) {
    if (!route.signingName) continue;
    const sharing = bySigningName.get(route.signingName);
    if (sharing) sharing.push(route);
    else bySigningName.set(route.signingName, [route]);
  }
  const byTarget = routes.filter((route) => route.targetPrefix !== undefined);
  const byPath = routes.filter((route) => route.matchesPath !== undefined);
  const fallback = routes.find((route) => route.fallback) ?? (routes[0] as Route);
  const targeted = (target: string | string[] | undefined, among: readonly Route[]) =>
    typeof target === 'string'
      ? among.find((route) => route.targetPrefix !== undefined && target.startsWith(route.targetPrefix))
      : undefined;
  return (request) => {
    const target = request.headers['x-amz-target'];
    const signedFor = signingServiceOf(request);
    const signed = signedFor === undefined ? undefined : bySigningName.get(signedFor);
    if (signed) {
      if (signed.length === 1) return signed[0] as Route;
      return (
        targeted(target, signed) ??
        signed.find((route) => route.targetPrefix === undefined) ??
        (signed[0] as Route)
      );
    }
    const byItsTarget = targeted(target, byTarget);
    if (byItsTarget) return byItsTarget;
    if (byPath.length > 0) {
      const url = request.url ?? '/';
      const query = url.indexOf('?');
      const path = query < 0 ? url : url.slice(0, query);
      for (const route of byPath) if (route.matchesPath?.(path, request.method ?? 'GET')) return route;
    }
    return fallback;
  };
}
