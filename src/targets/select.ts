/**
 * Which target a command runs against, decided here and in src/config.ts only: the name the user
 * gave (`--target`), the environment (a running stack's endpoint) and the request pick one of the
 * three implementations, which each command then uses alike.
 */
import { type KitConfig, loadConfig, type Target } from '../config.ts';
import { connectDeployed } from './deployed.ts';
import { startEmbeddedStore, startEmbeddedTarget } from './embedded.ts';
import { connectLocalStack, runningStackEndpoint } from './local-stack.ts';
import type { StartedTarget, TargetKind, TargetPlacement, TargetRequest } from './types.ts';

/** Names the CLI takes beside config's targets. */
const ALIASES: Record<string, Target> = {
  /** The containers target as the CLI user knows it: `docker compose up`. */
  compose: 'containers',
};

export function targetOf(name: string): Target {
  return ALIASES[name] ?? (name as Target);
}

const envOf = (request: TargetRequest) => request.env ?? process.env;

/** The running stack's S3 endpoint the request points at, if any. */
function stackEndpointOf(request: TargetRequest): string | undefined {
  const { runningStack } = request;
  if (!runningStack) return undefined;
  return runningStackEndpoint(runningStack.env ?? envOf(request), runningStack.endpointUrl);
}

/** Where the request's target is; nothing is started or contacted. */
export function placeTarget(request: TargetRequest = {}): TargetPlacement {
  const name = request.target ?? 'embedded';
  const target = targetOf(name);
  if (target !== 'embedded') return { kind: 'deployed', target, name };
  return { kind: stackEndpointOf(request) ? 'stack' : 'embedded', target, name };
}

type Starter = (placement: TargetPlacement, request: TargetRequest) => Promise<StartedTarget>;

const STARTERS: Record<TargetKind, Starter> = {
  async embedded({ name }, request) {
    const start = request.embedded ?? {};
    const dataDir = request.dataDir;
    if ('store' in start) {
      const env = start.env ?? envOf(request);
      return startEmbeddedStore({ access: start.store, name, env, ...(dataDir ? { dataDir } : {}) });
    }
    return startEmbeddedTarget({
      name,
      ...(dataDir ? { dataDir } : {}),
      ...(start.runtime ? { runtime: start.runtime } : {}),
    });
  },
  async stack({ name }, request) {
    const { endpointUrl, env } = request.runningStack ?? {};
    return connectLocalStack({
      endpoint: stackEndpointOf(request) as string,
      env: env ?? envOf(request),
      name,
      ...(endpointUrl ? { endpointUrl } : {}),
      ...(request.history ? { history: true } : {}),
    });
  },
  async deployed({ name, target }, request) {
    const aws = target === 'aws' && request.resolveAws ? await request.resolveAws() : undefined;
    return connectDeployed(aws?.config ?? loadConfig({ ...envOf(request), SCONES_TARGET: target }), {
      name,
      ...(aws ? { accountId: aws.accountId } : {}),
      ...(request.deployedOverrides ? { overrides: request.deployedOverrides } : {}),
      ...(request.history ? { history: true } : {}),
    });
  },
};

/**
 * Starts (embedded) or connects to (stack, deployed) the request's target. `request.check` sees
 * the placement first, so options a placement does not take are refused before anything starts.
 */
export async function startTarget(request: TargetRequest = {}): Promise<StartedTarget> {
  const placement = placeTarget(request);
  request.check?.(placement);
  return STARTERS[placement.kind](placement, request);
}

/** The config a deployment to `name` uses; the embedded tier is never deployed. */
export function deploymentConfig(name: string, env: NodeJS.ProcessEnv = process.env): KitConfig {
  const { kind, target } = placeTarget({ target: name });
  if (kind === 'embedded')
    throw new Error('the embedded tier needs no deployment: `scones demo` runs it in-process');
  return loadConfig({ ...env, SCONES_TARGET: target });
}
