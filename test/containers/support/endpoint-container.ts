/**
 * The kit image (containers/kit/Dockerfile) running its default command, the endpoint server
 * (src/embedded/sagemaker-runtime/endpoint-main.ts, stub predictor unless PREDICTOR says otherwise), as a
 * testcontainers module. Ready when SageMaker's container contract `GET /ping` answers 200.
 */
import { AbstractStartedContainer, GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { DEFAULTS } from '../../../src/config.ts';
import { KIT_IMAGE } from './images.ts';

const PORT = 8080;

export class EndpointContainer extends GenericContainer {
  constructor(image = KIT_IMAGE) {
    super(image);
    this.withExposedPorts(PORT)
      .withEnvironment({ HOST: '0.0.0.0', PORT: String(PORT), ENDPOINT_NAME: DEFAULTS.endpointName })
      .withWaitStrategy(Wait.forHttp('/ping', PORT).forStatusCode(200))
      .withStartupTimeout(60_000);
  }

  override async start(): Promise<StartedEndpointContainer> {
    return new StartedEndpointContainer(await super.start());
  }
}

export class StartedEndpointContainer extends AbstractStartedContainer {
  static readonly PORT = PORT;

  constructor(started: StartedTestContainer) {
    super(started);
  }

  /** The endpoint as the host reaches it. */
  get url(): string {
    return `http://${this.getHost()}:${this.getMappedPort(PORT)}`;
  }
}
