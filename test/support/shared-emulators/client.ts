/**
 * The test files' side of the emulator broker (broker.ts): the run's shared servers and Lambda
 * bundles. A shared server is never stopped by a file (the run stops it), so a file keeps to its
 * own resource names: its stage and bucket (`isolatedStage`), its own probe names.
 */
import { inject } from 'vitest';
import type { BundleInfo } from '../../../src/deploy/index.ts';
import type { BrokerAnswer, SharedServerInfo, SharedServerName } from './types.ts';

export { SHARED_WAIT_SCALE } from './servers.ts';
export type { SharedServerName } from './types.ts';

export interface SharedServer {
  name: SharedServerName;
  url: string;
  /** `AWS_ENDPOINT_URL_<SERVICE>` variables that send the kit's clients to it. */
  environment(): Record<string, string>;
  /** The server's last output lines, for failure messages. */
  recentOutput(): Promise<string>;
}

function brokerUrl(): string {
  const url = inject('emulatorBroker');
  if (!url)
    throw new Error(
      'no emulator broker: this file belongs to the `slow` project of vitest.config.ts, whose global setup starts it',
    );
  return url;
}

/** Asks the broker until it answers with a value (it answers `pending` while a start is under way). */
async function ask<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  for (;;) {
    const response = await fetch(`${brokerUrl()}${path}`, { method });
    const body = (await response.json()) as BrokerAnswer<T>;
    if ('value' in body) return body.value;
    if ('error' in body) throw new Error(`shared ${path.split('/')[2]}: ${body.error}`);
  }
}

/** The run's shared server `name`, started on the first demand of any file. */
export async function sharedServer(name: SharedServerName): Promise<SharedServer> {
  const info = await ask<SharedServerInfo>('POST', `/servers/${name}`);
  return {
    name,
    url: info.url,
    environment: () => ({ ...info.environment }),
    recentOutput: () => ask<string>('GET', `/servers/${name}/output`),
  };
}

/** The kit's x86_64 Lambda bundles, built once per run (their zips stay until the run ends). */
export function sharedBundles(): Promise<BundleInfo[]> {
  return ask<BundleInfo[]>('POST', '/bundles/x86_64');
}

/**
 * Settings that give a file its own stage and bucket on a shared server: resource names, rules and
 * notifications all derive from them (src/workflow/names.ts), so files never meet.
 */
export function isolatedStage(stage: string): { SCONES_STAGE: string; SCONES_BUCKET: string } {
  return { SCONES_STAGE: stage, SCONES_BUCKET: `scones-${stage}-images` };
}
