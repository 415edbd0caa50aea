/**
 * The workflow's endpoint as the SageMaker API sets it up, the one way every kit flow gets an
 * endpoint for a trained model (`scones up`, `demo`, `load`, `classify` on the embedded tier):
 * CreateModel (the model.tar.gz), CreateEndpointConfig (one variant, the flow's data capture),
 * CreateEndpoint, then DescribeEndpoint until InService. Idempotent: the model and the config are
 * named by what they hold, so a restart finds them; an endpoint already InService with that config
 * is reused, one with another config of the kit's flows is updated (UpdateEndpoint, which swaps
 * without dropping a request), a Failed one is deleted and created again. One InService with a
 * config the flows did not make (a retraining's promoted candidate, `scones promote --target
 * local`, a notebook) is kept as it is: a restart must not undo a rollout.
 *
 *   await ensureModelEndpoint(sagemaker, { endpointName, modelDataUrl, image, roleArn, capture });
 *
 * Over `SageMakerApi`: the local SageMaker's `call`, or any client answering the same JSON.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** The SageMaker API as JSON in, JSON out; failures throw errors named by SageMaker's codes. */
export interface SageMakerApi {
  call(action: string, input: Record<string, unknown>): Promise<unknown>;
}

/** The endpoint's data capture, as the flows ask for it (SageMaker's DataCaptureConfig). */
export interface EndpointCapture {
  destinationS3Uri: string;
  /** Default 100. */
  samplingPercentage?: number;
  /** Default both. */
  captureModes?: ('Input' | 'Output')[];
  jsonContentTypes?: string[];
  csvContentTypes?: string[];
}

export interface ModelEndpointRequest {
  endpointName: string;
  /** `s3://.../model.tar.gz`. */
  modelDataUrl: string;
  /** The inference image (the built-in image-classification algorithm's, in the region). */
  image: string;
  /** CreateModel's ExecutionRoleArn. */
  roleArn: string;
  capture?: EndpointCapture;
  /** Default `ml.m5.large`, a hosting instance type of every region. */
  instanceType?: string;
  /** How often DescribeEndpoint is asked while the endpoint is not settled; default 20 ms. */
  pollMs?: number;
  /** How long a creation or update may take; default 5 minutes. */
  timeoutMs?: number;
}

/** What is now serving, and what it took. */
export interface ModelEndpoint {
  endpointName: string;
  endpointArn: string;
  modelName: string;
  endpointConfigName: string;
  /**
   * `reused`: already InService with this model and capture; `recreated`: it had Failed; `kept`:
   * InService with a config the kit's flows did not make, left serving (`modelName` and
   * `endpointConfigName` are then what it serves).
   */
  action: 'created' | 'reused' | 'updated' | 'recreated' | 'kept';
}

/** The endpoint did not come into service with the requested model: says what SageMaker said. */
export class EndpointSetupError extends Error {
  override name = 'EndpointSetupError';
}

interface DescribedEndpoint {
  EndpointArn: string;
  EndpointConfigName: string;
  EndpointStatus: string;
  FailureReason?: string;
}

/** Statuses an endpoint passes through on its own; the others wait for a call. */
const TRANSITIONAL = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);

const fingerprint = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 10);

/** `<endpoint>-<kind>-<fingerprint>`, within SageMaker's 63 characters. */
function nameOf(endpointName: string, kind: 'model' | 'config', value: unknown): string {
  const suffix = `-${kind}-${fingerprint(value)}`;
  return `${endpointName.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** Whether `configName` is one `nameOf` made for `endpointName` (a config of the kit's flows). */
function madeByTheFlows(endpointName: string, configName: string): boolean {
  const suffix = /-config-[0-9a-f]{10}$/.exec(configName);
  if (!suffix) return false;
  const prefix = configName.slice(0, suffix.index);
  return prefix === endpointName.slice(0, 63 - suffix[0].length).replace(/-+$/, '');
}

/** Whether SageMaker answered that the named resource does not exist (Describe* say so this way). */
function notFound(error: unknown): boolean {
  const { name, message } = error as { name?: string; message?: string };
  return name === 'ValidationException' && /^Could not find/.test(message ?? '');
}

function dataCaptureConfig(capture: EndpointCapture): Record<string, unknown> {
  const modes = capture.captureModes ?? ['Input', 'Output'];
  const types = {
    ...(capture.jsonContentTypes?.length ? { JsonContentTypes: capture.jsonContentTypes } : {}),
    ...(capture.csvContentTypes?.length ? { CsvContentTypes: capture.csvContentTypes } : {}),
  };
  return {
    EnableCapture: true,
    InitialSamplingPercentage: capture.samplingPercentage ?? 100,
    DestinationS3Uri: capture.destinationS3Uri,
    CaptureOptions: modes.map((mode) => ({ CaptureMode: mode })),
    ...(Object.keys(types).length ? { CaptureContentTypeHeader: types } : {}),
  };
}

export async function ensureModelEndpoint(
  api: SageMakerApi,
  request: ModelEndpointRequest,
): Promise<ModelEndpoint> {
  const { endpointName } = request;
  const modelName = nameOf(endpointName, 'model', { url: request.modelDataUrl, image: request.image });
  const variant = {
    VariantName: 'AllTraffic',
    ModelName: modelName,
    InstanceType: request.instanceType ?? 'ml.m5.large',
    InitialInstanceCount: 1,
    InitialVariantWeight: 1,
  };
  const capture = request.capture ? dataCaptureConfig(request.capture) : undefined;
  const configName = nameOf(endpointName, 'config', { variant, capture });
  const deadline = Date.now() + (request.timeoutMs ?? 300_000);
  const pollMs = request.pollMs ?? 20;

  const describe = async (): Promise<DescribedEndpoint | undefined> => {
    try {
      return (await api.call('DescribeEndpoint', { EndpointName: endpointName })) as DescribedEndpoint;
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  };
  /** DescribeEndpoint until it leaves the transitional statuses (or is gone). */
  const settled = async (): Promise<DescribedEndpoint | undefined> => {
    for (;;) {
      const endpoint = await describe();
      if (!endpoint || !TRANSITIONAL.has(endpoint.EndpointStatus)) return endpoint;
      if (Date.now() > deadline) {
        throw new EndpointSetupError(
          `endpoint ${endpointName} is still ${endpoint.EndpointStatus} after ${request.timeoutMs ?? 300_000} ms`,
        );
      }
      await sleep(pollMs);
    }
  };
  const ensure = async (action: string, name: string, create: () => Record<string, unknown>) => {
    try {
      await api.call(`Describe${action}`, { [`${action}Name`]: name });
    } catch (error) {
      if (!notFound(error)) throw error;
      await api.call(`Create${action}`, create());
    }
  };

  await ensure('Model', modelName, () => ({
    ModelName: modelName,
    PrimaryContainer: { Image: request.image, ModelDataUrl: request.modelDataUrl },
    ExecutionRoleArn: request.roleArn,
  }));
  await ensure('EndpointConfig', configName, () => ({
    EndpointConfigName: configName,
    ProductionVariants: [variant],
    ...(capture ? { DataCaptureConfig: capture } : {}),
  }));

  let current = await settled();
  let action: ModelEndpoint['action'] = 'created';
  if (current?.EndpointStatus === 'Failed') {
    // A Failed endpoint can only be deleted (SageMaker's rule): then it is created afresh.
    await api.call('DeleteEndpoint', { EndpointName: endpointName });
    current = await settled();
    action = 'recreated';
  }
  if (!current) {
    await api.call('CreateEndpoint', { EndpointName: endpointName, EndpointConfigName: configName });
  } else if (current.EndpointConfigName === configName && current.EndpointStatus === 'InService') {
    action = 'reused';
  } else if (
    current.EndpointStatus === 'InService' &&
    !madeByTheFlows(endpointName, current.EndpointConfigName)
  ) {
    return {
      endpointName,
      endpointArn: current.EndpointArn,
      modelName: await servedModel(api, current.EndpointConfigName),
      endpointConfigName: current.EndpointConfigName,
      action: 'kept',
    };
  } else {
    await api.call('UpdateEndpoint', { EndpointName: endpointName, EndpointConfigName: configName });
    action = 'updated';
  }
  const served = await settled();
  if (served?.EndpointStatus !== 'InService' || served.EndpointConfigName !== configName) {
    const state = served ? `${served.EndpointStatus} with ${served.EndpointConfigName}` : 'gone';
    throw new EndpointSetupError(
      `endpoint ${endpointName} did not come into service with ${request.modelDataUrl} (${state})` +
        `${served?.FailureReason ? `: ${served.FailureReason}` : ''}`,
    );
  }
  return { endpointName, endpointArn: served.EndpointArn, modelName, endpointConfigName: configName, action };
}

/** The model of a config's first variant. */
async function servedModel(api: SageMakerApi, endpointConfigName: string): Promise<string> {
  const config = (await api.call('DescribeEndpointConfig', { EndpointConfigName: endpointConfigName })) as {
    ProductionVariants?: { ModelName?: string }[];
  };
  return config.ProductionVariants?.[0]?.ModelName ?? 'unknown';
}
