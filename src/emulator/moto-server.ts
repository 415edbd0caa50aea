/**
 * moto server as a host process, in the manner of a testcontainers module: `start()` installs the
 * pinned moto into `.venv/` (see python-venv.ts), runs it on 127.0.0.1 at a free port, waits until
 * it answers, and returns a handle whose `stop()` ends it (call it in `afterAll`, which runs when a
 * test fails too; a process exit hook covers a runner that dies).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { endpointEnvironment, type Service } from '../../src/config.ts';
import { ensureEmulatorVenv } from './python-venv.ts';

const SERVICES: Service[] = ['s3', 'sagemaker', 'sagemakerRuntime', 'lambda', 'sfn', 'iam', 'sts', 'tagging'];

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

export class StartedMotoServer {
  readonly url: string;
  readonly #process: ChildProcess;
  readonly #output: string[];

  constructor(url: string, child: ChildProcess, output: string[]) {
    this.url = url;
    this.#process = child;
    this.#output = output;
  }

  /** `AWS_ENDPOINT_URL_<SERVICE>` variables that send every kit client to this server. */
  environment(): Record<string, string> {
    return endpointEnvironment(Object.fromEntries(SERVICES.map((service) => [service, this.url])));
  }

  /** The server's last output lines, for failure messages. */
  recentOutput(): string {
    return this.#output.join('');
  }

  /** Forgets every resource (moto's own reset API). */
  async reset(): Promise<void> {
    const response = await fetch(`${this.url}/moto-api/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
  }

  async stop(): Promise<void> {
    const child = this.#process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killed);
  }
}

export class MotoServerContainer {
  #startupTimeoutMs = 60_000;

  withStartupTimeout(ms: number): this {
    this.#startupTimeoutMs = ms;
    return this;
  }

  async start(): Promise<StartedMotoServer> {
    const venv = await ensureEmulatorVenv();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const output: string[] = [];
    const child = spawn(venv.bin('moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 50) output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));

    const server = new StartedMotoServer(url, child, output);
    try {
      await waitUntilHealthy(url, child, this.#startupTimeoutMs);
    } catch (error) {
      await server.stop();
      throw new Error(`${(error as Error).message}\nmoto output:\n${server.recentOutput()}`);
    }
    return server;
  }
}

async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto server exited with code ${child.exitCode} on start`);
    try {
      // moto's own dashboard API: answers once the server routes requests.
      const response = await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`moto server did not answer on ${url} within ${timeoutMs} ms`);
}
