/**
 * MiniStack reads Step Functions Local's mock configuration (SFN_MOCK_CONFIG, `<arn>#<case>`), but
 * as released it looks the mocked response up once per state entry, not per invocation. Observed
 * here on MiniStack as released and with the kit's shim (`shim_mock_config_per_invocation` in
 * src/emulator/ministack_compat.py; docs/emulator-differences.md). When a MiniStack upgrade fixes
 * it, the "as released" expectations fail: drop the shim and its entry.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfnClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { createSfnRunner } from '../../src/deploy/sfn-runner.ts';
import { MiniStackServer, type StartedMiniStack } from '../../src/emulator/ministack.ts';
import { outcomeOf } from '../../src/test-cases/outcome.ts';
import type { ExecutionRecord } from '../../src/workflow/execution.ts';
import { MOCK_PROBE_DEFINITION } from './support.ts';

const MACHINE = 'probe-mocks';
const boom = { Throw: { Error: 'Boom', Cause: 'mocked' } };
const mockConfig = {
  StateMachines: {
    [MACHINE]: { TestCases: { Recovers: { Task: 'TwiceThenOk' }, TooFew: { Task: 'Once' } } },
  },
  MockedResponses: {
    TwiceThenOk: { '0-1': boom, '2': { Return: { StatusCode: 200, Payload: { ok: true } } } },
    Once: { '0': boom },
  },
};

async function runCases(server: StartedMiniStack): Promise<Record<string, ExecutionRecord>> {
  const sfn = createSfnClient(loadConfig({ SCONES_TARGET: 'emulator', ...server.environment() }));
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: MACHINE,
      roleArn: 'arn:aws:iam::000000000000:role/probe',
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
  let dir: string;
  let released: StartedMiniStack;
  let shimmed: StartedMiniStack;
  let asReleased: Record<string, ExecutionRecord>;
  let withShims: Record<string, ExecutionRecord>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scones-ministack-mocks-'));
    await writeFile(join(dir, 'mock.json'), JSON.stringify(mockConfig));
    const environment = { SFN_MOCK_CONFIG: join(dir, 'mock.json'), SFN_WAIT_SCALE: '0.05' };
    [released, shimmed] = await Promise.all([
      new MiniStackServer().withoutCompatibilityShims().withEnvironment(environment).start(),
      new MiniStackServer().withEnvironment(environment).start(),
    ]);
    [asReleased, withShims] = await Promise.all([runCases(released), runCases(shimmed)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([released?.stop(), shimmed?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

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
