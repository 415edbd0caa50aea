/**
 * LocalStack (PyPI `localstack-core`, Apache-2.0) as a host process, no Docker, in the manner of a
 * testcontainers module: `new LocalStackServer().start()` installs the pinned LocalStack into
 * `.venv-localstack/` (python-venv.ts, Python >= 3.13), runs it on 127.0.0.1 at a free port with
 * its state in a scratch folder, waits until its health endpoint lists the kit's services and
 * returns a handle whose `stop()` ends it and removes the folder.
 *
 * What runs without a container engine: S3, IAM, STS, the Lambda API (functions are stored, but
 * each ends in state `Failed`: LocalStack runs functions in containers and downloads their runtime
 * init from the internet) and the Step Functions interpreter, which reads Step Functions Local's
 * mock configuration (`withMockConfig`): the LocalStack tier runs the state machine with its
 * Lambda states mocked. See docs/emulator-differences.md, "LocalStack".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATED_SERVICES, endpointEnvironment } from '../config.ts';
import { HostProcess, HostServerSettings } from './host-process.ts';
import { ensureVenv, LOCALSTACK_VENV, PROJECT_ROOT } from './python-venv.ts';

/** `python -m localstack.runtime.main`, with a retry-wait scale and a cached index (see that file). */
const ENTRY = join(PROJECT_ROOT, 'src', 'emulator', 'localstack_compat.py');

/** LocalStack's names of the services the kit uses (SERVICES loads only these). */
const LOCALSTACK_SERVICES = [
  's3',
  'iam',
  'sts',
  'lambda',
  'stepfunctions',
  'events',
  'sns',
  'logs',
  'cloudwatch',
];
/** LocalStack's community edition has no Resource Groups Tagging API. */
const KIT_SERVICES = EMULATED_SERVICES.filter((service) => service !== 'tagging');
const NEEDED_HEALTHY = ['s3', 'iam', 'sts', 'lambda', 'stepfunctions'];

export class StartedLocalStack {
  readonly url: string;
  /** How long the start took (after the venv was ready), for reports. */
  readonly startupMs: number;
  readonly #process: HostProcess;
  readonly #scratchDir: string;

  constructor(url: string, process: HostProcess, scratchDir: string, startupMs: number) {
    this.url = url;
    this.#process = process;
    this.#scratchDir = scratchDir;
    this.startupMs = startupMs;
  }

  /** `AWS_ENDPOINT_URL_<SERVICE>` variables that send the kit's deploy and SFN clients here. */
  environment(): Record<string, string> {
    return endpointEnvironment(Object.fromEntries(KIT_SERVICES.map((service) => [service, this.url])));
  }

  recentOutput(): string {
    return this.#process.recentOutput();
  }

  async stop(): Promise<void> {
    await this.#process.stop();
    await rm(this.#scratchDir, { recursive: true, force: true });
  }
}

export class LocalStackServer extends HostServerSettings {
  constructor() {
    super(120_000);
  }

  /**
   * Step Functions Local's mock configuration file, read on `StartExecution` of `<arn>#<case>`;
   * mocked `.sync` Tasks of integrations LocalStack does not run (SageMaker) answer from it too, as
   * on AWS (localstack_compat.py, docs/emulator-differences.md).
   */
  withMockConfig(path: string): this {
    return this.withEnvironment({ SFN_MOCK_CONFIG: path, SCONES_SFN_MOCKED_SYNC: '1' });
  }

  /** Retry waits times `factor` (tests), as MiniStack's SFN_WAIT_SCALE; the ASL is unchanged. */
  withRetryWaitScale(factor: number): this {
    return this.withEnvironment({ SCONES_SFN_WAIT_SCALE: String(factor) });
  }

  async start(): Promise<StartedLocalStack> {
    const venv = await ensureVenv(LOCALSTACK_VENV);
    const port = await this.listenPort();
    const url = `http://127.0.0.1:${port}`;
    const scratchDir = await mkdtemp(join(tmpdir(), 'scones-localstack-'));
    const started = Date.now();
    // A clean environment: LocalStack reads much of its configuration from variables, so nothing of
    // the caller's (AWS_*, DEBUG, PERSISTENCE, ...) may change how it runs.
    const child = new HostProcess('LocalStack', venv.python, [ENTRY], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        TMPDIR: scratchDir,
        GATEWAY_LISTEN: `127.0.0.1:${port}`,
        SERVICES: LOCALSTACK_SERVICES.join(','),
        // These machines carry Docker's marker file (/.dockerenv): without this LocalStack believes
        // it runs in its own image and looks for that image's install folders.
        OVERRIDE_IN_DOCKER: '0',
        FILESYSTEM_ROOT: scratchDir,
        // Nothing from the internet, no analytics, no DNS server on port 53.
        SKIP_SSL_CERT_DOWNLOAD: '1',
        DISABLE_EVENTS: '1',
        DNS_ADDRESS: '0',
        // No container engine: a command that fails, so LocalStack never reaches one.
        DOCKER_CMD: 'false',
        LS_LOG: 'warn',
        // The AWS service index, built on the first start and reused (see localstack_compat.py).
        SCONES_LOCALSTACK_CACHE: join(LOCALSTACK_VENV.dir, 'scones-cache'),
        ...this.environment,
      },
    });
    try {
      await child.waitUntilHealthy(() => isHealthy(url), this.startupTimeoutMs);
    } catch (error) {
      await child.stop();
      await rm(scratchDir, { recursive: true, force: true });
      throw error;
    }
    return new StartedLocalStack(url, child, scratchDir, Date.now() - started);
  }
}

/** LocalStack's health endpoint lists every service the kit deploys to as available or running. */
async function isHealthy(url: string): Promise<boolean> {
  const response = await fetch(`${url}/_localstack/health`, { signal: AbortSignal.timeout(2_000) });
  const body = (await response.json()) as { services?: Record<string, string> };
  return (
    response.ok &&
    NEEDED_HEALTHY.every((name) => ['available', 'running'].includes(body.services?.[name] ?? ''))
  );
}
