/**
 * The MiniStack image (containers/ministack/Dockerfile) as a testcontainers module: the emulator
 * service of the containers tier. (src/emulator/ministack.ts runs the same MiniStack as a host
 * process for the emulator tier.) Lambdas run inside this container as Node 22 processes, so the
 * endpoints they get must be reachable from inside it: its own S3 is `LAMBDA_S3_URL`.
 */
import { AbstractStartedContainer, GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { EMULATED_SERVICES, endpointEnvironment } from '../../../src/config.ts';
import { MINISTACK_IMAGE } from './images.ts';

const PORT = 4566;
const NEEDED = ['s3', 'lambda', 'states', 'iam', 'sts'];

export class MiniStackContainer extends GenericContainer {
  constructor(image = MINISTACK_IMAGE) {
    super(image);
    this.withExposedPorts(PORT)
      .withEnvironment({ LOG_LEVEL: 'WARNING' })
      .withWaitStrategy(
        Wait.forHttp('/_ministack/health', PORT).forResponsePredicate((body) => {
          const services = (JSON.parse(body) as { services?: Record<string, string> }).services ?? {};
          return NEEDED.every((name) => services[name] === 'available');
        }),
      )
      .withStartupTimeout(120_000);
  }

  override async start(): Promise<StartedMiniStackContainer> {
    return new StartedMiniStackContainer(await super.start());
  }
}

export class StartedMiniStackContainer extends AbstractStartedContainer {
  /** S3 as the Lambdas inside this container reach it. */
  static readonly LAMBDA_S3_URL = `http://127.0.0.1:${PORT}`;

  constructor(started: StartedTestContainer) {
    super(started);
  }

  /** MiniStack as the host reaches it. */
  get url(): string {
    return `http://${this.getHost()}:${this.getMappedPort(PORT)}`;
  }

  /** `AWS_ENDPOINT_URL_<SERVICE>` variables that send the kit's clients here. */
  environment(): Record<string, string> {
    return endpointEnvironment(Object.fromEntries(EMULATED_SERVICES.map((service) => [service, this.url])));
  }
}
