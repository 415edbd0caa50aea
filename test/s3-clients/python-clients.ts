/**
 * Running the Python S3 clients (aws-cli v1, boto3) of `.venv` against a local S3 server: the
 * pinned environment comes from `ensureEmulatorVenv()` (installed on a fresh clone), credentials
 * are dummies, the region us-east-1, addressing path-style, all through a config file in a
 * temporary folder so nothing of the user's ~/.aws is read.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import {
  ensureEmulatorVenv,
  type PythonEnvironment,
  PythonMissingError,
} from '../../src/emulator/python-venv.ts';

const run = promisify(execFile);

export interface PythonClients {
  python: PythonEnvironment;
  folder: string;
  env: NodeJS.ProcessEnv;
  /** `aws <args>` with the endpoint; resolves with stdout (rejects with stderr on failure). */
  aws(args: string[]): Promise<string>;
  close(): Promise<void>;
}

/** The clients, or the reason they cannot run here (printed by the caller when it skips). */
export async function pythonClients(endpoint: string): Promise<PythonClients | { skip: string }> {
  let python: PythonEnvironment;
  try {
    python = await ensureEmulatorVenv();
  } catch (error) {
    if (error instanceof PythonMissingError) return { skip: error.message };
    throw error;
  }
  const folder = await mkdtemp(join(tmpdir(), 's3-clients-'));
  await writeFile(join(folder, 'config'), '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n');
  await writeFile(join(folder, 'credentials'), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: folder,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(folder, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(folder, 'credentials'),
    AWS_ENDPOINT_URL: endpoint,
    AWS_S3_ADDRESSING_STYLE: 'path',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  return {
    python,
    folder,
    env,
    async aws(args) {
      try {
        const { stdout } = await run(python.bin('aws'), ['--endpoint-url', endpoint, ...args], {
          env,
          maxBuffer: 16 << 20,
        });
        return stdout;
      } catch (error) {
        const { stderr, stdout } = error as { stderr?: string; stdout?: string };
        throw new Error(`aws ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`);
      }
    },
    async close() {
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/**
 * A local S3 server with `buckets` plus the Python clients for the tests of one file; `get(context)`
 * gives the clients, or skips the test with the reason printed when Python is missing.
 */
export function withPythonClients(buckets: string[]) {
  const state: { server?: LocalS3; clients?: PythonClients; skip?: string } = {};
  beforeAll(async () => {
    state.server = await startLocalS3({ buckets });
    const found = await pythonClients(state.server.endpoint);
    if ('skip' in found) state.skip = found.skip;
    else state.clients = found;
  });
  afterAll(async () => {
    await state.clients?.close();
    await state.server?.stop();
  });
  return {
    get server(): LocalS3 {
      return state.server as LocalS3;
    },
    get(context: TestContext): PythonClients {
      if (!state.clients) {
        console.warn(`skipped: ${state.skip}`);
        context.skip();
      }
      return state.clients as PythonClients;
    },
  };
}
