/**
 * What the local SageMaker keeps per resource, in the wire form of the API (member names as the
 * API spells them, timestamps in epoch seconds), so that Describe is mostly the record itself.
 * `Echo` holds the members of the create request that are kept and echoed but not acted on
 * (VpcConfig, Environment, ExperimentConfig, ...).
 */

export type Echo = Record<string, unknown>;

export interface Tag {
  Key: string;
  Value: string;
}

export type TrainingJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
export type SecondaryStatus =
  | 'Starting'
  | 'Downloading'
  | 'Training'
  | 'Uploading'
  | 'Stopping'
  | 'Stopped'
  | 'MaxRuntimeExceeded'
  | 'Completed'
  | 'Failed';

export interface SecondaryStatusTransition {
  Status: SecondaryStatus;
  StartTime: number;
  EndTime?: number;
  StatusMessage: string;
}

export interface MetricDatum {
  MetricName: string;
  Value: number;
  Timestamp: number;
}

export interface S3ChannelSource {
  S3DataType: string;
  S3Uri: string;
  S3DataDistributionType?: string;
}

export interface ChannelRecord {
  ChannelName: string;
  DataSource: { S3DataSource?: S3ChannelSource } & Echo;
  ContentType?: string;
  CompressionType?: string;
  RecordWrapperType?: string;
  InputMode?: string;
}

export interface TrainingJobRecord {
  TrainingJobName: string;
  TrainingJobArn: string;
  TuningJobArn?: string;
  AlgorithmSpecification: { TrainingImage: string; TrainingInputMode: string } & Echo;
  RoleArn: string;
  HyperParameters: Record<string, string>;
  InputDataConfig: ChannelRecord[];
  OutputDataConfig: { S3OutputPath: string } & Echo;
  ResourceConfig: { InstanceType: string; InstanceCount: number; VolumeSizeInGB: number } & Echo;
  StoppingCondition: { MaxRuntimeInSeconds: number } & Echo;
  TrainingJobStatus: TrainingJobStatus;
  SecondaryStatus: SecondaryStatus;
  FailureReason?: string;
  ModelArtifacts?: { S3ModelArtifacts: string };
  CreationTime: number;
  TrainingStartTime?: number;
  TrainingEndTime?: number;
  LastModifiedTime: number;
  SecondaryStatusTransitions: SecondaryStatusTransition[];
  FinalMetricDataList: MetricDatum[];
  TrainingTimeInSeconds?: number;
  BillableTimeInSeconds?: number;
  Echo: Echo;
  Tags: Tag[];
}

export interface ContainerRecord {
  Image?: string;
  ModelDataUrl?: string;
  Environment?: Record<string, string>;
  [member: string]: unknown;
}

export interface ModelRecord {
  ModelName: string;
  ModelArn: string;
  PrimaryContainer?: ContainerRecord;
  Containers?: ContainerRecord[];
  ExecutionRoleArn?: string;
  CreationTime: number;
  Echo: Echo;
  Tags: Tag[];
}

export interface ProductionVariantRecord {
  VariantName: string;
  ModelName: string;
  InitialInstanceCount?: number;
  InstanceType?: string;
  InitialVariantWeight?: number;
  ServerlessConfig?: { MemorySizeInMB: number; MaxConcurrency: number } & Echo;
  [member: string]: unknown;
}

export interface DataCaptureConfigRecord {
  EnableCapture?: boolean;
  InitialSamplingPercentage: number;
  DestinationS3Uri: string;
  KmsKeyId?: string;
  CaptureOptions: { CaptureMode: 'Input' | 'Output' | 'InputAndOutput' }[];
  CaptureContentTypeHeader?: { CsvContentTypes?: string[]; JsonContentTypes?: string[] };
}

export interface EndpointConfigRecord {
  EndpointConfigName: string;
  EndpointConfigArn: string;
  ProductionVariants: ProductionVariantRecord[];
  DataCaptureConfig?: DataCaptureConfigRecord;
  KmsKeyId?: string;
  CreationTime: number;
  Echo: Echo;
  Tags: Tag[];
}

export type EndpointStatus = 'Creating' | 'Updating' | 'RollingBack' | 'InService' | 'Deleting' | 'Failed';

/** A stage of a variant in a blue/green deployment (ProductionVariantStatus). */
export interface VariantStatusRecord {
  Status: 'Creating' | 'Updating' | 'Deleting' | 'ActivatingTraffic' | 'Baking';
  StatusMessage: string;
  StartTime: number;
}

/** CapacitySize: a canary or linear step, in instances of the new fleet or a percent of it. */
export interface CapacitySizeRecord {
  Type: 'INSTANCE_COUNT' | 'CAPACITY_PERCENT';
  Value: number;
}

/** UpdateEndpoint's DeploymentConfig, as given (the blue/green members the local SageMaker runs). */
export interface DeploymentConfigRecord {
  BlueGreenUpdatePolicy?: {
    TrafficRoutingConfiguration: {
      Type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
      WaitIntervalInSeconds: number;
      CanarySize?: CapacitySizeRecord;
      LinearStepSize?: CapacitySizeRecord;
    };
    TerminationWaitInSeconds?: number;
    MaximumExecutionTimeoutInSeconds?: number;
  };
  AutoRollbackConfiguration?: { Alarms?: { AlarmName: string }[] };
  RollingUpdatePolicy?: Echo;
}

/** A blue/green deployment under way: the new (green) fleet and the stage of each of its variants. */
export interface PendingDeploymentRecord {
  EndpointConfigName: string;
  StartTime: number;
  Variants: (VariantStateRecord & { VariantStatus: VariantStatusRecord[] })[];
}

export interface VariantStateRecord {
  VariantName: string;
  ModelName: string;
  Image: string;
  CurrentWeight: number;
  DesiredWeight: number;
  CurrentInstanceCount: number;
  DesiredInstanceCount: number;
}

export interface EndpointRecord {
  EndpointName: string;
  EndpointArn: string;
  /** The config being served (after an update: the new one once it is in service). */
  EndpointConfigName: string;
  /** While Updating: the config being deployed. */
  PendingEndpointConfigName?: string;
  /** While a blue/green deployment runs: its green fleet and stages (PendingDeploymentSummary). */
  PendingDeployment?: PendingDeploymentRecord;
  /** The DeploymentConfig of the last UpdateEndpoint that gave one (LastDeploymentConfig). */
  LastDeploymentConfig?: DeploymentConfigRecord;
  EndpointStatus: EndpointStatus;
  FailureReason?: string;
  /** The variants served; empty until the endpoint is first in service. */
  Variants: VariantStateRecord[];
  DataCaptureConfig?: DataCaptureConfigRecord;
  /**
   * What the hosting serves, kept whole: the config and models may be deleted while the endpoint
   * serves them (as on AWS), and a restart deploys this again.
   */
  Deployment?: EndpointDeployment;
  CreationTime: number;
  LastModifiedTime: number;
  Tags: Tag[];
}

export type ModelApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

export interface ModelPackageGroupRecord {
  ModelPackageGroupName: string;
  ModelPackageGroupArn: string;
  ModelPackageGroupDescription?: string;
  CreationTime: number;
  /** Versions handed out so far (deleted ones included): the next is this plus one. */
  LatestVersion: number;
  Tags: Tag[];
}

export interface ModelPackageRecord {
  ModelPackageName: string;
  ModelPackageArn: string;
  ModelPackageGroupName?: string;
  ModelPackageVersion?: number;
  ModelPackageDescription?: string;
  ModelApprovalStatus?: ModelApprovalStatus;
  ApprovalDescription?: string;
  CustomerMetadataProperties?: Record<string, string>;
  InferenceSpecification?: Echo;
  CreationTime: number;
  LastModifiedTime?: number;
  Echo: Echo;
  Tags: Tag[];
}

export type TuningJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export interface ParameterRangesRecord {
  IntegerParameterRanges?: { Name: string; MinValue: string; MaxValue: string; ScalingType?: string }[];
  ContinuousParameterRanges?: { Name: string; MinValue: string; MaxValue: string; ScalingType?: string }[];
  CategoricalParameterRanges?: { Name: string; Values: string[] }[];
}

export interface TuningJobRecord {
  HyperParameterTuningJobName: string;
  HyperParameterTuningJobArn: string;
  HyperParameterTuningJobConfig: {
    Strategy: 'Bayesian' | 'Random' | 'Hyperband' | 'Grid';
    HyperParameterTuningJobObjective?: { Type: 'Maximize' | 'Minimize'; MetricName: string };
    ResourceLimits: {
      MaxNumberOfTrainingJobs?: number;
      MaxParallelTrainingJobs: number;
      MaxRuntimeInSeconds?: number;
    };
    ParameterRanges?: ParameterRangesRecord;
    RandomSeed?: number;
  } & Echo;
  /** The training job definition as given (a HyperParameterTrainingJobDefinition). */
  TrainingJobDefinition: {
    StaticHyperParameters?: Record<string, string>;
    AlgorithmSpecification: { TrainingImage?: string; TrainingInputMode: string } & Echo;
  } & Echo;
  HyperParameterTuningJobStatus: TuningJobStatus;
  FailureReason?: string;
  CreationTime: number;
  HyperParameterTuningEndTime?: number;
  LastModifiedTime: number;
  /** The training jobs launched, in order, with the values the tuning chose for them. */
  Trainings: { TrainingJobName: string; TunedHyperParameters: Record<string, string> }[];
  Echo: Echo;
  Tags: Tag[];
}

/* What EndpointHosting serves, as kept in an endpoint record. */

export interface VariantWeight {
  variantName: string;
  weight: number;
}

export interface EndpointDeployment {
  endpointName: string;
  endpointConfigName: string;
  variants: VariantDeployment[];
  dataCapture?: CaptureSettings;
}

export interface VariantDeployment {
  variantName: string;
  modelName: string;
  image: string;
  /** `s3://.../model.tar.gz` of the model's container. */
  modelDataUrl: string;
  environment: Readonly<Record<string, string>>;
  weight: number;
  instanceCount: number;
  instanceType?: string;
  serverless?: { memorySizeInMB: number; maxConcurrency: number };
}

export interface CaptureSettings {
  enabled: boolean;
  samplingPercentage: number;
  /** `s3://bucket/prefix`: captures go to `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/`. */
  destinationS3Uri: string;
  captureInput: boolean;
  captureOutput: boolean;
  /** Content types captured as text (CSV or JSON); others are base64. */
  csvContentTypes: readonly string[];
  jsonContentTypes: readonly string[];
}

export type Optimizer = 'sgd' | 'adam' | 'rmsprop' | 'nag';
export type AugmentationType = 'crop' | 'crop_color' | 'crop_color_transform';
