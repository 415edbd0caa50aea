/**
 * moto server as a host process, in the manner of a testcontainers module: `start()` installs the
 * pinned moto into `.venv/` (see python-venv.ts), runs it on 127.0.0.1 at a free port, waits until
 * it answers, and returns a handle whose `stop()` ends it (call it in `afterAll`, which runs when a
 * test fails too; a process exit hook covers a runner that dies). It runs through moto_compat.py:
 * moto plus named shims where the pinned version differs from AWS (docs/emulator-differences.md).
 */
import { join } from 'node:path';
import { endpointEnvironment, SERVICES } from '../config.ts';
import { freePort, HostProcess } from './host-process.ts';
import { ensureEmulatorVenv, PROJECT_ROOT } from './python-venv.ts';

/** moto server's entry point with the documented compatibility shims (see that file). */
const COMPAT_ENTRY = join(PROJECT_ROOT, 'src', 'emulator', 'moto_compat.py');

export { freePort } from './host-process.ts';

export class StartedMotoServer {
  readonly url: string;
  readonly #process: HostProcess;

  constructor(url: string, process: HostProcess) {
    this.url = url;
    this.#process = process;
  }

  /** `AWS_ENDPOINT_URL_<SERVICE>` variables that send every kit client to this server. */
  environment(): Record<string, string> {
    return endpointEnvironment(Object.fromEntries(SERVICES.map((service) => [service, this.url])));
  }

  /** The server's last output lines, for failure messages. */
  recentOutput(): string {
    return this.#process.recentOutput();
  }

  /** Forgets every resource (moto's own reset API). */
  async reset(): Promise<void> {
    const response = await fetch(`${this.url}/moto-api/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
  }

  stop(): Promise<void> {
    return this.#process.stop();
  }
}

export class MotoServer {
  #startupTimeoutMs = 60_000;
  #shims = true;

  withStartupTimeout(ms: number): this {
    this.#startupTimeoutMs = ms;
    return this;
  }

  /** Runs moto exactly as released, to observe where it differs from AWS. */
  withoutCompatibilityShims(): this {
    this.#shims = false;
    return this;
  }

  async start(): Promise<StartedMotoServer> {
    const venv = await ensureEmulatorVenv();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = new HostProcess(
      'moto server',
      venv.python,
      [COMPAT_ENTRY, '-H', '127.0.0.1', '-p', String(port)],
      this.#shims ? {} : { env: { ...process.env, SCONES_MOTO_SHIMS: 'off' } },
    );
    try {
      // moto's own dashboard API: answers once the server routes requests.
      await server.waitUntilHealthy(
        async () => (await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) })).ok,
        this.#startupTimeoutMs,
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return new StartedMotoServer(url, server);
  }
}
