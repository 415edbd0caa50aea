/**
 * What a promote test against moto starts with: moto server (shimmed, src/emulator/moto_compat.py),
 * credentials in the standard chain as a user's would be (moto accepts any; restored by `stop`), a
 * client configuration of the `aws` target pointed at moto, and the Lambda bundles built once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KitConfig, loadConfig } from '../../../src/config.ts';
import { type BundleInfo, buildBundles } from '../../../src/deploy/index.ts';
import { MotoServer, type StartedMotoServer } from '../../../src/emulator/moto-server.ts';

export interface MotoHarness {
  moto: StartedMotoServer;
  config: KitConfig;
  bundles: BundleInfo[];
  /** Stops moto, removes the bundles and restores the environment. */
  stop(): Promise<void>;
}

export async function startMotoHarness(): Promise<MotoHarness> {
  const savedEnv = { ...process.env };
  // A first run installs moto into .venv/ (with MiniStack: ~150 s measured on a busy 2-core machine).
  const moto = await new MotoServer().start();
  process.env.AWS_ACCESS_KEY_ID = 'moto-test';
  process.env.AWS_SECRET_ACCESS_KEY = 'moto-test';
  delete process.env.AWS_PROFILE;
  const bundleDir = await mkdtemp(join(tmpdir(), 'scones-promote-bundles-'));
  return {
    moto,
    config: loadConfig({ SCONES_TARGET: 'aws', ...moto.environment() }),
    bundles: await buildBundles({ arch: 'x86_64', outDir: bundleDir }),
    async stop() {
      await moto.stop();
      await rm(bundleDir, { recursive: true, force: true });
      process.env = savedEnv;
    },
  };
}
