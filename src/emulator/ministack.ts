/**
 * MiniStack (PyPI `ministack`, MIT) as a host process, in the manner of a testcontainers module:
 * `new MiniStackServer().start()` installs the pinned MiniStack into `.venv/` (python-venv.ts),
 * runs it on 127.0.0.1 at a free port, waits until its health endpoint answers and returns a handle
 * whose `stop()` ends it (call it in `afterAll`, which runs when a test fails too; a process exit
 * hook covers a runner that dies).
 *
 * It runs through ministack_compat.py: MiniStack plus clearly named shims where the pinned version
 * differs from AWS (docs/emulator-differences.md); `withoutCompatibilityShims()` runs it unchanged.
 *
 * MiniStack runs Node Lambdas as local `node` processes found on its PATH: the pinned Node 22 of
 * node_modules goes first, as nodejs22.x needs (the system Node here is 20).
 */
import { realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { EMULATED_SERVICES, endpointEnvironment } from '../config.ts';
import { HostProcess, HostServerSettings } from './host-process.ts';
import { ensureEmulatorVenv, PROJECT_ROOT } from './python-venv.ts';

/** MiniStack's entry point with the documented compatibility shims (see that file). */
const COMPAT_ENTRY = join(PROJECT_ROOT, 'src', 'emulator', 'ministack_compat.py');

/** Directory of the project's Node 22 binary (npm package `node`). */
export function pinnedNodeDir(): string {
  return dirname(realpathSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'node')));
}

export class StartedMiniStack {
  readonly url: string;
  readonly #process: HostProcess;
  readonly #scratchDir: string;

  constructor(url: string, process: HostProcess, scratchDir: string) {
    this.url = url;
    this.#process = process;
    this.#scratchDir = scratchDir;
  }

  /** `AWS_ENDPOINT_URL_<SERVICE>` variables that send the kit's deploy and SFN clients here. */
  environment(): Record<string, string> {
    return endpointEnvironment(Object.fromEntries(EMULATED_SERVICES.map((service) => [service, this.url])));
  }

  /** The server's last output lines, for failure messages. */
  recentOutput(): string {
    return this.#process.recentOutput();
  }

  /** Forgets every resource (MiniStack's own reset API). */
  async reset(): Promise<void> {
    const response = await fetch(`${this.url}/_ministack/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`MiniStack reset answered ${response.status}`);
  }

  async stop(): Promise<void> {
    await this.#process.stop();
    // MiniStack leaves its Lambda workers' unpacked code (30 MB a sharp bundle) behind on exit.
    await rm(this.#scratchDir, { recursive: true, force: true });
  }
}

/** `withEnvironment` variables reach MiniStack and, as it passes its environment on, its Lambdas. */
export class MiniStackServer extends HostServerSettings {
  constructor() {
    super(60_000);
  }

  /** Runs MiniStack exactly as released, to observe where it differs from AWS. */
  withoutCompatibilityShims(): this {
    return this.withEnvironment({ SCONES_MINISTACK_SHIMS: 'off' });
  }

  async start(): Promise<StartedMiniStack> {
    const venv = await ensureEmulatorVenv();
    const port = await this.listenPort();
    const url = `http://127.0.0.1:${port}`;
    const scratchDir = await mkdtemp(join(tmpdir(), 'scones-ministack-'));
    // A clean environment: MiniStack hands its own to every Lambda process, so nothing of the
    // test runner's (AWS_* overrides, NODE_OPTIONS of vitest) may leak into the functions.
    const child = new HostProcess('MiniStack', venv.python, [COMPAT_ENTRY], {
      env: {
        PATH: [pinnedNodeDir(), join(PROJECT_ROOT, '.venv', 'bin'), process.env.PATH ?? ''].join(delimiter),
        HOME: process.env.HOME ?? tmpdir(),
        TMPDIR: scratchDir,
        GATEWAY_PORT: String(port),
        BIND_HOST: '127.0.0.1',
        // Lambdas reach MiniStack at this host; `localhost` may resolve to ::1, where nothing listens.
        MINISTACK_HOST: '127.0.0.1',
        LOG_LEVEL: 'WARNING',
        ...this.environment,
      },
    });
    const server = new StartedMiniStack(url, child, scratchDir);
    try {
      await child.waitUntilHealthy(() => isHealthy(url), this.startupTimeoutMs);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }
}

/** MiniStack's health endpoint lists every service the kit deploys to as available. */
async function isHealthy(url: string): Promise<boolean> {
  const response = await fetch(`${url}/_ministack/health`, { signal: AbortSignal.timeout(2_000) });
  const body = (await response.json()) as { services?: Record<string, string> };
  const needed = ['s3', 'lambda', 'states', 'iam', 'sts'];
  return response.ok && needed.every((name) => body.services?.[name] === 'available');
}
