/**
 * MiniStack reads Step Functions Local's mock configuration (SFN_MOCK_CONFIG, `<arn>#<case>`), but
 * as released it looks the mocked response up once per state entry, not per invocation. Observed
 * here on MiniStack as released and with the kit's shim (`shim_mock_config_per_invocation` in
 * src/emulator/ministack_compat.py; docs/emulator-differences.md). When a MiniStack upgrade fixes
 * it, the "as released" expectations fail: drop the shim and its entry.
 */
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSfnClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { createSfnRunner } from '../../src/deploy/sfn-runner.ts';
import { outcomeOf } from '../../src/test-cases/outcome.ts';
import type { ExecutionRecord } from '../../src/workflow/execution.ts';
import { type SharedServer, sharedServer } from '../support/shared-emulators/client.ts';
import { MINISTACK_PROBE } from '../support/shared-emulators/mock-configs.ts';
import { probeRole } from '../support/shared-emulators/probe-role.ts';
import { MOCK_PROBE_DEFINITION } from './support.ts';

// The shared MiniStacks read MINISTACK_PROBE.config (two cases: "0-1" Throw then "2" Return, and
// one response only) from their SFN_MOCK_CONFIG, and scale retry waits to 5 %.
const MACHINE = MINISTACK_PROBE.machine;

async function runCases(server: SharedServer): Promise<Record<string, ExecutionRecord>> {
  const sfn = createSfnClient(loadConfig({ SCONES_TARGET: 'emulator', ...server.environment() }));
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: MACHINE,
      roleArn: await probeRole(server, 'probe-mocks'),
      definition: JSON.stringify(MOCK_PROBE_DEFINITION),
    }),
  );
  const run = (testCase: string) =>
    createSfnRunner(sfn, `${stateMachineArn}#${testCase}`, { history: true }).run(
      { s3_bucket: 'b', s3_key: 'k' },
      testCase,
    );
  return { Recovers: await run('Recovers'), TooFew: await run('TooFew') };
}

describe('MiniStack and the mock configuration (ministack)', () => {
  let released: SharedServer;
  let shimmed: SharedServer;
  let asReleased: Record<string, ExecutionRecord>;
  let withShims: Record<string, ExecutionRecord>;

  beforeAll(async () => {
    [released, shimmed] = await Promise.all([sharedServer('ministack-released'), sharedServer('ministack')]);
    [asReleased, withShims] = await Promise.all([runCases(released), runCases(shimmed)]);
  }, 600_000);

  it('AWS: each retry takes the next invocation\'s response ("0-1" Throw, "2" Return recovers)', () => {
    // As released, the first response repeats on every retry: the task never recovers.
    expect(asReleased.Recovers?.output).toMatchObject({ error: { Error: 'Boom' } });
    expect(outcomeOf(asReleased.Recovers as ExecutionRecord).attempts).toEqual({ Task: 4 });

    expect(withShims.Recovers?.output).toEqual({ ok: true });
    expect(outcomeOf(withShims.Recovers as ExecutionRecord).attempts).toEqual({ Task: 3 });
  });

  it('AWS: an invocation without a mocked response fails the execution', () => {
    expect(asReleased.TooFew?.status).toBe('SUCCEEDED'); // the Throw repeated, then Catch
    expect(withShims.TooFew).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(withShims.TooFew?.cause).toContain("No mocked response for state 'Task' (Once) at invocation 1");
  });
});
