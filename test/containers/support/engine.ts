/**
 * Finds the container engine the container tests run on: DOCKER_HOST when set, else Docker's default
 * socket, else the podman API socket that scripts/provision-containers.sh starts. `npm test` never
 * installs or starts an engine; with none, the tests are skipped and say why (never counted as passed).
 *
 * Under podman, testcontainers needs two settings (issue 5): no Ryuk (its image cannot be pulled)
 * and 127.0.0.1 as the host of published ports (not the bridge gateway). They are set here when
 * the caller has not set them.
 */
import { request } from 'node:http';

const CANDIDATE_HOSTS = ['unix:///var/run/docker.sock', 'unix:///run/podman/podman.sock'];

export interface ContainerEngine {
  available: boolean;
  /** Why the tests are skipped, when no engine answers. */
  reason: string;
  dockerHost?: string;
  podman: boolean;
}

interface VersionInfo {
  Components?: { Name?: string }[];
}

/** GET on the Docker API at `dockerHost`; undefined when nothing answers (or not 200). */
export function getJson(dockerHost: string, path: string): Promise<unknown> {
  const tcp = dockerHost.startsWith('unix://') ? undefined : new URL(dockerHost.replace(/^tcp:/, 'http:'));
  const target = tcp
    ? { host: tcp.hostname, port: tcp.port }
    : { socketPath: dockerHost.slice('unix://'.length) };
  return new Promise((resolve) => {
    const req = request({ ...target, path, timeout: 3000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => {
        try {
          resolve(response.statusCode === 200 ? JSON.parse(body) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

let probed: Promise<ContainerEngine> | undefined;

async function probe(): Promise<ContainerEngine> {
  const hosts = process.env.DOCKER_HOST ? [process.env.DOCKER_HOST] : CANDIDATE_HOSTS;
  for (const dockerHost of hosts) {
    const version = (await getJson(dockerHost, '/version')) as VersionInfo | undefined;
    if (!version) continue;
    const podman = (version.Components ?? []).some((component) => /podman/i.test(component.Name ?? ''));
    process.env.DOCKER_HOST = dockerHost;
    if (podman) {
      process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
      process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
    }
    return { available: true, reason: '', dockerHost, podman };
  }
  return {
    available: false,
    podman: false,
    reason:
      `no container engine answers (tried ${hosts.join(', ')}); ` +
      'run scripts/provision-containers.sh (podman, as root) or start Docker, then npm test',
  };
}

/** The engine, probed once per test process; prints the skip reason when there is none. */
export async function containerEngine(): Promise<ContainerEngine> {
  probed ??= probe().then((engine) => {
    if (!engine.available) console.warn(`[containers tier] SKIPPED: ${engine.reason}`);
    return engine;
  });
  return probed;
}

/** Fails with the command to run when an image the tests need was never built on this engine. */
export async function requireImages(engine: ContainerEngine, images: string[]): Promise<void> {
  for (const image of images) {
    const found = await getJson(engine.dockerHost ?? '', `/images/${encodeURIComponent(image)}/json`);
    if (!found) {
      throw new Error(
        `image ${image} is not on ${engine.dockerHost}; build it: scripts/provision-containers.sh`,
      );
    }
  }
}
