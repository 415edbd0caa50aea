/** CreateModel, DescribeModel, DeleteModel, ListModels. */
import { algorithmImageRegion, unsupportedImageMessage } from '../algorithm/image-uris.ts';
import { arnOf } from '../arns.ts';
import { ValidationException } from '../errors.ts';
import { type ListQuery, page } from '../listing.ts';
import { findModelPackage } from '../model-package-lookup.ts';
import type { ContainerRecord, Echo, ModelRecord, Operation, ServiceContext, Tag } from '../types.ts';
import {
  ENVIRONMENT,
  IMAGE,
  listRequest,
  MODEL_DATA_URL,
  MODEL_NAME,
  OPAQUE,
  ROLE_ARN,
  TAGS,
  VERSIONED_ARN_OR_NAME,
} from '../validation/common.ts';
import { bool, list, oneOf, str, struct, validate } from '../validation/shapes.ts';

const CONTAINER = struct({
  ContainerHostname: str({ max: 63, pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}' }),
  Image: IMAGE,
  ImageConfig: OPAQUE,
  Mode: oneOf(['SingleModel', 'MultiModel']),
  ModelDataUrl: MODEL_DATA_URL,
  ModelDataSource: OPAQUE,
  AdditionalModelDataSources: OPAQUE,
  Environment: ENVIRONMENT,
  ModelPackageName: VERSIONED_ARN_OR_NAME,
  InferenceSpecificationName: str({ min: 1, max: 63, pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}' }),
  MultiModelConfig: OPAQUE,
});

const CREATE = struct(
  {
    ModelName: MODEL_NAME,
    PrimaryContainer: CONTAINER,
    Containers: list(CONTAINER, { max: 15 }),
    InferenceExecutionConfig: OPAQUE,
    ExecutionRoleArn: ROLE_ARN,
    Tags: TAGS,
    VpcConfig: OPAQUE,
    EnableNetworkIsolation: bool,
  },
  ['ModelName'],
);
const NAME_ONLY = struct({ ModelName: MODEL_NAME }, ['ModelName']);
const LIST = listRequest(['Name', 'CreationTime']);

interface CreateModelInput {
  ModelName: string;
  PrimaryContainer?: ContainerRecord;
  Containers?: ContainerRecord[];
  ExecutionRoleArn?: string;
  Tags?: Tag[];
  [member: string]: unknown;
}

export function modelNotFound(context: ServiceContext, name: string): ValidationException {
  return new ValidationException(`Could not find model "${arnOf(context.region, 'model', name)}".`);
}

function checkContainers(context: ServiceContext, request: CreateModelInput): void {
  const containers = request.PrimaryContainer ? [request.PrimaryContainer] : (request.Containers ?? []);
  if (request.PrimaryContainer && request.Containers?.length)
    throw new ValidationException('Only one of PrimaryContainer and Containers may be given.');
  if (containers.length === 0)
    throw new ValidationException('Either PrimaryContainer or Containers must be given.');
  if (containers.length > 1) {
    throw new ValidationException(
      `The local SageMaker serves single-container models; Containers lists ${containers.length} (an inference pipeline).`,
    );
  }
  const container = containers[0] as ContainerRecord;
  if (typeof container.ModelPackageName === 'string') {
    const modelPackage = findModelPackage(context, container.ModelPackageName);
    if (!modelPackage)
      throw new ValidationException(`ModelPackage ${container.ModelPackageName} does not exist.`);
    if (modelPackage.ModelPackageVersion !== undefined && modelPackage.ModelApprovalStatus !== 'Approved') {
      throw new ValidationException(
        `Model package ${modelPackage.ModelPackageArn} is ${modelPackage.ModelApprovalStatus}: only Approved versions can be deployed.`,
      );
    }
    return; // its container's image is checked when it is deployed
  }
  if (typeof container.Image !== 'string')
    throw new ValidationException('The container must give an Image (or a ModelPackageName).');
  if (!algorithmImageRegion(container.Image))
    throw new ValidationException(unsupportedImageMessage('Image', container.Image, context.region));
}

export function modelOperations(context: ServiceContext): Record<string, Operation> {
  const models = context.tables.models;
  return {
    CreateModel(input) {
      const request = validate<CreateModelInput>(CREATE, input);
      const name = request.ModelName;
      const arn = arnOf(context.region, 'model', name);
      if (models.has(name)) throw new ValidationException(`Cannot create already existing model "${arn}".`);
      checkContainers(context, request);
      const { ModelName, PrimaryContainer, Containers, ExecutionRoleArn, Tags, ...rest } = request;
      const model: ModelRecord = {
        ModelName,
        ModelArn: arn,
        ...(PrimaryContainer ? { PrimaryContainer } : {}),
        ...(Containers ? { Containers } : {}),
        ...(ExecutionRoleArn ? { ExecutionRoleArn } : {}),
        CreationTime: context.seconds(),
        Echo: { EnableNetworkIsolation: false, ...(rest as Echo) },
        Tags: Tags ?? [],
      };
      models.put(name, model);
      return { ModelArn: arn };
    },

    DescribeModel(input) {
      const { ModelName } = validate<{ ModelName: string }>(NAME_ONLY, input);
      const model = models.get(ModelName);
      if (!model) throw modelNotFound(context, ModelName);
      const { Echo: echo, Tags: _tags, ...described } = model;
      return { ...echo, ...described };
    },

    DeleteModel(input) {
      const { ModelName } = validate<{ ModelName: string }>(NAME_ONLY, input);
      if (!models.has(ModelName)) throw modelNotFound(context, ModelName);
      models.delete(ModelName);
      return {};
    },

    ListModels(input) {
      const query = validate<ListQuery>(LIST, input);
      const { items, NextToken } = page(
        models.values(),
        query,
        (model) => ({ name: model.ModelName, creationTime: model.CreationTime }),
        { sortBy: 'CreationTime', sortOrder: 'Descending' },
      );
      return {
        Models: items.map((model) => ({
          ModelName: model.ModelName,
          ModelArn: model.ModelArn,
          CreationTime: model.CreationTime,
        })),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  };
}
