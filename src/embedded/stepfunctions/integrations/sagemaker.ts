/**
 * Step Functions' SageMaker integrations against the local SageMaker control plane, as the
 * developer guide documents them ("Create and manage Amazon SageMaker AI jobs with Step Functions",
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-sagemaker.html, and "AWS SDK
 * integrations", supported-services-awssdk.html):
 * - optimized `arn:aws:states:::sagemaker:<action>`: Parameters are the API's request in
 *   PascalCase; request-response returns the API's response beside the SDK metadata optimized
 *   integrations add; Run a Job (`.sync`, training and tuning jobs only, as on AWS) polls the
 *   job's Describe* until it ends and returns that description; a job that ends Failed or Stopped
 *   fails the Task with `States.TaskFailed`, its Cause the JSON of the description (FailureReason
 *   included). API errors are named as the integration names them (the guide's own Retry examples
 *   match `SageMaker.AmazonSageMakerException` and `SageMaker.ResourceLimitExceededException`):
 *   the SDK's modeled exceptions by name, any other code `SageMaker.AmazonSageMakerException`,
 *   the Cause "<message> (Service: AmazonSageMaker; Status Code: 400; Error Code: <code>; ...)";
 * - AWS SDK `arn:aws:states:::aws-sdk:sagemaker:<action>`: any action the control plane serves,
 *   its response as is; errors `SageMaker.<Code>` with the `Exception` suffix the guide says every
 *   SDK integration error name carries (`SageMaker.ValidationException`).
 * Timestamps: the optimized integrations answer in epoch milliseconds (as `states:startExecution`
 * does), the control plane in JSON 1.1 epoch seconds; outputs are converted.
 */
import { randomUUID } from 'node:crypto';
import { ServiceError, TaskError } from '../../shared/index.ts';
import type { SageMakerControlPlane, SdkIntegrationHandler } from '../types.ts';

const OPTIMIZED_PREFIX = 'arn:aws:states:::sagemaker:';
const SDK_PREFIX = 'arn:aws:states:::aws-sdk:sagemaker:';

/** How often `.sync` asks for the job's status: AWS polls in the background; here, locally, often. */
export const DEFAULT_SYNC_POLL_MS = 100;

interface JobKind {
  describe: string;
  stop: string;
  nameMember: string;
  statusMember: string;
}

const TRAINING: JobKind = {
  describe: 'DescribeTrainingJob',
  stop: 'StopTrainingJob',
  nameMember: 'TrainingJobName',
  statusMember: 'TrainingJobStatus',
};
const TUNING: JobKind = {
  describe: 'DescribeHyperParameterTuningJob',
  stop: 'StopHyperParameterTuningJob',
  nameMember: 'HyperParameterTuningJobName',
  statusMember: 'HyperParameterTuningJobStatus',
};

/** The optimized APIs the local control plane serves; `job` marks those with a `.sync` pattern. */
const OPTIMIZED: Record<string, { action: string; job?: JobKind }> = {
  createEndpoint: { action: 'CreateEndpoint' },
  createEndpointConfig: { action: 'CreateEndpointConfig' },
  createModel: { action: 'CreateModel' },
  updateEndpoint: { action: 'UpdateEndpoint' },
  createTrainingJob: { action: 'CreateTrainingJob', job: TRAINING },
  createHyperParameterTuningJob: { action: 'CreateHyperParameterTuningJob', job: TUNING },
};

/** Optimized APIs AWS offers that the local SageMaker does not run (named in the refusal). */
const NOT_LOCAL = new Set(['createTransformJob', 'createLabelingJob', 'createProcessingJob']);

/** SageMaker's exceptions the service model declares: the optimized integration names them. */
const MODELED = new Set(['ResourceInUse', 'ResourceLimitExceeded', 'ResourceNotFound', 'ConflictException']);

const TERMINAL_OK = 'Completed';
const TERMINAL_FAILED = new Set(['Failed', 'Stopped']);

export function isSageMakerResource(resource: string): boolean {
  return resource.startsWith(OPTIMIZED_PREFIX) || resource.startsWith(SDK_PREFIX);
}

/** Thrown at build time, as CreateStateMachine refuses a definition it cannot run. */
export class UnsupportedSageMakerResource extends Error {
  override name = 'UnsupportedSageMakerResource';
}

/**
 * The handler of a Task whose Resource is a SageMaker integration. Throws
 * UnsupportedSageMakerResource for a resource the local control plane cannot serve, or when the
 * engine was given no control plane.
 */
export function bindSageMaker(
  stateName: string,
  resource: string,
  sagemaker: SageMakerControlPlane | undefined,
  options: { pollMs?: number | undefined; timeoutSeconds?: number | undefined } = {},
): SdkIntegrationHandler {
  const pollMs = options.pollMs ?? DEFAULT_SYNC_POLL_MS;
  if (!sagemaker) {
    throw new UnsupportedSageMakerResource(
      `State ${stateName}: ${resource} needs the local SageMaker, and this engine was started without one`,
    );
  }
  if (resource.startsWith(SDK_PREFIX)) return bindSdk(stateName, resource, sagemaker);
  const [api = '', pattern] = resource.slice(OPTIMIZED_PREFIX.length).split('.', 2) as [string, string?];
  const integration = OPTIMIZED[api];
  if (!integration) {
    const why = NOT_LOCAL.has(api) ? 'the local SageMaker does not run this kind of job' : 'no such API';
    throw new UnsupportedSageMakerResource(
      `State ${stateName}: ${resource} is not supported in-process (${why}; supported: ${Object.keys(OPTIMIZED).join(', ')})`,
    );
  }
  if (pattern !== undefined && !(pattern === 'sync' && integration.job)) {
    throw new UnsupportedSageMakerResource(
      `State ${stateName}: ${resource}: the SageMaker integration supports .sync for training and tuning jobs only`,
    );
  }
  const { action, job } = integration;
  return async (input) => {
    const response = await callOptimized(sagemaker, action, input);
    if (pattern !== 'sync' || !job) return { ...epochMillis(response), ...sdkMetadata() };
    const name = (input as Record<string, unknown>)[job.nameMember];
    const deadline =
      options.timeoutSeconds === undefined ? Infinity : Date.now() + options.timeoutSeconds * 1000;
    return await waitForJob(sagemaker, job, String(name), pollMs, deadline);
  };
}

async function callOptimized(sagemaker: SageMakerControlPlane, action: string, input: unknown) {
  try {
    return (await sagemaker.call(action, input ?? {})) as Record<string, unknown>;
  } catch (error) {
    throw optimizedError(error);
  }
}

/**
 * Polls the job until it ends: its description when Completed, States.TaskFailed otherwise. Past
 * the state's TimeoutSeconds (the engine has failed the Task with States.Timeout by then) the job
 * is stopped, as Step Functions stops the job of a `.sync` Task that timed out.
 */
async function waitForJob(
  sagemaker: SageMakerControlPlane,
  job: JobKind,
  name: string,
  pollMs: number,
  deadline: number,
): Promise<unknown> {
  for (;;) {
    if (Date.now() >= deadline) {
      await sagemaker.call(job.stop, { [job.nameMember]: name }).catch(() => undefined);
      throw new TaskError('States.Timeout', `${job.stop} was called for ${name}: the Task timed out`);
    }
    const description = epochMillis(await callOptimized(sagemaker, job.describe, { [job.nameMember]: name }));
    const status = description[job.statusMember];
    if (status === TERMINAL_OK) return description;
    if (TERMINAL_FAILED.has(String(status))) {
      throw new TaskError('States.TaskFailed', JSON.stringify(description));
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function bindSdk(
  stateName: string,
  resource: string,
  sagemaker: SageMakerControlPlane,
): SdkIntegrationHandler {
  const apiAction = resource.slice(SDK_PREFIX.length);
  if (apiAction.includes('.')) {
    throw new UnsupportedSageMakerResource(
      `State ${stateName}: ${resource}: SDK integrations of SageMaker run request-response only here`,
    );
  }
  const action = apiAction.charAt(0).toUpperCase() + apiAction.slice(1);
  if (sagemaker.actions && !sagemaker.actions.includes(action)) {
    throw new UnsupportedSageMakerResource(
      `State ${stateName}: ${resource}: the local SageMaker does not serve ${action}`,
    );
  }
  return async (input) => {
    try {
      return await sagemaker.call(action, input ?? {});
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      const name = error.code.endsWith('Exception') ? error.code : `${error.code}Exception`;
      throw new TaskError(
        `SageMaker.${name}`,
        `${error.message} (Service: SageMaker, Status Code: ${error.status}, Request ID: ${randomUUID()})`,
      );
    }
  };
}

/** A control-plane error as the optimized integration reports it (AWS SDK for Java v1 wording). */
function optimizedError(error: unknown): unknown {
  if (!(error instanceof ServiceError)) return error;
  const name = MODELED.has(error.code)
    ? `SageMaker.${error.code.endsWith('Exception') ? error.code : `${error.code}Exception`}`
    : 'SageMaker.AmazonSageMakerException';
  return new TaskError(
    name,
    `${error.message} (Service: AmazonSageMaker; Status Code: ${error.status}; Error Code: ${error.code}; Request ID: ${randomUUID()}; Proxy: null)`,
  );
}

function sdkMetadata() {
  const requestId = randomUUID();
  const headers = { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': requestId };
  return {
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

/** Members named `...Time`/`Timestamp` holding epoch seconds, in epoch milliseconds (deeply). */
function epochMillis<T>(value: T): T {
  if (Array.isArray(value)) return value.map(epochMillis) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [
      key,
      typeof member === 'number' && /(Time|Timestamp)$/.test(key)
        ? Math.round(member * 1000)
        : epochMillis(member),
    ]),
  ) as T;
}
