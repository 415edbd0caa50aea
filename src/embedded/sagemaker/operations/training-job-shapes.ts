/**
 * The request shapes of training jobs (CreateTrainingJob and the training job definition of a
 * tuning job), with the API reference's constraints.
 */
import instanceTypes from '../algorithm/instance-types.json' with { type: 'json' };
import {
  ARN_OR_NAME,
  ENVIRONMENT,
  KMS_KEY_ID,
  OPAQUE,
  ROLE_ARN,
  S3_URI,
  TAGS,
  TRAINING_JOB_NAME,
} from '../validation/common.ts';
import { bool, int, list, map, oneOf, type Shape, str, struct } from '../validation/shapes.ts';

export const TRAINING_INSTANCE_TYPES: readonly string[] = instanceTypes.training;

const CHANNEL = struct(
  {
    ChannelName: str({ min: 1, max: 64, pattern: '^[A-Za-z0-9\\.\\-_]+$' }),
    DataSource: struct({
      S3DataSource: struct(
        {
          S3DataType: oneOf(['ManifestFile', 'S3Prefix', 'AugmentedManifestFile', 'Converse']),
          S3Uri: S3_URI,
          S3DataDistributionType: oneOf(['FullyReplicated', 'ShardedByS3Key']),
          AttributeNames: list(str({ min: 1, max: 256, pattern: '.+' }), { max: 16 }),
          InstanceGroupNames: OPAQUE,
        },
        ['S3DataType', 'S3Uri'],
      ),
      FileSystemDataSource: OPAQUE,
      DatasetSource: OPAQUE,
    }),
    ContentType: str({ max: 256, pattern: '.*' }),
    CompressionType: oneOf(['None', 'Gzip']),
    RecordWrapperType: oneOf(['None', 'RecordIO']),
    InputMode: oneOf(['Pipe', 'File', 'FastFile']),
    ShuffleConfig: OPAQUE,
  },
  ['ChannelName', 'DataSource'],
);

export const HYPERPARAMETERS = map(str({ max: 256, pattern: '.*' }), str({ max: 2500, pattern: '.*' }), {
  max: 100,
});

const TRAINING_INPUT_MODE = oneOf(['Pipe', 'File', 'FastFile']);

/** Members a training job and a tuning job's training job definition share. */
const DEFINITION_MEMBERS: Record<string, Shape> = {
  RoleArn: ROLE_ARN,
  InputDataConfig: list(CHANNEL, { min: 1, max: 20 }),
  OutputDataConfig: struct(
    { KmsKeyId: KMS_KEY_ID, S3OutputPath: S3_URI, CompressionType: oneOf(['GZIP', 'NONE']) },
    ['S3OutputPath'],
  ),
  ResourceConfig: struct(
    {
      InstanceType: oneOf(TRAINING_INSTANCE_TYPES),
      InstanceCount: int({ min: 1 }),
      VolumeSizeInGB: int({ min: 1 }),
      VolumeKmsKeyId: KMS_KEY_ID,
      KeepAlivePeriodInSeconds: int({ min: 0, max: 21600 }),
      InstanceGroups: OPAQUE,
    },
    ['InstanceType', 'InstanceCount'],
  ),
  StoppingCondition: struct({
    MaxRuntimeInSeconds: int({ min: 1 }),
    MaxWaitTimeInSeconds: int({ min: 1 }),
    MaxPendingTimeInSeconds: int({ min: 7200, max: 2419200 }),
  }),
  VpcConfig: OPAQUE,
  EnableNetworkIsolation: bool,
  EnableInterContainerTrafficEncryption: bool,
  EnableManagedSpotTraining: bool,
  CheckpointConfig: OPAQUE,
  RetryStrategy: OPAQUE,
};

const DEFINITION_REQUIRED = [
  'AlgorithmSpecification',
  'RoleArn',
  'OutputDataConfig',
  'ResourceConfig',
  'StoppingCondition',
];

export const CREATE_TRAINING_JOB = struct(
  {
    TrainingJobName: TRAINING_JOB_NAME,
    HyperParameters: HYPERPARAMETERS,
    AlgorithmSpecification: struct(
      {
        TrainingImage: str({ max: 255, pattern: '.*' }),
        AlgorithmName: ARN_OR_NAME,
        TrainingInputMode: TRAINING_INPUT_MODE,
        MetricDefinitions: OPAQUE,
        EnableSageMakerMetricsTimeSeries: bool,
        ContainerEntrypoint: OPAQUE,
        ContainerArguments: OPAQUE,
        TrainingImageConfig: OPAQUE,
      },
      ['TrainingInputMode'],
    ),
    ...DEFINITION_MEMBERS,
    Tags: TAGS,
    DebugHookConfig: OPAQUE,
    DebugRuleConfigurations: OPAQUE,
    TensorBoardOutputConfig: OPAQUE,
    ExperimentConfig: OPAQUE,
    ProfilerConfig: OPAQUE,
    ProfilerRuleConfigurations: OPAQUE,
    Environment: ENVIRONMENT,
    RemoteDebugConfig: OPAQUE,
    InfraCheckConfig: OPAQUE,
    SessionChainingConfig: OPAQUE,
  },
  ['TrainingJobName', ...DEFINITION_REQUIRED],
);

export const TRAINING_JOB_DEFINITION = struct(
  {
    DefinitionName: str({ min: 1, max: 64, pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}' }),
    StaticHyperParameters: HYPERPARAMETERS,
    AlgorithmSpecification: struct(
      {
        TrainingImage: str({ max: 255, pattern: '.*' }),
        AlgorithmName: ARN_OR_NAME,
        TrainingInputMode: TRAINING_INPUT_MODE,
        MetricDefinitions: OPAQUE,
      },
      ['TrainingInputMode'],
    ),
    ...DEFINITION_MEMBERS,
    Environment: map(str({ max: 512 }), str({ max: 512 }), { max: 48 }),
    TuningObjective: OPAQUE,
    HyperParameterRanges: OPAQUE,
    HyperParameterTuningResourceConfig: OPAQUE,
  },
  DEFINITION_REQUIRED,
);

/** Members of the request the job keeps and echoes in DescribeTrainingJob without acting on them. */
export const ECHOED_MEMBERS = [
  'VpcConfig',
  'EnableNetworkIsolation',
  'EnableInterContainerTrafficEncryption',
  'EnableManagedSpotTraining',
  'CheckpointConfig',
  'RetryStrategy',
  'DebugHookConfig',
  'DebugRuleConfigurations',
  'TensorBoardOutputConfig',
  'ExperimentConfig',
  'ProfilerConfig',
  'ProfilerRuleConfigurations',
  'Environment',
  'RemoteDebugConfig',
  'InfraCheckConfig',
] as const;
