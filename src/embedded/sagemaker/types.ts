/**
 * Shapes of the local SageMaker: what it is built from (options, the injected TrainingRunner and
 * EndpointHosting), what it offers (SageMakerService) and what it keeps (records.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type {
  EndpointConfigRecord,
  EndpointDeployment,
  EndpointRecord,
  ModelPackageGroupRecord,
  ModelPackageRecord,
  ModelRecord,
  TrainingJobRecord,
  TuningJobRecord,
  VariantWeight,
} from './records.ts';
import type { Table } from './store.ts';

export type * from './records.ts';

export interface SageMakerServiceOptions {
  /** Folder of the state files (one JSON file per resource kind); created when missing. */
  dataDir: string;
  /** Reads channels and artifacts (CreateTrainingJob's prefix check, CreateEndpoint's artifact check). */
  s3: S3Client;
  runner: TrainingRunner;
  hosting: EndpointHosting;
  /** Region of the ARNs and of the algorithm image that is expected; default `us-east-1`. */
  region?: string;
  /** Trainings at once (ResourceLimitExceeded beyond); default os.availableParallelism(). */
  maxConcurrentTrainingJobs?: number;
  /** Each line a training job logs, for CloudWatch Logs (`/aws/sagemaker/TrainingJobs`). */
  onTrainingLog?: (event: TrainingLogEvent) => void;
  /** Epoch milliseconds; tests pass a clock. */
  now?: () => number;
  /**
   * The states of the CloudWatch alarms a blue/green UpdateEndpoint's AutoRollbackConfiguration
   * names (a local CloudWatch supplies it). Default: no alarm is known, each is treated as OK.
   */
  alarmStates?: AlarmStateSource;
  /** How often a blue/green deployment reads its alarms while baking; default 1000 ms. */
  alarmPollIntervalMs?: number;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The state of each named alarm; a name missing from the answer is an alarm not known (as OK). */
export type AlarmStateSource = (names: readonly string[]) => Promise<Record<string, AlarmState>>;

export interface SageMakerService {
  /** Runs `action` (`CreateTrainingJob`, ...) on a parsed JSON body; throws SageMakerServiceError. */
  call(action: string, input: unknown): Promise<unknown>;
  /** The actions `call` knows, for the gateway's routing table. */
  readonly actions: readonly string[];
  /** Resolves once every change so far is on disk. */
  flush(): Promise<void>;
  /**
   * Stops the trainings in flight (they end Failed, saying why) and writes the state. Endpoints
   * stay InService in the state: the next start deploys them again.
   */
  close(): Promise<void>;
}

export interface TrainingLogEvent {
  jobName: string;
  /** `<job>/algo-1-<epoch seconds of the start>`, SageMaker's stream name. */
  logStreamName: string;
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
}

/** Runs one training of the built-in image-classification algorithm. */
export interface TrainingRunner {
  /**
   * Downloads the channels, trains, uploads `modelArtifactUri`. Reports the secondary statuses it
   * enters, its log lines and each epoch's metrics. Rejects with TrainingFailure (the message is
   * the FailureReason) or, once `signal` aborts (StopTrainingJob, MaxRuntimeInSeconds), with
   * `signal.reason`, having stopped its work.
   */
  run(job: TrainingRun, progress: TrainingProgress, signal: AbortSignal): Promise<TrainingRunResult>;
}

export type TrainingChannelName = 'train' | 'validation' | 'train_lst' | 'validation_lst';

export interface TrainingRun {
  jobName: string;
  /** Channel name -> S3 prefix URI with a trailing slash (`s3://bucket/datasets/cifar-100/train/`). */
  channels: Readonly<Partial<Record<TrainingChannelName, string>>>;
  hyperparameters: ImageClassificationHyperparameters;
  /** `<S3OutputPath>/<job>/output/model.tar.gz`. */
  modelArtifactUri: string;
  /** Cores this run may use (parallel runs of a tuning job share the machine). */
  cores: number;
  instanceType: string;
  instanceCount: number;
}

export interface TrainingProgress {
  enter(status: 'Downloading' | 'Training' | 'Uploading', message: string): void;
  log(message: string): void;
  epoch(metrics: EpochMetrics): void;
}

export interface EpochMetrics {
  /** 1-based. */
  epoch: number;
  epochs: number;
  loss: number;
  trainAccuracy: number;
  /** NaN without a validation channel. */
  validationAccuracy: number;
  seconds: number;
}

export interface TrainingRunResult {
  modelArtifactUri: string;
  /** `train:accuracy`, `validation:accuracy`, ... at the end of training. */
  finalMetrics: ReadonlyArray<{ name: string; value: number }>;
}

/** Serves the endpoints: the runtime implements it with the kit's SageMaker-runtime endpoint. */
export interface EndpointHosting {
  /**
   * Loads every variant's model and serves the endpoint with them. For an endpoint already
   * served, the new models are loaded first and swapped in at once (no request dropped), then
   * the old ones unloaded. Rejects with HostingFailure naming the variant that did not load,
   * still serving what it served before (SageMaker's rollback of a failed update).
   */
  deploy(deployment: EndpointDeployment): Promise<void>;
  /** New traffic weights between the loaded variants (UpdateEndpointWeightsAndCapacities). */
  route(endpointName: string, weights: readonly VariantWeight[]): Promise<void>;
  /** Stops serving the endpoint and unloads its models; a no-op for an endpoint not served. */
  remove(endpointName: string): Promise<void>;
  /*
   * Blue/green (UpdateEndpoint with a DeploymentConfig). A hosting without these members cannot
   * run one: such an update is refused by name.
   */
  /**
   * Loads `deployment` (the green fleet) beside what the endpoint serves (the blue fleet), taking
   * no traffic yet. Rejects like `deploy` when a model does not load, blue still serving.
   */
  stage?(deployment: EndpointDeployment): Promise<void>;
  /** The share (0..1) of the endpoint's invocations the staged (green) fleet answers. */
  shift?(endpointName: string, greenShare: number): Promise<void>;
  /** The green fleet takes every invocation and the blue one is let go (after its invocations finish). */
  promote?(endpointName: string): Promise<void>;
  /** Every invocation back to the blue fleet at once; the green one is let go. */
  discard?(endpointName: string): Promise<void>;
}

/** The image-classification algorithm's hyperparameters, parsed from their strings, defaults applied. */
export interface ImageClassificationHyperparameters {
  num_classes: number;
  num_training_samples: number;
  epochs: number;
  learning_rate: number;
  mini_batch_size: number;
  optimizer: 'sgd' | 'adam' | 'rmsprop' | 'nag';
  /** [channels, height, width]. */
  image_shape: [number, number, number];
  augmentation_type?: 'crop' | 'crop_color' | 'crop_color_transform';
  beta_1: number;
  beta_2: number;
  eps: number;
  gamma: number;
  momentum: number;
  weight_decay: number;
  lr_scheduler_factor: number;
  lr_scheduler_step?: number[];
  num_layers: number;
  use_pretrained_model: boolean;
  checkpoint_frequency?: number;
  early_stopping: boolean;
  early_stopping_min_epochs: number;
  early_stopping_patience: number;
  early_stopping_tolerance: number;
  multi_label: boolean;
  use_weighted_loss: boolean;
  precision_dtype: 'float32' | 'float16';
  resize?: number;
  top_k?: number;
  kv_store?: 'dist_sync' | 'dist_async';
  /** The names the request set (the rest are defaults), so a runner names only what was asked. */
  given: readonly string[];
}

/** The state tables of a service (store.ts), one per resource kind. */
export interface StateTables {
  trainingJobs: Table<TrainingJobRecord>;
  tuningJobs: Table<TuningJobRecord>;
  models: Table<ModelRecord>;
  endpointConfigs: Table<EndpointConfigRecord>;
  endpoints: Table<EndpointRecord>;
  modelPackageGroups: Table<ModelPackageGroupRecord>;
  modelPackages: Table<ModelPackageRecord>;
}

/** What every operation works with. */
export interface ServiceContext {
  region: string;
  /** Epoch seconds (fractional), the API's timestamps. */
  seconds(): number;
  s3: S3Client;
  tables: StateTables;
}

/** An operation: the parsed JSON body in, the JSON response out. */
export type Operation = (input: unknown) => Promise<unknown> | unknown;
