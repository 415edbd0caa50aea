/**
 * Global setup of the slow tiers (vitest.config.ts, project `slow`): runs in vitest's main process
 * only when the run includes a file of that project. It starts the emulator broker (broker.ts) and
 * provides its URL to the test files, and begins installing the pinned Python venvs at once, in
 * the background, so that on a fresh clone the installs overlap the tests that need no emulator.
 * Its teardown stops every shared server and waits for installs under way (a half-installed venv
 * would only be installed again by the next run).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureEmulatorVenv, ensureVenv, LOCALSTACK_VENV } from '../../../src/emulator/python-venv.ts';
import { EmulatorBroker } from './broker.ts';
import { writeSharedMockConfig } from './mock-configs.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runDir = await mkdtemp(join(tmpdir(), 'scones-shared-emulators-'));
  // Errors surface when a server that needs the venv is asked for (or a file calls ensureVenv).
  const installs = [ensureEmulatorVenv(), ensureVenv(LOCALSTACK_VENV)].map((install) =>
    install.catch(() => undefined),
  );
  const broker = new EmulatorBroker(
    runDir,
    writeSharedMockConfig(runDir).then((mockConfigPath) => ({ mockConfigPath })),
  );
  project.provide('emulatorBroker', await broker.listen());
  return async () => {
    await broker.stop();
    await Promise.all(installs);
    await rm(runDir, { recursive: true, force: true });
  };
}
