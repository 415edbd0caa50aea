/** The request shapes of the model registry's model packages, with the API reference's constraints. */
import {
  ARN_OR_NAME,
  DESCRIPTION,
  ENVIRONMENT,
  IMAGE,
  listRequest,
  MODEL_DATA_URL,
  OPAQUE,
  S3_URI,
  TAGS,
  VERSIONED_ARN_OR_NAME,
} from '../validation/common.ts';
import { bool, list, map, oneOf, str, struct } from '../validation/shapes.ts';

const APPROVAL = oneOf(['Approved', 'Rejected', 'PendingManualApproval']);
const PACKAGE_NAME = str({ min: 1, max: 63, pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}' });
const METRICS_SOURCE = struct(
  { ContentType: str({ max: 256, pattern: '.*' }), ContentDigest: OPAQUE, S3Uri: S3_URI },
  ['ContentType', 'S3Uri'],
);
const STATISTICS_AND_CONSTRAINTS = struct({ Statistics: METRICS_SOURCE, Constraints: METRICS_SOURCE });
const INFERENCE_SPECIFICATION = struct(
  {
    Containers: list(
      struct({
        ContainerHostname: OPAQUE,
        Image: IMAGE,
        ImageDigest: str({ max: 72, pattern: '^[Ss][Hh][Aa]256:[0-9a-fA-F]{64}$' }),
        ModelDataUrl: MODEL_DATA_URL,
        ModelDataSource: OPAQUE,
        ProductId: OPAQUE,
        Environment: ENVIRONMENT,
        ModelInput: OPAQUE,
        Framework: str(),
        FrameworkVersion: str({ min: 3, max: 10, pattern: '^[0-9]\\.[A-Za-z0-9.-]+$' }),
        NearestModelName: str(),
        AdditionalS3DataSource: OPAQUE,
      }),
      { min: 1, max: 15 },
    ),
    SupportedTransformInstanceTypes: list(str(), { min: 1 }),
    SupportedRealtimeInferenceInstanceTypes: list(str()),
    SupportedContentTypes: list(str({ max: 256, pattern: '.*' })),
    SupportedResponseMIMETypes: list(str({ max: 1024, pattern: '^[-\\w]+\\/.+$' })),
  },
  ['Containers'],
);
const METADATA = map(
  str({ min: 1, max: 128, pattern: '^([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)$' }),
  str({ max: 256 }),
  {
    min: 1,
    max: 50,
  },
);

export const CREATE_MODEL_PACKAGE = struct({
  ModelPackageName: PACKAGE_NAME,
  ModelPackageGroupName: ARN_OR_NAME,
  ModelPackageDescription: DESCRIPTION,
  InferenceSpecification: INFERENCE_SPECIFICATION,
  ValidationSpecification: OPAQUE,
  SourceAlgorithmSpecification: OPAQUE,
  CertifyForMarketplace: bool,
  Tags: TAGS,
  ModelApprovalStatus: APPROVAL,
  MetadataProperties: OPAQUE,
  ModelMetrics: struct({
    ModelQuality: STATISTICS_AND_CONSTRAINTS,
    ModelDataQuality: STATISTICS_AND_CONSTRAINTS,
    Bias: struct({
      Report: METRICS_SOURCE,
      PreTrainingReport: METRICS_SOURCE,
      PostTrainingReport: METRICS_SOURCE,
    }),
    Explainability: struct({ Report: METRICS_SOURCE }),
  }),
  ClientToken: str({ min: 1, max: 36, pattern: '^[a-zA-Z0-9-]+$' }),
  Domain: str(),
  Task: str(),
  SamplePayloadUrl: S3_URI,
  CustomerMetadataProperties: METADATA,
  DriftCheckBaselines: OPAQUE,
  AdditionalInferenceSpecifications: OPAQUE,
  SkipModelValidation: oneOf(['All', 'None']),
  SourceUri: str({ max: 1024 }),
  SecurityConfig: OPAQUE,
  ModelCard: OPAQUE,
  ModelLifeCycle: OPAQUE,
  ModelPackageRegistrationType: oneOf(['Logged', 'Registered']),
});
export const UPDATE_MODEL_PACKAGE = struct(
  {
    ModelPackageArn: str({
      min: 1,
      max: 2048,
      pattern: '^arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]{9,16}:[0-9]{12}:model-package/[\\S]{1,2048}$',
    }),
    ModelApprovalStatus: APPROVAL,
    ApprovalDescription: str({ max: 1024, pattern: '.*' }),
    CustomerMetadataProperties: METADATA,
    CustomerMetadataPropertiesToRemove: list(str({ min: 1, max: 128 })),
    AdditionalInferenceSpecificationsToAdd: OPAQUE,
    InferenceSpecification: INFERENCE_SPECIFICATION,
    SourceUri: str({ max: 1024 }),
    ModelCard: OPAQUE,
    ModelLifeCycle: OPAQUE,
    ClientToken: OPAQUE,
    ModelPackageRegistrationType: oneOf(['Logged', 'Registered']),
  },
  ['ModelPackageArn'],
);
export const MODEL_PACKAGE_NAME_ONLY = struct({ ModelPackageName: VERSIONED_ARN_OR_NAME }, [
  'ModelPackageName',
]);
export const LIST_MODEL_PACKAGES = listRequest(['Name', 'CreationTime'], {
  ModelApprovalStatus: APPROVAL,
  ModelPackageGroupName: ARN_OR_NAME,
  ModelPackageType: oneOf(['Versioned', 'Unversioned', 'Both']),
});
