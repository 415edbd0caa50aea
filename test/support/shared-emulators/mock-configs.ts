/**
 * The mock configuration the shared MiniStack and LocalStack read (SFN_MOCK_CONFIG, loaded once
 * when the server starts): the kit's test-case suite and the probes of the files that observe how
 * an emulator applies mocks, merged into one file. Entries are keyed by state machine name, so each
 * file's executions (`<arn>#<case>`) read exactly the entries they read from a file of their own.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSuite } from '../../../src/test-cases/suite.ts';
import type { MockConfig } from '../../../src/workflow/mock-config.ts';

const boom = { Throw: { Error: 'Boom', Cause: 'mocked' } };

/** test/test-cases/mock-config.ministack.test.ts: a task that recovers, and one with too few responses. */
export const MINISTACK_PROBE = {
  machine: 'probe-mocks',
  config: {
    StateMachines: {
      'probe-mocks': { TestCases: { Recovers: { Task: 'TwiceThenOk' }, TooFew: { Task: 'Once' } } },
    },
    MockedResponses: {
      TwiceThenOk: { '0-1': boom, '2': { Return: { StatusCode: 200, Payload: { ok: true } } } },
      Once: { '0': boom },
    },
  },
};

/** test/emulator/localstack.test.ts: the probe's one Task mocks a single failure, no response for its retry. */
export const LOCALSTACK_PROBE = {
  machine: 'probe-mock-semantics',
  config: {
    StateMachines: { 'probe-mock-semantics': { TestCases: { OneResponseOnly: { Task: 'BoomOnce' } } } },
    MockedResponses: { BoomOnce: { '0': boom } },
  },
};

/** Union of the configurations; a state machine or response named twice is an error, not an override. */
export function mergeMockConfigs(configs: MockConfig[]): MockConfig {
  const merged: MockConfig = { StateMachines: {}, MockedResponses: {} };
  for (const config of configs) {
    for (const part of ['StateMachines', 'MockedResponses'] as const) {
      for (const [name, value] of Object.entries(config[part])) {
        if (name in merged[part]) throw new Error(`mock configurations both define ${part}.${name}`);
        (merged[part] as Record<string, unknown>)[name] = value;
      }
    }
  }
  return merged;
}

/** Writes the merged file into `dir` and returns its path. */
export async function writeSharedMockConfig(dir: string): Promise<string> {
  const suite = await loadSuite();
  const path = join(dir, 'MockConfigFile.json');
  const probes = [MINISTACK_PROBE.config, LOCALSTACK_PROBE.config] as MockConfig[];
  await writeFile(path, JSON.stringify(mergeMockConfigs([suite.mockConfig, ...probes]), null, 2));
  return path;
}
