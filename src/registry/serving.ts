/**
 * What the stage's endpoint serves: DescribeEndpoint -> its config's first variant -> the model ->
 * its ModelDataUrl, matched to the registry's versions by ModelDataUrl (a retraining's and a
 * rollout's models carry the package's artifact). A model that matches no version is the kit's own
 * (deployed by `scones up`, `demo`, ...): shown as the original model.
 */
import type { RegistryVersion, SageMakerApi, Serving } from './types.ts';

export interface DescribedEndpoint {
  EndpointName: string;
  EndpointStatus: string;
  EndpointConfigName?: string;
  FailureReason?: string;
  PendingDeploymentSummary?: { EndpointConfigName?: string };
}

export interface DescribedConfig {
  EndpointConfigName: string;
  ProductionVariants: {
    VariantName: string;
    ModelName: string;
    InstanceType?: string;
    InitialInstanceCount?: number;
  }[];
  DataCaptureConfig?: Record<string, unknown>;
}

export interface DescribedModel {
  ModelName: string;
  ExecutionRoleArn?: string;
  PrimaryContainer?: { Image?: string; ModelDataUrl?: string; ModelPackageName?: string };
}

/** SageMaker's answer for a resource that does not exist (Describe* of models, configs, endpoints). */
export function isNotFound(error: unknown): boolean {
  const { name, message } = error as { name?: string; message?: string };
  return name === 'ValidationException' && /^Could not find|does not exist/.test(message ?? '');
}

export async function describeEndpoint(
  sagemaker: SageMakerApi,
  endpointName: string,
): Promise<DescribedEndpoint | undefined> {
  try {
    return (await sagemaker.call('DescribeEndpoint', { EndpointName: endpointName })) as DescribedEndpoint;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function describeConfig(sagemaker: SageMakerApi, name: string): Promise<DescribedConfig> {
  return (await sagemaker.call('DescribeEndpointConfig', { EndpointConfigName: name })) as DescribedConfig;
}

export async function describeModel(
  sagemaker: SageMakerApi,
  name: string,
): Promise<DescribedModel | undefined> {
  try {
    return (await sagemaker.call('DescribeModel', { ModelName: name })) as DescribedModel;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The serving model's ModelDataUrl: its own, or its model package's. */
function modelDataOf(model: DescribedModel | undefined, versions: readonly RegistryVersion[]): string | null {
  const container = model?.PrimaryContainer;
  if (container?.ModelDataUrl) return container.ModelDataUrl;
  const fromPackage = versions.find((version) => version.arn === container?.ModelPackageName);
  return fromPackage?.model_data ?? null;
}

/** What `endpointName` serves now, matched to `versions`. */
export async function servingOf(
  sagemaker: SageMakerApi,
  endpointName: string,
  versions: readonly RegistryVersion[],
): Promise<Serving> {
  const endpoint = await describeEndpoint(sagemaker, endpointName);
  const none: Serving = {
    endpoint: endpointName,
    status: endpoint?.EndpointStatus ?? 'missing',
    endpoint_config: endpoint?.EndpointConfigName ?? null,
    model: null,
    model_data: null,
    version: null,
    version_arn: null,
    original: false,
    ...(endpoint?.FailureReason ? { failure_reason: endpoint.FailureReason } : {}),
  };
  if (!endpoint?.EndpointConfigName) return none;
  const config = await describeConfig(sagemaker, endpoint.EndpointConfigName).catch((error: unknown) => {
    // A config deleted after it was deployed still serves (as on AWS); its model is then unknown.
    if (isNotFound(error)) return undefined;
    throw error;
  });
  const modelName = config?.ProductionVariants[0]?.ModelName ?? null;
  const model = modelName ? await describeModel(sagemaker, modelName) : undefined;
  const modelData = modelDataOf(model, versions);
  const version = modelData ? versions.find((candidate) => candidate.model_data === modelData) : undefined;
  return {
    ...none,
    model: modelName,
    model_data: modelData,
    version: version?.version ?? null,
    version_arn: version?.arn ?? null,
    original: !version && modelData !== null,
  };
}
