/**
 * A server run as a child process of this one (MiniStack, moto): its recent output for failure
 * messages, a health wait at start, a stop that escalates to SIGKILL, and a kill when this process
 * exits, so a runner that dies leaves no server behind.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createServer } from 'node:net';

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

/**
 * The settings every host-process server harness takes, in the manner of a testcontainers module
 * (`new XContainer().withPort(4566).start()`); subclasses read them in `start()`.
 */
export class HostServerSettings {
  protected startupTimeoutMs: number;
  protected port: number | undefined;
  /** Extra variables for the server process, over the harness's own. */
  protected environment: Record<string, string> = {};

  constructor(defaultStartupTimeoutMs: number) {
    this.startupTimeoutMs = defaultStartupTimeoutMs;
  }

  /** A fixed port (e.g. 4566 for the CLI); default a free one. */
  withPort(port: number): this {
    this.port = port;
    return this;
  }

  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  withEnvironment(environment: Record<string, string>): this {
    this.environment = { ...this.environment, ...environment };
    return this;
  }

  /** The fixed port, or a free one of 127.0.0.1. */
  protected listenPort(): Promise<number> {
    return this.port === undefined ? freePort() : Promise.resolve(this.port);
  }
}

const OUTPUT_CHUNKS_KEPT = 80;

export class HostProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #output: string[] = [];

  constructor(name: string, command: string, args: string[], options: SpawnOptions = {}) {
    this.name = name;
    this.#child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.#output.push(chunk.toString());
      if (this.#output.length > OUTPUT_CHUNKS_KEPT) this.#output.shift();
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    const killOnExit = () => this.#child.kill('SIGKILL');
    process.once('exit', killOnExit);
    this.#child.once('exit', () => process.removeListener('exit', killOnExit));
  }

  /** The server's last output lines, for failure messages. */
  recentOutput(): string {
    return this.#output.join('');
  }

  /** Resolves once `isHealthy()` is true; fails if the process exits or the time runs out. */
  async waitUntilHealthy(isHealthy: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null) {
        throw new Error(
          `${this.name} exited with code ${this.#child.exitCode} on start\n${this.recentOutput()}`,
        );
      }
      if (await isHealthy().catch(() => false)) return;
      await new Promise((done) => setTimeout(done, 200));
    }
    throw new Error(`${this.name} did not become healthy within ${timeoutMs} ms\n${this.recentOutput()}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killed);
  }
}
