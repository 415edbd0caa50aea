/**
 * The real Python clients (boto3, aws-cli v1, the SageMaker Python SDK v2 of `.venv`) against a
 * `scones up --stub` process, configured by nothing but the export lines it prints, a throwaway
 * HOME (no ~/.aws of the user's) and, where a test needs one, a file in that HOME.
 *
 * Nothing leaves 127.0.0.1: every HTTP(S) proxy variable points at a recording proxy on
 * 127.0.0.1 that refuses whatever reaches it, and NO_PROXY names only 127.0.0.1 and localhost.
 * botocore, requests and urllib honour these, so a request for any other host (an amazonaws.com
 * endpoint the SDK builds itself, telemetry) lands in `egress` instead of the network, and the
 * tests assert that it stays empty.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestContext } from 'vitest';
import {
  ensureEmulatorVenv,
  type PythonEnvironment,
  PythonMissingError,
} from '../../src/emulator/python-venv.ts';
import { spawnUp, type UpProcess } from './support.ts';

const run = promisify(execFile);
export const PYTHON_DIR = path.join(import.meta.dirname, 'python');

export interface UpWithPython {
  up: UpProcess;
  python: PythonEnvironment;
  /** The throwaway folder: HOME is `<dir>/home`, the stack's data `<dir>/data`. */
  dir: string;
  home: string;
  /** Requests and CONNECTs that reached the recording proxy: `<method> <target>`. */
  egress: string[];
  /** The environment of a client process: the printed exports, HOME, the proxy variables. */
  env(): NodeJS.ProcessEnv;
  /** Runs a program of the venv (`python`, `aws`); rejects with its stderr when it fails. */
  exec(
    program: string,
    args: string[],
    options?: { cwd?: string; timeoutMs?: number },
  ): Promise<{
    stdout: string;
    stderr: string;
  }>;
  close(): Promise<void>;
}

/** A proxy that records every request and CONNECT it receives and answers each with a 403. */
async function recordingProxy(egress: string[]): Promise<Server> {
  const server = createServer((request, response) => {
    egress.push(`${request.method} ${request.url}`);
    response.writeHead(403).end('scones test: no egress\n');
  });
  server.on('connect', (request, socket) => {
    egress.push(`CONNECT ${request.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Starts `scones up --stub` and the clients' environment, or says why they cannot run here. */
export async function startUpWithPython(name: string): Promise<UpWithPython | { skip: string }> {
  let python: PythonEnvironment;
  try {
    python = await ensureEmulatorVenv();
  } catch (error) {
    if (error instanceof PythonMissingError) return { skip: error.message };
    throw error;
  }
  const dir = await mkdtemp(path.join(tmpdir(), `scones-up-${name}-`));
  const home = path.join(dir, 'home');
  await mkdir(home);
  const egress: string[] = [];
  const proxy = await recordingProxy(egress);
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const up = spawnUp(['--stub', '--port', '0', '--data-dir', path.join(dir, 'data')], dir);
  const close = async () => {
    if (up.child.exitCode === null && up.child.signalCode === null) {
      up.child.kill('SIGINT');
      await up.exited;
    }
    await new Promise((resolve) => proxy.close(resolve));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await up.lineWith('export AWS_DEFAULT_REGION=');
  } catch (error) {
    await close();
    throw error;
  }
  const env = (): NodeJS.ProcessEnv => ({
    PATH: `${path.dirname(python.bin('python'))}:${process.env.PATH}`,
    HOME: home,
    // No config or credentials file of the user's is read.
    AWS_CONFIG_FILE: path.join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-aws-credentials'),
    AWS_PAGER: '',
    SAGEMAKER_SUPPRESS_V2_WARNING: '1',
    PYTHONUNBUFFERED: '1',
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    https_proxy: proxyUrl,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ...up.exports(),
  });
  return {
    up,
    python,
    dir,
    home,
    egress,
    env,
    async exec(program, args, options = {}) {
      try {
        return await run(python.bin(program), args, {
          env: env(),
          cwd: options.cwd ?? PYTHON_DIR,
          maxBuffer: 64 << 20,
          timeout: options.timeoutMs ?? 240_000,
        });
      } catch (error) {
        const { stderr, stdout } = error as { stderr?: string; stdout?: string };
        throw new Error(`${program} ${args.join(' ')} failed:\n${stderr ?? ''}\n${stdout ?? ''}`);
      }
    },
    close,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON a Python program printed, its shape is what the assertions check
export type PrintedJson = Record<string, any>;

/** The object of a program's `RESULT {json}` line (the SDK prints its config notes on stdout too). */
export function resultOf(stdout: string): PrintedJson {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice('RESULT '.length));
}

/** The running clients, or skips the test with the reason printed. */
export function clientsOrSkip(
  clients: UpWithPython | { skip: string } | undefined,
  context: TestContext,
): UpWithPython {
  if (!clients || 'skip' in clients) {
    console.warn(`skipped: ${clients ? clients.skip : 'the stack did not start'}`);
    context.skip();
  }
  return clients as UpWithPython;
}
