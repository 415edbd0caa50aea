/**
 * What an endpoint config deploys, resolved from the records: each variant's container (a model
 * package's, for a model made from one), its algorithm image and artifact (checked to exist, as
 * SageMaker checks when it downloads it), weights, instances and the data capture settings.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { algorithmImageRegion, unsupportedImageMessage } from '../algorithm/image-uris.ts';
import { findModelPackage } from '../model-package-lookup.ts';
import type {
  CaptureSettings,
  ContainerRecord,
  DataCaptureConfigRecord,
  EndpointConfigRecord,
  EndpointDeployment,
  EndpointRecord,
  ServiceContext,
  VariantDeployment,
} from '../types.ts';

/** Why a deployment cannot start: becomes the endpoint's FailureReason. */
export class DeploymentProblem extends Error {}

function captureSettings(config: DataCaptureConfigRecord | undefined): CaptureSettings | undefined {
  if (!config) return undefined;
  const modes = config.CaptureOptions.map((option) => option.CaptureMode);
  return {
    enabled: config.EnableCapture !== false,
    samplingPercentage: config.InitialSamplingPercentage,
    destinationS3Uri: config.DestinationS3Uri,
    captureInput: modes.includes('Input') || modes.includes('InputAndOutput'),
    captureOutput: modes.includes('Output') || modes.includes('InputAndOutput'),
    csvContentTypes: config.CaptureContentTypeHeader?.CsvContentTypes ?? [],
    jsonContentTypes: config.CaptureContentTypeHeader?.JsonContentTypes ?? [],
  };
}

/** The container a variant's model serves with (a model package's, for a model made from one). */
function containerOf(context: ServiceContext, modelName: string): ContainerRecord {
  const model = context.tables.models.get(modelName);
  if (!model) throw new DeploymentProblem(`Could not find model "${modelName}".`);
  const container = (model.PrimaryContainer ?? model.Containers?.[0]) as ContainerRecord;
  if (typeof container.ModelPackageName !== 'string') return container;
  const modelPackage = findModelPackage(context, container.ModelPackageName);
  const packaged = (modelPackage?.InferenceSpecification?.Containers as ContainerRecord[] | undefined)?.[0];
  if (!packaged) throw new DeploymentProblem(`Could not find model package "${container.ModelPackageName}".`);
  return { ...packaged, Environment: { ...packaged.Environment, ...container.Environment } };
}

async function variantOf(
  context: ServiceContext,
  variant: EndpointConfigRecord['ProductionVariants'][number],
): Promise<VariantDeployment> {
  const container = containerOf(context, variant.ModelName);
  const image = container.Image ?? '';
  if (!algorithmImageRegion(image))
    throw new DeploymentProblem(unsupportedImageMessage('Image', image, context.region));
  const url = container.ModelDataUrl;
  const missing = () =>
    new DeploymentProblem(
      `Failed to download model data for container "container_1" from URL: "${url}". Please ensure that there ` +
        'is an object located at the URL and that the role passed to CreateModel has permissions to download the object.',
    );
  const match = url ? /^s3:\/\/([^/]+)\/(.+)$/.exec(url) : null;
  if (!match) throw missing();
  await context.s3.send(new HeadObjectCommand({ Bucket: match[1], Key: match[2] })).catch(() => {
    throw missing();
  });
  return {
    variantName: variant.VariantName,
    modelName: variant.ModelName,
    image,
    modelDataUrl: url as string,
    environment: container.Environment ?? {},
    weight: variant.InitialVariantWeight ?? 1,
    instanceCount: variant.InitialInstanceCount ?? 1,
    ...(variant.InstanceType ? { instanceType: variant.InstanceType } : {}),
    ...(variant.ServerlessConfig
      ? {
          serverless: {
            memorySizeInMB: variant.ServerlessConfig.MemorySizeInMB,
            maxConcurrency: variant.ServerlessConfig.MaxConcurrency,
          },
        }
      : {}),
  };
}

/** What the hosting serves for `config`; DeploymentProblem when a model or its artifact is missing. */
export async function buildDeployment(
  context: ServiceContext,
  endpoint: EndpointRecord,
  config: EndpointConfigRecord,
): Promise<EndpointDeployment> {
  const dataCapture = captureSettings(config.DataCaptureConfig);
  return {
    endpointName: endpoint.EndpointName,
    endpointConfigName: config.EndpointConfigName,
    variants: await Promise.all(config.ProductionVariants.map((variant) => variantOf(context, variant))),
    ...(dataCapture ? { dataCapture } : {}),
  };
}
