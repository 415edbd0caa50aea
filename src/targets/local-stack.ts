/**
 * The local stack target: `scones up` (src/up/), the embedded tier serving S3 and the Step
 * Functions API on one port. Reached through those endpoints, whether another process runs it
 * (`connectLocalStack`) or this one (`startLocalStack`, which `scones up` itself uses).
 */
import { endpointEnvironment, type KitConfig, loadConfig } from '../config.ts';
import { DEFAULT_DATA_DIR } from '../embedded/shared/index.ts';
import type { UpOptions } from '../up/stack.ts';
import { apiWorkflow } from './api-workflow.ts';
import { lazyClients } from './clients.ts';
import { namesOf } from './names.ts';
import type { LocalStackTarget, StartedTarget, TargetClients, TargetNames } from './types.ts';

/**
 * The S3 endpoint of a running stack: `endpointUrl` when given, else the one configured in `env`
 * (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL); undefined when none is.
 */
export function runningStackEndpoint(env: NodeJS.ProcessEnv, endpointUrl?: string): string | undefined {
  return endpointUrl ?? loadConfig({ ...env, SCONES_TARGET: 'embedded' }).endpointFor('s3');
}

/** A stack target over `config`, which names its S3 and Step Functions endpoints. */
function stackTarget(
  config: KitConfig,
  options: { names: TargetNames; name?: string; history?: boolean; given?: Partial<TargetClients> },
): StartedTarget {
  const owned = lazyClients(config, options.given);
  return {
    kind: 'stack',
    target: config.target,
    name: options.name ?? 'embedded',
    config,
    names: options.names,
    clients: owned.clients,
    ...apiWorkflow(() => owned.clients.sfn, config.target, options.names, { history: !!options.history }),
    async stop() {
      owned.destroy();
    },
  };
}

/**
 * A running stack at `endpoint`: its S3 there, its Step Functions API at `endpointUrl` when given,
 * else where `env` configures one, else on the same port (as `scones up` serves it). Settings
 * (bucket, prefixes) come from `env`. Nothing is contacted until a client is used.
 */
export function connectLocalStack(options: {
  endpoint: string;
  endpointUrl?: string;
  env?: NodeJS.ProcessEnv;
  name?: string;
  history?: boolean;
}): StartedTarget {
  const env = { ...options.env, SCONES_TARGET: 'embedded' };
  const sfn = options.endpointUrl ?? loadConfig(env).endpointFor('sfn') ?? options.endpoint;
  // The SageMaker API is on the stack's one port too (the gateway), unless configured elsewhere.
  const sagemaker = loadConfig(env).endpointFor('sagemaker') ?? sfn;
  const config = loadConfig({ ...env, ...endpointEnvironment({ s3: options.endpoint, sfn, sagemaker }) });
  return stackTarget(config, {
    names: namesOf(config),
    ...(options.name ? { name: options.name } : {}),
    ...(options.history ? { history: true } : {}),
  });
}

/** `scones up` in this process; `stop()` drains in-flight executions, then stops the servers. */
export async function startLocalStack(options: UpOptions): Promise<LocalStackTarget> {
  const { startUpStack } = await import('../up/stack.ts');
  const stack = await startUpStack(options);
  const { runtime } = stack;
  // The runtime's config names every endpoint of the stack: S3 and Step Functions, the endpoint.
  const target = stackTarget(runtime.config, {
    names: namesOf(runtime.config, {
      dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
      logFile: runtime.runLog.path,
    }),
    given: { s3: runtime.s3 },
  });
  return {
    ...target,
    runtime,
    stack,
    async stop() {
      await target.stop();
      await stack.stop();
    },
  };
}
