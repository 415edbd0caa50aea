/**
 * What a promote test against moto starts with: a moto server of its own (shimmed,
 * src/emulator/moto_compat.py), credentials in the standard chain as a user's would be (moto
 * accepts any; restored by `stop`), a client configuration of the `aws` target pointed at moto,
 * and the run's Lambda bundles.
 *
 * Why not the run's shared moto: a teardown discovers a stage's SageMaker resources by name, and
 * moto 5.2.5 ignores ListModels' NameContains, so the discovery also lists other stages' models and
 * reads their tags; a model another file's teardown deletes meanwhile makes moto answer 500
 * (ListTags of a missing resource raises in moto). Files that tear down keep an account to
 * themselves, as they would on AWS.
 */
import { type KitConfig, loadConfig } from '../../../src/config.ts';
import type { BundleInfo } from '../../../src/deploy/index.ts';
import { MotoServer, type StartedMotoServer } from '../../../src/emulator/moto-server.ts';
import { sharedBundles } from '../../support/shared-emulators/client.ts';

export interface MotoHarness {
  moto: StartedMotoServer;
  config: KitConfig;
  bundles: BundleInfo[];
  /** Stops moto and restores the environment (the bundles belong to the run). */
  stop(): Promise<void>;
}

/** A moto server of the file's own (see above); stop it in `afterAll`. */
export function startOwnMoto(): Promise<StartedMotoServer> {
  return new MotoServer().start();
}

export async function startMotoHarness(): Promise<MotoHarness> {
  const savedEnv = { ...process.env };
  // A first run installs moto into .venv/ (the run's global setup starts the install early).
  const [moto, bundles] = await Promise.all([startOwnMoto(), sharedBundles()]);
  process.env.AWS_ACCESS_KEY_ID = 'moto-test';
  process.env.AWS_SECRET_ACCESS_KEY = 'moto-test';
  delete process.env.AWS_PROFILE;
  return {
    moto,
    config: loadConfig({ SCONES_TARGET: 'aws', ...moto.environment() }),
    bundles,
    async stop() {
      await moto.stop();
      process.env = savedEnv;
    },
  };
}
