/**
 * CreateEndpoint, DescribeEndpoint, UpdateEndpoint, UpdateEndpointWeightsAndCapacities,
 * DeleteEndpoint, ListEndpoints. The calls answer at once; the endpoint deployer does the work.
 */
import { arnOf } from '../arns.ts';
import { ValidationException } from '../errors.ts';
import type { EndpointDeployer } from '../jobs/endpoint-deployer.ts';
import { DEPLOYMENT_CONFIG, type TrafficPlan, trafficPlan } from '../jobs/traffic-plan.ts';
import { type ListQuery, page } from '../listing.ts';
import type {
  DeploymentConfigRecord,
  EndpointConfigRecord,
  EndpointRecord,
  Operation,
  ServiceContext,
  Tag,
  VariantStateRecord,
} from '../types.ts';
import { ENTITY_NAME, listRequest, OPAQUE, TAGS } from '../validation/common.ts';
import { bool, float, int, list, oneOf, struct, timestamp, validate } from '../validation/shapes.ts';
import { endpointConfigNotFound } from './endpoint-configs.ts';
import { modelNotFound } from './models.ts';

const CREATE = struct(
  { EndpointName: ENTITY_NAME, EndpointConfigName: ENTITY_NAME, DeploymentConfig: OPAQUE, Tags: TAGS },
  ['EndpointName', 'EndpointConfigName'],
);
const UPDATE = struct(
  {
    EndpointName: ENTITY_NAME,
    EndpointConfigName: ENTITY_NAME,
    RetainAllVariantProperties: bool,
    ExcludeRetainedVariantProperties: OPAQUE,
    DeploymentConfig: DEPLOYMENT_CONFIG,
    RetainDeploymentConfig: bool,
  },
  ['EndpointName', 'EndpointConfigName'],
);
const WEIGHTS = struct(
  {
    EndpointName: ENTITY_NAME,
    DesiredWeightsAndCapacities: list(
      struct(
        {
          VariantName: ENTITY_NAME,
          DesiredWeight: float({ min: 0 }),
          DesiredInstanceCount: int({ min: 0 }),
          ServerlessUpdateConfig: OPAQUE,
        },
        ['VariantName'],
      ),
      { min: 1 },
    ),
  },
  ['EndpointName', 'DesiredWeightsAndCapacities'],
);
const NAME_ONLY = struct({ EndpointName: ENTITY_NAME }, ['EndpointName']);
const ENDPOINT_STATUS = oneOf([
  'OutOfService',
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'InService',
  'Deleting',
  'Failed',
  'UpdateRollbackFailed',
]);
const LIST = listRequest(['Name', 'CreationTime', 'Status'], {
  StatusEquals: ENDPOINT_STATUS,
  LastModifiedTimeAfter: timestamp,
  LastModifiedTimeBefore: timestamp,
});

interface WeightsInput {
  EndpointName: string;
  DesiredWeightsAndCapacities: {
    VariantName: string;
    DesiredWeight?: number;
    DesiredInstanceCount?: number;
  }[];
}

function variantSummary(variant: VariantStateRecord, since: number) {
  return {
    VariantName: variant.VariantName,
    DeployedImages: [{ SpecifiedImage: variant.Image, ResolvedImage: variant.Image, ResolutionTime: since }],
    CurrentWeight: variant.CurrentWeight,
    DesiredWeight: variant.DesiredWeight,
    CurrentInstanceCount: variant.CurrentInstanceCount,
    DesiredInstanceCount: variant.DesiredInstanceCount,
    ...('VariantStatus' in variant ? { VariantStatus: variant.VariantStatus } : {}),
  };
}

function pendingSummary(endpoint: EndpointRecord): Record<string, unknown> | undefined {
  const pending = endpoint.PendingDeployment;
  if (pending)
    return {
      PendingDeploymentSummary: {
        EndpointConfigName: pending.EndpointConfigName,
        ProductionVariants: pending.Variants.map((variant) => variantSummary(variant, pending.StartTime)),
        StartTime: pending.StartTime,
      },
    };
  if (endpoint.PendingEndpointConfigName)
    return { PendingDeploymentSummary: { EndpointConfigName: endpoint.PendingEndpointConfigName } };
  return undefined;
}

export function describeEndpoint(endpoint: EndpointRecord): Record<string, unknown> {
  const capture = endpoint.DataCaptureConfig;
  return {
    EndpointName: endpoint.EndpointName,
    EndpointArn: endpoint.EndpointArn,
    EndpointConfigName: endpoint.EndpointConfigName,
    ...(endpoint.Variants.length
      ? {
          ProductionVariants: endpoint.Variants.map((variant) =>
            variantSummary(variant, endpoint.CreationTime),
          ),
        }
      : {}),
    ...(capture
      ? {
          DataCaptureConfig: {
            EnableCapture: capture.EnableCapture !== false,
            CaptureStatus: capture.EnableCapture === false ? 'Stopped' : 'Started',
            CurrentSamplingPercentage: capture.InitialSamplingPercentage,
            DestinationS3Uri: capture.DestinationS3Uri,
            ...(capture.KmsKeyId ? { KmsKeyId: capture.KmsKeyId } : {}),
          },
        }
      : {}),
    EndpointStatus: endpoint.EndpointStatus,
    ...(endpoint.FailureReason ? { FailureReason: endpoint.FailureReason } : {}),
    ...pendingSummary(endpoint),
    ...(endpoint.LastDeploymentConfig ? { LastDeploymentConfig: endpoint.LastDeploymentConfig } : {}),
    CreationTime: endpoint.CreationTime,
    LastModifiedTime: endpoint.LastModifiedTime,
  };
}

export function endpointOperations(
  context: ServiceContext,
  deployer: EndpointDeployer,
): Record<string, Operation> {
  const endpoints = context.tables.endpoints;
  const notFound = (name: string) =>
    new ValidationException(`Could not find endpoint "${arnOf(context.region, 'endpoint', name)}".`);
  const existing = (name: string) => {
    const endpoint = endpoints.get(name);
    if (!endpoint) throw notFound(name);
    return endpoint;
  };
  const inService = (endpoint: EndpointRecord) => {
    if (endpoint.EndpointStatus !== 'InService')
      throw new ValidationException(`Cannot update in-progress endpoint "${endpoint.EndpointArn}".`);
  };
  /** The config, with every model it names (SageMaker checks both when the call is made). */
  const configFor = (name: string): EndpointConfigRecord => {
    const config = context.tables.endpointConfigs.get(name);
    if (!config) throw endpointConfigNotFound(context, name);
    for (const variant of config.ProductionVariants)
      if (!context.tables.models.has(variant.ModelName)) throw modelNotFound(context, variant.ModelName);
    return config;
  };

  return {
    CreateEndpoint(input) {
      const request = validate<{ EndpointName: string; EndpointConfigName: string; Tags?: Tag[] }>(
        CREATE,
        input,
      );
      const arn = arnOf(context.region, 'endpoint', request.EndpointName);
      if (endpoints.has(request.EndpointName))
        throw new ValidationException(`Cannot create already existing endpoint "${arn}".`);
      const config = configFor(request.EndpointConfigName);
      const now = context.seconds();
      const endpoint: EndpointRecord = {
        EndpointName: request.EndpointName,
        EndpointArn: arn,
        EndpointConfigName: config.EndpointConfigName,
        EndpointStatus: 'Creating',
        Variants: [],
        ...(config.DataCaptureConfig ? { DataCaptureConfig: config.DataCaptureConfig } : {}),
        CreationTime: now,
        LastModifiedTime: now,
        Tags: request.Tags ?? [],
      };
      endpoints.put(endpoint.EndpointName, endpoint);
      deployer.create(endpoint, config);
      return { EndpointArn: arn };
    },

    DescribeEndpoint(input) {
      const { EndpointName } = validate<{ EndpointName: string }>(NAME_ONLY, input);
      return describeEndpoint(existing(EndpointName));
    },

    UpdateEndpoint(input) {
      const request = validate<{
        EndpointName: string;
        EndpointConfigName: string;
        RetainAllVariantProperties?: boolean;
        DeploymentConfig?: DeploymentConfigRecord;
        RetainDeploymentConfig?: boolean;
      }>(UPDATE, input);
      const endpoint = existing(request.EndpointName);
      inService(endpoint);
      const config = configFor(request.EndpointConfigName);
      const deployment =
        request.DeploymentConfig ??
        (request.RetainDeploymentConfig ? endpoint.LastDeploymentConfig : undefined);
      let plan: TrafficPlan | undefined;
      if (deployment) {
        plan = trafficPlan(deployment, config);
        if (!deployer.staging)
          throw new ValidationException(
            'This local SageMaker was started with an endpoint hosting that cannot load a new fleet beside the old one: UpdateEndpoint with a DeploymentConfig is not available.',
          );
        endpoint.LastDeploymentConfig = deployment;
      }
      endpoint.EndpointStatus = 'Updating';
      endpoint.PendingEndpointConfigName = config.EndpointConfigName;
      endpoint.LastModifiedTime = context.seconds();
      endpoints.save();
      deployer.update(endpoint, config, request.RetainAllVariantProperties === true, plan);
      return { EndpointArn: endpoint.EndpointArn };
    },

    UpdateEndpointWeightsAndCapacities(input) {
      const request = validate<WeightsInput>(WEIGHTS, input);
      const endpoint = existing(request.EndpointName);
      inService(endpoint);
      const variants = new Map(
        endpoint.Variants.map((variant) => [variant.VariantName.toLowerCase(), variant]),
      );
      for (const desired of request.DesiredWeightsAndCapacities) {
        if (!variants.has(desired.VariantName.toLowerCase()))
          throw new ValidationException(
            `The variant ${desired.VariantName} is not present in endpoint "${endpoint.EndpointArn}".`,
          );
        if (desired.DesiredWeight === undefined && desired.DesiredInstanceCount === undefined) {
          throw new ValidationException(
            `Variant ${desired.VariantName}: give a DesiredWeight, a DesiredInstanceCount or both.`,
          );
        }
      }
      const weightOf = (name: string) =>
        request.DesiredWeightsAndCapacities.find((d) => d.VariantName.toLowerCase() === name.toLowerCase());
      const total = endpoint.Variants.reduce(
        (sum, variant) => sum + (weightOf(variant.VariantName)?.DesiredWeight ?? variant.CurrentWeight),
        0,
      );
      if (total <= 0) throw new ValidationException('The sum of the variant weights must be greater than 0.');
      for (const variant of endpoint.Variants) {
        const desired = weightOf(variant.VariantName);
        variant.DesiredWeight = desired?.DesiredWeight ?? variant.CurrentWeight;
        variant.DesiredInstanceCount = desired?.DesiredInstanceCount ?? variant.CurrentInstanceCount;
      }
      endpoint.EndpointStatus = 'Updating';
      endpoint.LastModifiedTime = context.seconds();
      endpoints.save();
      deployer.reweight(endpoint);
      return { EndpointArn: endpoint.EndpointArn };
    },

    DeleteEndpoint(input) {
      const { EndpointName } = validate<{ EndpointName: string }>(NAME_ONLY, input);
      const endpoint = existing(EndpointName);
      if (endpoint.EndpointStatus === 'Deleting') return {};
      endpoint.EndpointStatus = 'Deleting';
      endpoint.LastModifiedTime = context.seconds();
      endpoints.save();
      deployer.delete(endpoint);
      return {};
    },

    ListEndpoints(input) {
      const query = validate<ListQuery>(LIST, input);
      const { items, NextToken } = page(
        endpoints.values(),
        query,
        (endpoint) => ({
          name: endpoint.EndpointName,
          creationTime: endpoint.CreationTime,
          lastModifiedTime: endpoint.LastModifiedTime,
          status: endpoint.EndpointStatus,
        }),
        { sortBy: 'CreationTime', sortOrder: 'Descending' },
      );
      return {
        Endpoints: items.map((endpoint) => ({
          EndpointName: endpoint.EndpointName,
          EndpointArn: endpoint.EndpointArn,
          CreationTime: endpoint.CreationTime,
          LastModifiedTime: endpoint.LastModifiedTime,
          EndpointStatus: endpoint.EndpointStatus,
        })),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  };
}
