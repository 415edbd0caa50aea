/**
 * How each shared server starts. One configuration per server, fixed at its start, so that every
 * file using it sees the same server; files keep apart by resource names (their own stage, bucket,
 * probe names). Settings that differ from AWS only in speed are on for all (retry waits scaled).
 */
import { LocalStackServer } from '../../../src/emulator/localstack.ts';
import { MiniStackServer } from '../../../src/emulator/ministack.ts';
import { MotoServer } from '../../../src/emulator/moto-server.ts';
import type { SharedServerName } from './types.ts';

/** Retry (and Wait state) intervals of the shared Step Functions engines, as the embedded tier's retryDelayMs. */
export const SHARED_WAIT_SCALE = 0.05;

export interface StartedServer {
  url: string;
  environment(): Record<string, string>;
  recentOutput(): string;
  stop(): Promise<void>;
}

export interface ServerContext {
  /** The merged mock configuration (mock-configs.ts). */
  mockConfigPath: string;
}

const MINISTACK_SETTINGS = (context: ServerContext) => ({
  SFN_MOCK_CONFIG: context.mockConfigPath,
  SFN_WAIT_SCALE: String(SHARED_WAIT_SCALE),
});

export const SHARED_SERVERS: Record<SharedServerName, (context: ServerContext) => Promise<StartedServer>> = {
  // MiniStack enforces IAM policies (AUTH): deployed Lambdas run under their least-privilege roles.
  // At most six Lambda invocations at once: a burst of 200 executions would otherwise start a Node
  // process each on 2 cores (ministack_compat.py, host capacity).
  ministack: (context) =>
    new MiniStackServer()
      .withEnvironment({ ...MINISTACK_SETTINGS(context), AUTH: 'true', SCONES_MINISTACK_LAMBDA_SLOTS: '6' })
      .start(),
  // As released: the files that observe where MiniStack differs from AWS.
  'ministack-released': (context) =>
    new MiniStackServer().withoutCompatibilityShims().withEnvironment(MINISTACK_SETTINGS(context)).start(),
  moto: () => new MotoServer().start(),
  'moto-released': () => new MotoServer().withoutCompatibilityShims().start(),
  // moto's own ASL interpreter runs executions (default: they stay RUNNING). Only
  // test/promote/smoke.moto.test.ts uses it, and switches it off and on again for one test.
  'moto-interpreter': async () => {
    const moto = await new MotoServer().start();
    const configured = await fetch(`${moto.url}/moto-api/config`, {
      method: 'POST',
      body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
    });
    if (!configured.ok) {
      await moto.stop();
      throw new Error(`moto's config API answered ${configured.status}`);
    }
    return moto;
  },
  localstack: (context) =>
    new LocalStackServer()
      .withMockConfig(context.mockConfigPath)
      .withRetryWaitScale(SHARED_WAIT_SCALE)
      .start(),
};
