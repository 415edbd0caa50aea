/**
 * The SageMaker requests of a promotion, built from the options alone (pure, so the plan, the
 * apply step and the tests share them). Names carry a fingerprint of what they were made from:
 * the same settings find the same resources again (idempotent), other settings make new ones.
 */
import { createHash } from 'node:crypto';
import type {
  Channel,
  CreateEndpointConfigCommandInput,
  CreateHyperParameterTuningJobCommandInput,
  CreateModelCommandInput,
  CreateTrainingJobCommandInput,
  ProductionVariant,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { DEFAULT_PREFIX } from '../../training/stage.ts';
import { manifestKey, normalizePrefix } from '../../training/staged-layout.ts';
import { kitTags } from '../deploy/index.ts';
import { retrainingNames } from '../workflow/names.ts';
import { algorithmImageUri } from './algorithm-image.ts';
import type { ResolvedPromoteOptions } from './options.ts';
import type { PromotionTarget } from './target.ts';

/** Channels of the built-in algorithm's image format (`application/x-image` with .lst manifests). */
export const CHANNELS = ['train', 'validation', 'train_lst', 'validation_lst'] as const;
export type ChannelName = (typeof CHANNELS)[number];
/** Where staging puts the dataset (training/stage.ts's default layout). */
export const DATA_PREFIX = normalizePrefix(DEFAULT_PREFIX);
export const TEST_PREFIX = `${DATA_PREFIX}test/`;
export const TRAIN_MANIFEST_KEY = manifestKey(DATA_PREFIX, 'train');
export const MODEL_OUTPUT_PREFIX = 'models/';
export const VARIANT_NAME = 'AllTraffic';
/** The classifier's input: 32x32 RGB, two classes (bicycle, motorcycle). */
export const IMAGE_SHAPE = '3,32,32';
export const NUM_CLASSES = 2;
export const TUNING_OBJECTIVE = { Type: 'Maximize', MetricName: 'validation:accuracy' } as const;

export function sagemakerTags(stage: string): Tag[] {
  return Object.entries(kitTags(stage)).map(([Key, Value]) => ({ Key, Value }));
}

export function fingerprint(value: unknown, length = 8): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, length);
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

export function channelUri(bucket: string, channel: ChannelName): string {
  return s3Uri(bucket, `${DATA_PREFIX}${channel}/`);
}

/** Hyperparameters as SageMaker takes them (strings). num_training_samples comes from the staged manifest. */
export function hyperParameters(
  options: ResolvedPromoteOptions,
  numTrainingSamples: number,
): Record<string, string> {
  return {
    image_shape: IMAGE_SHAPE,
    num_classes: String(NUM_CLASSES),
    num_training_samples: String(numTrainingSamples),
    epochs: String(options.epochs),
    learning_rate: String(options.learningRate),
    mini_batch_size: String(options.miniBatchSize),
    use_pretrained_model: options.usePretrainedModel ? '1' : '0',
    augmentation_type: options.augmentationType,
  };
}

function channel(bucket: string, name: ChannelName): Channel {
  return {
    ChannelName: name,
    ContentType: 'application/x-image',
    InputMode: 'File',
    DataSource: {
      S3DataSource: {
        S3DataType: 'S3Prefix',
        S3Uri: channelUri(bucket, name),
        S3DataDistributionType: 'FullyReplicated',
      },
    },
  };
}

/** What a training run is made of; its fingerprint names the job (and the model made from it). */
function trainingIdentity(options: ResolvedPromoteOptions, target: PromotionTarget) {
  return {
    image: algorithmImageUri(target.region),
    instance: options.trainingInstanceType,
    data: options.dataSource ?? 'shipped-subset',
    bucket: target.bucket,
    hyperparameters: { ...hyperParameters(options, 0), num_training_samples: undefined },
    tune: options.tune ? { jobs: options.maxTuningJobs, parallel: options.maxParallelTuningJobs } : false,
  };
}

export interface PromotionNames {
  prefix: string;
  sagemakerRole: string;
  /** Training job, or tuning job with --tune; a suffix -2, -3... follows when a failed attempt holds the name. */
  trainingJobBase: string;
  tuningJobBase: string;
  model: string;
  endpointConfig: string;
  endpoint: string;
}

export function promotionNames(options: ResolvedPromoteOptions, target: PromotionTarget): PromotionNames {
  const prefix = `scones-${target.stage}`;
  const training = fingerprint(trainingIdentity(options, target));
  const model = `${prefix}-model-${training}`;
  return {
    prefix,
    sagemakerRole: retrainingNames(target.stage).sagemakerRole,
    trainingJobBase: `${prefix}-train-${training}`,
    // Tuning-job names may have 32 characters at most.
    tuningJobBase: `${prefix}-hpo-${training.slice(0, 5)}`,
    model,
    endpointConfig: `${prefix}-config-${fingerprint({ model, variant: productionVariant(options, model), capture: dataCaptureConfig(options, target) })}`,
    endpoint: target.endpointName,
  };
}

export interface TrainingJobInput {
  options: ResolvedPromoteOptions;
  target: PromotionTarget;
  roleArn: string;
  numTrainingSamples: number;
}

function trainingDefinition({ options, target, roleArn }: TrainingJobInput) {
  return {
    AlgorithmSpecification: {
      TrainingImage: algorithmImageUri(target.region),
      TrainingInputMode: 'File' as const,
    },
    RoleArn: roleArn,
    InputDataConfig: CHANNELS.map((name) => channel(target.bucket, name)),
    OutputDataConfig: { S3OutputPath: s3Uri(target.bucket, MODEL_OUTPUT_PREFIX) },
    ResourceConfig: {
      InstanceType: options.trainingInstanceType as never,
      InstanceCount: 1,
      VolumeSizeInGB: 10,
    },
    StoppingCondition: { MaxRuntimeInSeconds: Math.round(options.maxTrainingMinutes * 60) },
  };
}

export function trainingJobRequest(input: TrainingJobInput, name: string): CreateTrainingJobCommandInput {
  return {
    TrainingJobName: name,
    ...trainingDefinition(input),
    HyperParameters: hyperParameters(input.options, input.numTrainingSamples),
    Tags: sagemakerTags(input.target.stage),
  };
}

/** Ranges from the algorithm's tuning guide (learning_rate, mini_batch_size, optimizer matter most). */
export function tuningRanges(options: ResolvedPromoteOptions) {
  return {
    ContinuousParameterRanges: [
      { Name: 'learning_rate', MinValue: '0.0001', MaxValue: '0.1', ScalingType: 'Logarithmic' as const },
    ],
    IntegerParameterRanges: [
      {
        Name: 'mini_batch_size',
        MinValue: '16',
        MaxValue: String(Math.max(64, options.miniBatchSize)),
        ScalingType: 'Auto' as const,
      },
    ],
    CategoricalParameterRanges: [{ Name: 'optimizer', Values: ['sgd', 'adam'] }],
  };
}

export function tuningJobRequest(
  input: TrainingJobInput,
  name: string,
): CreateHyperParameterTuningJobCommandInput {
  const {
    learning_rate: _tunedRate,
    mini_batch_size: _tunedBatch,
    ...staticHyperParameters
  } = hyperParameters(input.options, input.numTrainingSamples);
  return {
    HyperParameterTuningJobName: name,
    HyperParameterTuningJobConfig: {
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { ...TUNING_OBJECTIVE },
      ResourceLimits: {
        MaxNumberOfTrainingJobs: input.options.maxTuningJobs,
        MaxParallelTrainingJobs: Math.min(input.options.maxParallelTuningJobs, input.options.maxTuningJobs),
      },
      ParameterRanges: tuningRanges(input.options),
    },
    TrainingJobDefinition: { ...trainingDefinition(input), StaticHyperParameters: staticHyperParameters },
    Tags: sagemakerTags(input.target.stage),
  };
}

export function modelRequest(
  names: PromotionNames,
  target: PromotionTarget,
  roleArn: string,
  modelDataUrl: string,
): CreateModelCommandInput {
  return {
    ModelName: names.model,
    PrimaryContainer: { Image: algorithmImageUri(target.region), ModelDataUrl: modelDataUrl },
    ExecutionRoleArn: roleArn,
    Tags: sagemakerTags(target.stage),
  };
}

export function productionVariant(
  options: Pick<
    ResolvedPromoteOptions,
    | 'serverless'
    | 'serverlessMemoryMb'
    | 'serverlessMaxConcurrency'
    | 'endpointInstanceType'
    | 'endpointInstanceCount'
  >,
  modelName: string,
): ProductionVariant {
  if (options.serverless) {
    return {
      VariantName: VARIANT_NAME,
      ModelName: modelName,
      ServerlessConfig: {
        MemorySizeInMB: options.serverlessMemoryMb,
        MaxConcurrency: options.serverlessMaxConcurrency,
      },
    };
  }
  return {
    VariantName: VARIANT_NAME,
    ModelName: modelName,
    InstanceType: options.endpointInstanceType as never,
    InitialInstanceCount: options.endpointInstanceCount,
    InitialVariantWeight: 1,
  };
}

/** SageMaker's note on serverless inference lists data capture among its feature exclusions. */
export const SERVERLESS_CAPTURE_NOTE =
  'not available on serverless endpoints (a SageMaker feature exclusion): promote without --serverless to capture traffic';

/** Data capture of a real-time endpoint; undefined for serverless ones, which cannot capture. */
export function dataCaptureConfig(
  options: Pick<ResolvedPromoteOptions, 'serverless' | 'captureSamplingPercentage' | 'capturePrefix'>,
  target: Pick<PromotionTarget, 'bucket'>,
) {
  if (options.serverless) return undefined;
  return {
    EnableCapture: true,
    InitialSamplingPercentage: options.captureSamplingPercentage,
    DestinationS3Uri: s3Uri(target.bucket, options.capturePrefix.replace(/\/$/, '')),
    CaptureOptions: [{ CaptureMode: 'Input' as const }, { CaptureMode: 'Output' as const }],
    // The endpoint answers JSON: captured as text; the PNG input stays base64.
    CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
  };
}

export function endpointConfigRequest(
  options: ResolvedPromoteOptions,
  names: PromotionNames,
  target: PromotionTarget,
): CreateEndpointConfigCommandInput {
  return {
    EndpointConfigName: names.endpointConfig,
    ProductionVariants: [productionVariant(options, names.model)],
    ...(options.serverless ? {} : { DataCaptureConfig: dataCaptureConfig(options, target) }),
    Tags: sagemakerTags(target.stage),
  };
}
