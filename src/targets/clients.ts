/**
 * A target's clients, built from its config on first use: `scones classify --stub` touches only
 * S3 and so loads no control-plane SDK package (test/cli/startup.test.ts), and a command that never
 * asks for Step Functions needs no Step Functions endpoint.
 */
import {
  createCloudWatchClient,
  createS3Client,
  createSageMakerClient,
  createSageMakerRuntimeClient,
  createSfnClient,
  createStsClient,
} from '../aws/clients.ts';
import type { KitConfig } from '../config.ts';
import type { TargetClients } from './types.ts';

interface Destroyable {
  destroy(): void;
}

const FACTORIES: { [K in keyof TargetClients]: (config: KitConfig) => TargetClients[K] } = {
  s3: createS3Client,
  sfn: createSfnClient,
  sagemakerRuntime: createSageMakerRuntimeClient,
  sagemaker: createSageMakerClient,
  cloudwatch: createCloudWatchClient,
  sts: createStsClient,
};

export interface OwnedClients {
  clients: TargetClients;
  /** Destroys the clients built here; the `given` ones belong to whoever gave them. */
  destroy(): void;
}

/** Clients of `config`, made when first read; `given` ones (e.g. the runtime's S3) are used as they are. */
export function lazyClients(config: KitConfig, given: Partial<TargetClients> = {}): OwnedClients {
  const built = new Map<keyof TargetClients, Destroyable>();
  const clients = {} as TargetClients;
  for (const key of Object.keys(FACTORIES) as (keyof TargetClients)[]) {
    Object.defineProperty(clients, key, {
      enumerable: true,
      get() {
        const existing = given[key] ?? built.get(key);
        if (existing) return existing;
        const client = FACTORIES[key](config);
        built.set(key, client);
        return client;
      },
    });
  }
  return {
    clients,
    destroy() {
      for (const client of built.values()) client.destroy();
      built.clear();
    },
  };
}
