/** CreateEndpointConfig, DescribeEndpointConfig, DeleteEndpointConfig, ListEndpointConfigs. */
import instanceTypes from '../algorithm/instance-types.json' with { type: 'json' };
import { arnOf } from '../arns.ts';
import { ValidationException } from '../errors.ts';
import { type ListQuery, page } from '../listing.ts';
import type {
  DataCaptureConfigRecord,
  Echo,
  EndpointConfigRecord,
  Operation,
  ProductionVariantRecord,
  ServiceContext,
  Tag,
} from '../types.ts';
import {
  ENTITY_NAME,
  KMS_KEY_ID,
  listRequest,
  MODEL_NAME,
  OPAQUE,
  ROLE_ARN,
  TAGS,
} from '../validation/common.ts';
import { bool, float, int, list, oneOf, str, struct, validate } from '../validation/shapes.ts';
import { modelNotFound } from './models.ts';

const VARIANT = struct(
  {
    VariantName: ENTITY_NAME,
    ModelName: MODEL_NAME,
    InitialInstanceCount: int({ min: 1 }),
    InstanceType: oneOf(instanceTypes.hosting),
    InitialVariantWeight: float({ min: 0 }),
    AcceleratorType: oneOf([
      'ml.eia1.medium',
      'ml.eia1.large',
      'ml.eia1.xlarge',
      'ml.eia2.medium',
      'ml.eia2.large',
      'ml.eia2.xlarge',
    ]),
    ServerlessConfig: struct(
      {
        MemorySizeInMB: int({ min: 1024, max: 6144 }),
        MaxConcurrency: int({ min: 1, max: 200 }),
        ProvisionedConcurrency: int({ min: 1, max: 200 }),
      },
      ['MemorySizeInMB', 'MaxConcurrency'],
    ),
    CoreDumpConfig: OPAQUE,
    VolumeSizeInGB: int({ min: 1, max: 512 }),
    ModelDataDownloadTimeoutInSeconds: int({ min: 60, max: 3600 }),
    ContainerStartupHealthCheckTimeoutInSeconds: int({ min: 60, max: 3600 }),
    EnableSSMAccess: bool,
    ManagedInstanceScaling: OPAQUE,
    RoutingConfig: OPAQUE,
    InferenceAmiVersion: OPAQUE,
  },
  ['VariantName'],
);

const DATA_CAPTURE = struct(
  {
    EnableCapture: bool,
    InitialSamplingPercentage: int({ min: 0, max: 100 }),
    DestinationS3Uri: str({ max: 512, pattern: '^(https|s3)://([^/]+)/?(.*)$' }),
    KmsKeyId: KMS_KEY_ID,
    CaptureOptions: list(
      struct({ CaptureMode: oneOf(['Input', 'Output', 'InputAndOutput']) }, ['CaptureMode']),
      {
        min: 1,
        max: 32,
      },
    ),
    CaptureContentTypeHeader: struct({
      CsvContentTypes: list(
        str({
          min: 1,
          max: 256,
          pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}/[a-zA-Z0-9](-*[a-zA-Z0-9.]){0,62}$',
        }),
        { min: 1, max: 10 },
      ),
      JsonContentTypes: list(
        str({
          min: 1,
          max: 256,
          pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}/[a-zA-Z0-9](-*[a-zA-Z0-9.]){0,62}$',
        }),
        { min: 1, max: 10 },
      ),
    }),
  },
  ['InitialSamplingPercentage', 'DestinationS3Uri', 'CaptureOptions'],
);

const CREATE = struct(
  {
    EndpointConfigName: ENTITY_NAME,
    ProductionVariants: list(VARIANT, { min: 1, max: 10 }),
    DataCaptureConfig: DATA_CAPTURE,
    Tags: TAGS,
    KmsKeyId: KMS_KEY_ID,
    AsyncInferenceConfig: OPAQUE,
    ExplainerConfig: OPAQUE,
    ShadowProductionVariants: OPAQUE,
    ExecutionRoleArn: ROLE_ARN,
    VpcConfig: OPAQUE,
    EnableNetworkIsolation: bool,
    MetricsConfig: OPAQUE,
  },
  ['EndpointConfigName', 'ProductionVariants'],
);
const NAME_ONLY = struct({ EndpointConfigName: ENTITY_NAME }, ['EndpointConfigName']);
const LIST = listRequest(['Name', 'CreationTime']);

interface CreateEndpointConfigInput {
  EndpointConfigName: string;
  ProductionVariants: ProductionVariantRecord[];
  DataCaptureConfig?: DataCaptureConfigRecord;
  Tags?: Tag[];
  KmsKeyId?: string;
  [member: string]: unknown;
}

export function endpointConfigNotFound(context: ServiceContext, name: string): ValidationException {
  return new ValidationException(
    `Could not find endpoint configuration "${arnOf(context.region, 'endpoint-config', name)}".`,
  );
}

function checkVariants(context: ServiceContext, request: CreateEndpointConfigInput): void {
  if (request.AsyncInferenceConfig || request.ShadowProductionVariants) {
    throw new ValidationException(
      'The local SageMaker hosts real-time endpoints: AsyncInferenceConfig and ShadowProductionVariants are not available.',
    );
  }
  const names = new Set<string>();
  for (const variant of request.ProductionVariants) {
    if (names.has(variant.VariantName.toLowerCase()))
      throw new ValidationException(`Variant names must be unique; ${variant.VariantName} is given twice.`);
    names.add(variant.VariantName.toLowerCase());
    if (!variant.ModelName)
      throw new ValidationException(`Variant ${variant.VariantName} must name a ModelName.`);
    if (!context.tables.models.has(variant.ModelName)) throw modelNotFound(context, variant.ModelName);
    const instance = variant.InstanceType !== undefined || variant.InitialInstanceCount !== undefined;
    if (variant.ServerlessConfig && instance) {
      throw new ValidationException(
        `Variant ${variant.VariantName}: give either ServerlessConfig or InstanceType and InitialInstanceCount, not both.`,
      );
    }
    if (
      !variant.ServerlessConfig &&
      (variant.InstanceType === undefined || variant.InitialInstanceCount === undefined)
    ) {
      throw new ValidationException(
        `Variant ${variant.VariantName}: InstanceType and InitialInstanceCount are required unless ServerlessConfig is given.`,
      );
    }
    if (
      variant.ServerlessConfig &&
      request.DataCaptureConfig?.EnableCapture !== false &&
      request.DataCaptureConfig
    ) {
      throw new ValidationException(
        'DataCaptureConfig is not supported for endpoint configurations with serverless production variants.',
      );
    }
  }
}

export function endpointConfigOperations(context: ServiceContext): Record<string, Operation> {
  const configs = context.tables.endpointConfigs;
  return {
    CreateEndpointConfig(input) {
      const request = validate<CreateEndpointConfigInput>(CREATE, input);
      const name = request.EndpointConfigName;
      const arn = arnOf(context.region, 'endpoint-config', name);
      if (configs.has(name))
        throw new ValidationException(`Cannot create already existing endpoint configuration "${arn}".`);
      checkVariants(context, request);
      const { EndpointConfigName, ProductionVariants, DataCaptureConfig, KmsKeyId, Tags, ...rest } = request;
      const config: EndpointConfigRecord = {
        EndpointConfigName,
        EndpointConfigArn: arn,
        ProductionVariants: ProductionVariants.map((variant) =>
          variant.ServerlessConfig ? variant : { InitialVariantWeight: 1, ...variant },
        ),
        ...(DataCaptureConfig ? { DataCaptureConfig: { EnableCapture: true, ...DataCaptureConfig } } : {}),
        ...(KmsKeyId ? { KmsKeyId } : {}),
        CreationTime: context.seconds(),
        Echo: { EnableNetworkIsolation: false, ...(rest as Echo) },
        Tags: Tags ?? [],
      };
      configs.put(name, config);
      return { EndpointConfigArn: arn };
    },

    DescribeEndpointConfig(input) {
      const { EndpointConfigName } = validate<{ EndpointConfigName: string }>(NAME_ONLY, input);
      const config = configs.get(EndpointConfigName);
      if (!config) throw endpointConfigNotFound(context, EndpointConfigName);
      const { Echo: echo, Tags: _tags, ...described } = config;
      return { ...echo, ...described };
    },

    DeleteEndpointConfig(input) {
      const { EndpointConfigName } = validate<{ EndpointConfigName: string }>(NAME_ONLY, input);
      // As on AWS, a config an endpoint serves may be deleted: the endpoint keeps serving it.
      if (!configs.has(EndpointConfigName)) throw endpointConfigNotFound(context, EndpointConfigName);
      configs.delete(EndpointConfigName);
      return {};
    },

    ListEndpointConfigs(input) {
      const query = validate<ListQuery>(LIST, input);
      const { items, NextToken } = page(
        configs.values(),
        query,
        (config) => ({ name: config.EndpointConfigName, creationTime: config.CreationTime }),
        { sortBy: 'CreationTime', sortOrder: 'Descending' },
      );
      return {
        EndpointConfigs: items.map((config) => ({
          EndpointConfigName: config.EndpointConfigName,
          EndpointConfigArn: config.EndpointConfigArn,
          CreationTime: config.CreationTime,
        })),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  };
}
