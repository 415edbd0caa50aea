/**
 * The deployed target: a stack deployed to an emulator, to the compose stack or to AWS. The three
 * differ only by their config (src/config.ts: endpoints, credentials, region, names); the state
 * machines are found by the deployment's names through the Step Functions API.
 */
import type { KitConfig } from '../config.ts';
import { apiWorkflow } from './api-workflow.ts';
import { lazyClients } from './clients.ts';
import { namesOf } from './names.ts';
import type { StartedTarget } from './types.ts';

export interface DeployedOptions {
  /** The target as the user named it; default the config's target. */
  name?: string;
  /** Another bucket or endpoint name than the config's. */
  overrides?: { bucket?: string; endpointName?: string };
  /** Also fetch each execution's history. */
  history?: boolean;
  /** The AWS account the config's stage was found in. */
  accountId?: string;
}

/** Nothing is contacted until a client is used: connecting cannot fail. */
export function connectDeployed(config: KitConfig, options: DeployedOptions = {}): StartedTarget {
  const { bucket, endpointName } = options.overrides ?? {};
  const effective: KitConfig = {
    ...config,
    ...(bucket ? { bucket } : {}),
    ...(endpointName ? { endpointName } : {}),
  };
  const owned = lazyClients(effective);
  const names = namesOf(effective);
  return {
    kind: 'deployed',
    target: effective.target,
    name: options.name ?? effective.target,
    config: effective,
    names,
    clients: owned.clients,
    ...(options.accountId === undefined ? {} : { accountId: options.accountId }),
    ...apiWorkflow(() => owned.clients.sfn, effective.target, names, { history: !!options.history }),
    async stop() {
      owned.destroy();
    },
  };
}
