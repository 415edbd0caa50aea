/**
 * What a promote test against moto starts with: the run's shared moto server (shimmed,
 * src/emulator/moto_compat.py; each file keeps to its own stage), credentials in the standard chain
 * as a user's would be (moto accepts any; restored by `stop`), a client configuration of the `aws`
 * target pointed at moto, and the run's Lambda bundles.
 */
import { type KitConfig, loadConfig } from '../../../src/config.ts';
import type { BundleInfo } from '../../../src/deploy/index.ts';
import { type SharedServer, sharedBundles, sharedServer } from '../../support/shared-emulators/client.ts';

export interface MotoHarness {
  moto: SharedServer;
  config: KitConfig;
  bundles: BundleInfo[];
  /** Restores the environment (moto and the bundles belong to the run). */
  stop(): Promise<void>;
}

export async function startMotoHarness(): Promise<MotoHarness> {
  const savedEnv = { ...process.env };
  // A first run installs moto into .venv/ (with MiniStack; the run's global setup starts it early).
  const [moto, bundles] = await Promise.all([sharedServer('moto'), sharedBundles()]);
  process.env.AWS_ACCESS_KEY_ID = 'moto-test';
  process.env.AWS_SECRET_ACCESS_KEY = 'moto-test';
  delete process.env.AWS_PROFILE;
  return {
    moto,
    config: loadConfig({ SCONES_TARGET: 'aws', ...moto.environment() }),
    bundles,
    async stop() {
      process.env = savedEnv;
    },
  };
}
