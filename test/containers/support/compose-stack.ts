/**
 * The compose stack of the repository (docker-compose.yml plus overrides) brought up under its own
 * project name, network and free host ports, so it never collides with a developer's own stack.
 * Runs `docker compose` when the Docker CLI has the plugin, else Debian's `docker-compose` 1.29
 * (what CI here has; testcontainers' compose support needs the plugin).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../../src/emulator/python-venv.ts';
import { type ContainerEngine, getJson } from './engine.ts';

const run = promisify(execFile);

/** docker-compose.yml alone runs LocalStack + Step Functions Local; under podman, the MiniStack images. */
export function composeFilesFor(engine: ContainerEngine): string[] {
  if (process.env.COMPOSE_FILE) return process.env.COMPOSE_FILE.split(':');
  return engine.podman
    ? ['docker-compose.yml', 'docker-compose.ministack.yml', 'docker-compose.podman.yml']
    : ['docker-compose.yml'];
}

async function composeCommand(): Promise<string[]> {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    try {
      await run(command[0] as string, [...command.slice(1), 'version'], { timeout: 15_000 });
      return command;
    } catch {
      // Try the next one.
    }
  }
  throw new Error(
    'neither `docker compose` nor `docker-compose` runs; scripts/provision-containers.sh installs it',
  );
}

export interface HostPorts {
  emulator: number;
  stepFunctions: number;
  endpoint: number;
}

export class ComposeStack {
  readonly projectName = `scones-test-${randomUUID().slice(0, 8)}`;
  readonly #engine: ContainerEngine;
  readonly #files: string[];
  readonly #ports: HostPorts;
  #command: string[] | undefined;

  constructor(engine: ContainerEngine, files: string[], ports: HostPorts) {
    this.#engine = engine;
    this.#files = files;
    this.#ports = ports;
  }

  async #compose(args: string[], timeoutMs = 300_000): Promise<string> {
    this.#command ??= await composeCommand();
    const [executable, ...prefix] = this.#command as [string, ...string[]];
    const files = this.#files.flatMap((file) => ['-f', file]);
    const socket = this.#engine.dockerHost?.startsWith('unix://')
      ? this.#engine.dockerHost.slice(7)
      : undefined;
    const { stdout } = await run(executable, [...prefix, ...files, ...args], {
      cwd: PROJECT_ROOT,
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        ...process.env,
        COMPOSE_FILE: undefined,
        COMPOSE_PROJECT_NAME: this.projectName,
        SCONES_NETWORK: this.projectName,
        SCONES_EMULATOR_PORT: String(this.#ports.emulator),
        SCONES_SFN_PORT: String(this.#ports.stepFunctions),
        SCONES_ENDPOINT_PORT: String(this.#ports.endpoint),
        ...(socket ? { SCONES_DOCKER_SOCKET: socket } : {}),
      },
    });
    return stdout;
  }

  up(): Promise<string> {
    return this.#compose(['up', '-d']);
  }

  /** Waits until the service's container has exited; returns its exit code. */
  async exitCodeOf(service: string, timeoutMs: number): Promise<number> {
    const id = (await this.#compose(['ps', '-q', service])).trim();
    if (!id) throw new Error(`service ${service} has no container`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const state = (await getJson(this.#engine.dockerHost ?? '', `/containers/${id}/json`)) as
        | { State?: { Status?: string; ExitCode?: number } }
        | undefined;
      if (state?.State?.Status === 'exited') return state.State.ExitCode ?? -1;
      await sleep(1000);
    }
    throw new Error(`service ${service} still running after ${timeoutMs} ms`);
  }

  logs(service: string): Promise<string> {
    return this.#compose(['logs', '--no-color', service], 60_000);
  }

  async down(): Promise<void> {
    await this.#compose(['down', '--volumes', '--timeout', '5'], 120_000);
  }
}
