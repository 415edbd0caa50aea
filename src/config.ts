/**
 * The one place that knows which target the kit talks to. Everything that creates an AWS client or
 * needs a resource name asks here; no endpoint URL is written anywhere else.
 *
 * Endpoint overrides follow the AWS SDK's own convention (`AWS_ENDPOINT_URL`,
 * `AWS_ENDPOINT_URL_<SERVICE>`), so the same variables work for the SDK, the AWS CLI and code
 * running inside an emulator's Lambda.
 *
 * Only the `aws` target may fall back to the SDK's default (AWS) endpoints: a client for any other
 * target with no local endpoint is a ConfigError naming the variable to set (`clientEndpoint`), so
 * the embedded tier never reaches AWS by accident.
 */

export const TARGETS = ['embedded', 'emulator', 'containers', 'aws'] as const;
export type Target = (typeof TARGETS)[number];

export type Service =
  | 's3'
  | 'sagemakerRuntime'
  | 'sagemaker'
  | 'lambda'
  | 'sfn'
  | 'iam'
  | 'sts'
  | 'tagging'
  | 'cloudwatch'
  | 'events'
  | 'sns'
  | 'cloudformation';

/** Env suffix per service, as in the SDK's service-specific endpoint variables. */
const SERVICE_ENV_ID: Record<Service, string> = {
  s3: 'S3',
  sagemakerRuntime: 'SAGEMAKER_RUNTIME',
  sagemaker: 'SAGEMAKER',
  lambda: 'LAMBDA',
  sfn: 'SFN',
  iam: 'IAM',
  sts: 'STS',
  tagging: 'RESOURCE_GROUPS_TAGGING_API',
  cloudwatch: 'CLOUDWATCH',
  events: 'EVENTBRIDGE',
  sns: 'SNS',
  cloudformation: 'CLOUDFORMATION',
};

/** Every service the kit makes clients for. */
export const SERVICES = Object.keys(SERVICE_ENV_ID) as Service[];

/**
 * The services an AWS emulator (MiniStack, LocalStack, moto) stands in for. SageMaker is left out:
 * the kit's own endpoint server is the SageMaker runtime on local targets, and only moto (the
 * promote tests) emulates SageMaker's control plane. A service added to `Service` is included
 * here, so no emulator harness sends it to a default port by omission.
 */
export const EMULATED_SERVICES: readonly Service[] = SERVICES.filter(
  (service) => service !== 'sagemaker' && service !== 'sagemakerRuntime',
);

/** Credentials every local emulator accepts; never used for the `aws` target. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface KitConfig {
  target: Target;
  region: string;
  /** Deployment stage; part of every resource name and tag. */
  stage: string;
  /** Bucket holding images, review items and captured endpoint traffic. */
  bucket: string;
  /** SageMaker endpoint the classify Lambda invokes. */
  endpointName: string;
  /** Minimum class probability for an automatic routing decision. */
  threshold: number;
  /** Key prefix of manual-review items. */
  reviewPrefix: string;
  /** Key prefix of uploads that start an execution (the event rule's prefix match), e.g. `incoming/`. */
  intakePrefix: string;
  /** Static credentials for local targets; undefined means the standard AWS credential chain. */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** The configured endpoint of a service; undefined means none was given. */
  endpointFor(service: Service): string | undefined;
  /**
   * The endpoint a client of this service must use: undefined (the SDK's AWS endpoint) for the
   * `aws` target only; for a local target without one, a ConfigError naming the variable.
   */
  clientEndpoint(service: Service): string | undefined;
}

export const DEFAULTS = {
  region: 'us-east-1',
  stage: 'dev',
  bucket: 'scones-images',
  endpointName: 'scones-image-classification',
  threshold: 0.8,
  reviewPrefix: 'review/',
  intakePrefix: 'incoming/',
} as const;

/**
 * Where the local targets listen when nothing else is said: MiniStack's and LocalStack's usual
 * port (`scones emulator`), the endpoint of `scones serve`, and the host ports of
 * docker-compose.yml. Explicit AWS_ENDPOINT_URL* variables win.
 */
const LOCAL_TARGET_ENDPOINTS: Partial<Record<Target, { all: string } & Partial<Record<Service, string>>>> = {
  emulator: { all: 'http://127.0.0.1:4566', sagemakerRuntime: 'http://127.0.0.1:8080' },
  containers: {
    all: 'http://127.0.0.1:4566',
    sfn: 'http://127.0.0.1:8083',
    sagemakerRuntime: 'http://127.0.0.1:8080',
  },
};

/**
 * AWS itself: the SDK's own endpoints and credential chain; promotion creates the bucket and the
 * Lambdas find their services without endpoint variables. Every other target is local.
 */
export function isAwsTarget(config: Pick<KitConfig, 'target'>): boolean {
  return config.target === 'aws';
}

/**
 * The embedded tier, whose servers are the kit's own (src/embedded/): they ignore signatures and
 * verify a checksum only when one is sent, so its clients need neither (src/aws/clients.ts).
 */
export function servedByTheKit(config: Pick<KitConfig, 'target'>): boolean {
  return config.target === 'embedded';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseTarget(value: string | undefined): Target {
  const target = value ?? 'embedded';
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new ConfigError(`SCONES_TARGET must be one of ${TARGETS.join(', ')}; got "${target}"`);
  }
  return target as Target;
}

export function parseThreshold(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULTS.threshold;
  const threshold = Number(value);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new ConfigError(`THRESHOLD must be a number between 0 and 1; got "${value}"`);
  }
  return threshold;
}

/**
 * INTAKE_PREFIX: not empty, and apart from the review prefix, or the kit's own review items would
 * count as uploads and start executions.
 */
export function parseIntakePrefix(value: string | undefined, reviewPrefix: string): string {
  const prefix = value || DEFAULTS.intakePrefix;
  if (prefix.startsWith(reviewPrefix) || reviewPrefix.startsWith(prefix)) {
    throw new ConfigError(
      `INTAKE_PREFIX "${prefix}" overlaps REVIEW_PREFIX "${reviewPrefix}"; keep them apart`,
    );
  }
  return prefix;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): KitConfig {
  const target = parseTarget(env.SCONES_TARGET);
  const useLocalCredentials = target !== 'aws' && !env.AWS_ACCESS_KEY_ID;
  // An empty variable (compose's `${VAR:-}`) is no endpoint.
  const endpointFor = (service: Service): string | undefined => {
    const defaults = LOCAL_TARGET_ENDPOINTS[target];
    return (
      env[`AWS_ENDPOINT_URL_${SERVICE_ENV_ID[service]}`] ||
      env.AWS_ENDPOINT_URL ||
      defaults?.[service] ||
      defaults?.all
    );
  };
  return {
    target,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULTS.region,
    stage: env.SCONES_STAGE ?? DEFAULTS.stage,
    bucket: env.SCONES_BUCKET ?? DEFAULTS.bucket,
    endpointName: env.ENDPOINT_NAME ?? DEFAULTS.endpointName,
    threshold: parseThreshold(env.THRESHOLD),
    reviewPrefix: env.REVIEW_PREFIX ?? DEFAULTS.reviewPrefix,
    intakePrefix: parseIntakePrefix(env.INTAKE_PREFIX, env.REVIEW_PREFIX ?? DEFAULTS.reviewPrefix),
    credentials: useLocalCredentials ? { ...LOCAL_CREDENTIALS } : undefined,
    endpointFor,
    clientEndpoint(service) {
      const endpoint = endpointFor(service);
      if (endpoint || target === 'aws') return endpoint;
      throw new MissingEndpointError(target, service);
    },
  };
}

/** A client for a local target with no endpoint: it would otherwise talk to AWS. */
export class MissingEndpointError extends ConfigError {
  readonly variable: string;

  constructor(target: Target, service: Service) {
    const variable = `AWS_ENDPOINT_URL_${SERVICE_ENV_ID[service]}`;
    super(
      `${variable} is not set (nor AWS_ENDPOINT_URL), and a client of the ${target} target never ` +
        `falls back to AWS: set ${variable} to the local server's URL, or SCONES_TARGET=aws to use AWS`,
    );
    this.variable = variable;
  }
}

/** Environment variables that point a process (or a Lambda) at the given service endpoints. */
export function endpointEnvironment(endpoints: Partial<Record<Service, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [service, url] of Object.entries(endpoints) as [Service, string | undefined][]) {
    if (url) env[`AWS_ENDPOINT_URL_${SERVICE_ENV_ID[service]}`] = url;
  }
  return env;
}
