/**
 * Options of `scones promote` and `scones teardown`, their defaults, and the settings every step
 * derives from them (names, S3 locations, hyperparameters). Flat on purpose: one CLI flag each.
 */
import type { KitConfig } from '../config.ts';
import { type AlarmSettings, AlarmSettingsError, resolveAlarmSettings } from '../deploy/alarms.ts';
import type { BundleInfo, LambdaArchitecture } from '../deploy/index.ts';
import { NotifyEmailError, validateNotifyEmail } from '../deploy/notifications.ts';

export const AUGMENTATION_TYPES = ['crop', 'crop_color', 'crop_color_transform'] as const;
export type AugmentationType = (typeof AUGMENTATION_TYPES)[number];

/**
 * Where a promotion goes: `aws`, an AWS account; `local`, a running `scones up` (its S3, Step
 * Functions, SageMaker and STS on 127.0.0.1), where the same steps run and nothing is billed.
 */
export const PROMOTION_TARGETS = ['aws', 'local'] as const;
export type PromotionTargetKind = (typeof PROMOTION_TARGETS)[number];

/** Where to promote: shared by promote, plan and teardown. */
export interface TargetOptions {
  /** `aws` (default) or `local` (`--target local`: a running `scones up`). */
  target?: PromotionTargetKind;
  /**
   * Local target: the stack's URL, every service on it (`--endpoint-url`). Default: the
   * AWS_ENDPOINT_URL* variables `scones up` prints first.
   */
  endpointUrl?: string;
  /** Environment read for endpoints, region and settings; default process.env (tests pass a stack's exports). */
  env?: NodeJS.ProcessEnv;
  /** Stage name (lowercase letters, digits, hyphens; at most 12): in every resource name and tag. Default `dev`. */
  stage?: string;
  /** AWS region. Default: AWS_REGION / AWS_DEFAULT_REGION, then the profile's region; none is an error. */
  region?: string;
  /** Named profile of the shared AWS config files (standard credential chain otherwise). */
  profile?: string;
  /** Bucket of data, model artifacts, review items and captured traffic. Default `scones-<stage>-<account>-<region>`. */
  bucket?: string;
  /**
   * SageMaker endpoint name. Default `scones-<stage>-image-classification`; on the local target the
   * name the stack's workflow invokes (ENDPOINT_NAME, default `scones-image-classification`).
   */
  endpointName?: string;
  /**
   * Explicit client configuration (endpoint overrides, credentials), e.g. a moto server in tests.
   * Region, stage, bucket and endpoint name above still apply on top of it.
   */
  config?: KitConfig;
}

export interface PromoteOptions extends TargetOptions {
  /** CIFAR-100 source for staging (path or URL); default: the subset shipped in data/. */
  dataSource?: string;
  /** Training instance type. Default ml.g4dn.xlarge (the cheapest GPU the algorithm supports). */
  trainingInstanceType?: string;
  epochs?: number;
  learningRate?: number;
  miniBatchSize?: number;
  usePretrainedModel?: boolean;
  augmentationType?: AugmentationType;
  /** Stopping condition of each training job: SageMaker stops (and stops billing) a job after this. */
  maxTrainingMinutes?: number;
  /** Expected training duration, for the cost estimate only. */
  expectedTrainingMinutes?: number;
  /** Run a hyperparameter tuning job instead of one training job; its best job becomes the model. */
  tune?: boolean;
  maxTuningJobs?: number;
  maxParallelTuningJobs?: number;
  /** Serverless endpoint instead of a real-time instance. */
  serverless?: boolean;
  serverlessMemoryMb?: 1024 | 2048 | 3072 | 4096 | 5120 | 6144;
  serverlessMaxConcurrency?: number;
  endpointInstanceType?: string;
  endpointInstanceCount?: number;
  /** Percentage of requests the endpoint captures (input and output) to S3. */
  captureSamplingPercentage?: number;
  /** Key prefix of captured endpoint traffic in the bucket. */
  capturePrefix?: string;
  /** Expected classifications per day, for the serverless and workflow cost estimate. */
  expectedRequestsPerDay?: number;
  /** How often to poll long-running SageMaker work (tests use a few ms). Default 30 s. */
  pollIntervalMs?: number;
  /** Run one execution of the state machine on a staged test image at the end. Default true. */
  smokeTest?: boolean;
  /**
   * How long the smoke execution may run before promote stops it and fails. Default 10 minutes:
   * one image through three Lambdas and the endpoint takes seconds, a few minutes with every retry
   * of the ASL taken; past that something is stuck (an endpoint that never answers).
   */
  smokeTimeoutMs?: number;
  /** Why the smoke execution is skipped (printed), when smokeTest is false. */
  smokeSkipReason?: string;
  /** Prebuilt Lambda bundles (deploy module's buildBundles); built when omitted. */
  bundles?: BundleInfo[];
  arch?: LambdaArchitecture;
  /** Email subscription to the failure topic (`--notify-email`); AWS sends a confirmation link first. */
  notifyEmail?: string;
  /** CloudWatch alarm: share of decisions below the threshold that raises it (`--alarm-low-confidence`, 0.4). */
  alarmLowConfidenceShare?: number;
  /** CloudWatch alarms: minutes per evaluation window (`--alarm-period`, 5). */
  alarmPeriodMinutes?: number;
  /** CloudWatch alarms: failed executions per window that raise a failure alarm (`--alarm-failures`, 1). */
  alarmFailures?: number;
}

/** Options only promote reads as they are, or folds into `alarms`. */
type PassedAsGiven = 'dataSource' | 'smokeSkipReason' | 'bundles' | 'arch' | 'notifyEmail';
type AlarmOptions = 'alarmLowConfidenceShare' | 'alarmPeriodMinutes' | 'alarmFailures';

export interface TeardownOptions extends TargetOptions {
  /** Keep the bucket and its objects (data, model artifacts, captured traffic, review items). */
  keepData?: boolean;
  /** Only find and report what would be deleted, stopped and kept (`--plan`). */
  plan?: boolean;
}

export const PROMOTE_DEFAULTS = {
  stage: 'dev',
  trainingInstanceType: 'ml.g4dn.xlarge',
  epochs: 30,
  learningRate: 0.01,
  miniBatchSize: 32,
  usePretrainedModel: false,
  augmentationType: 'crop' as AugmentationType,
  maxTrainingMinutes: 60,
  expectedTrainingMinutes: 15,
  tune: false,
  maxTuningJobs: 6,
  maxParallelTuningJobs: 2,
  serverless: false,
  serverlessMemoryMb: 2048 as const,
  serverlessMaxConcurrency: 5,
  endpointInstanceType: 'ml.m5.large',
  endpointInstanceCount: 1,
  captureSamplingPercentage: 100,
  capturePrefix: 'data_capture/',
  expectedRequestsPerDay: 1000,
  pollIntervalMs: 30_000,
  smokeTest: true,
  smokeTimeoutMs: 10 * 60_000,
};

export type ResolvedPromoteOptions = Required<
  Omit<PromoteOptions, keyof TargetOptions | PassedAsGiven | AlarmOptions>
> &
  Pick<PromoteOptions, PassedAsGiven> & { stage: string; alarms: AlarmSettings };

export class PromoteOptionsError extends Error {
  override name = 'PromoteOptionsError';
}

const STAGE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/;

export function validateStage(stage: string): string {
  // Tuning-job names are limited to 32 characters and bucket names to lowercase: keep stages short.
  if (!STAGE_PATTERN.test(stage)) {
    throw new PromoteOptionsError(
      `Stage "${stage}" is not valid: use 1-12 lowercase letters, digits or hyphens (not at either end)`,
    );
  }
  return stage;
}

export function validateTargetKind(target: string): PromotionTargetKind {
  if (!(PROMOTION_TARGETS as readonly string[]).includes(target)) {
    throw new PromoteOptionsError(
      `Target "${target}" is not one promote knows: use ${PROMOTION_TARGETS.join(' or ')}`,
    );
  }
  return target as PromotionTargetKind;
}

function positive(name: string, value: number, { integer = false, max = Infinity } = {}): number {
  if (!Number.isFinite(value) || value <= 0 || value > max || (integer && !Number.isInteger(value))) {
    throw new PromoteOptionsError(
      `${name} must be a positive ${integer ? 'integer' : 'number'}${max < Infinity ? ` up to ${max}` : ''}; got ${value}`,
    );
  }
  return value;
}

export function resolvePromoteOptions(options: PromoteOptions): ResolvedPromoteOptions {
  const merged = { ...PROMOTE_DEFAULTS, ...withoutUndefined(options) };
  positive('epochs', merged.epochs, { integer: true });
  positive('learningRate', merged.learningRate, { max: 1 });
  positive('miniBatchSize', merged.miniBatchSize, { integer: true });
  positive('maxTrainingMinutes', merged.maxTrainingMinutes, { max: 28 * 24 * 60 });
  positive('expectedTrainingMinutes', merged.expectedTrainingMinutes);
  positive('maxTuningJobs', merged.maxTuningJobs, { integer: true });
  positive('maxParallelTuningJobs', merged.maxParallelTuningJobs, { integer: true });
  positive('serverlessMaxConcurrency', merged.serverlessMaxConcurrency, { integer: true, max: 200 });
  positive('endpointInstanceCount', merged.endpointInstanceCount, { integer: true });
  positive('captureSamplingPercentage', merged.captureSamplingPercentage, { integer: true, max: 100 });
  positive('pollIntervalMs', merged.pollIntervalMs);
  positive('smokeTimeoutMs', merged.smokeTimeoutMs);
  if (!AUGMENTATION_TYPES.includes(merged.augmentationType)) {
    throw new PromoteOptionsError(
      `augmentationType must be one of ${AUGMENTATION_TYPES.join(', ')}; got "${merged.augmentationType}"`,
    );
  }
  if (![1024, 2048, 3072, 4096, 5120, 6144].includes(merged.serverlessMemoryMb)) {
    throw new PromoteOptionsError(
      `serverlessMemoryMb must be 1024..6144 in steps of 1024; got ${merged.serverlessMemoryMb}`,
    );
  }
  if (!merged.trainingInstanceType.startsWith('ml.') || !merged.endpointInstanceType.startsWith('ml.')) {
    throw new PromoteOptionsError(
      'Instance types are SageMaker ones and start with "ml." (e.g. ml.g4dn.xlarge)',
    );
  }
  const capturePrefix = merged.capturePrefix.replace(/^\/+/, '');
  const { alarmLowConfidenceShare, alarmPeriodMinutes, alarmFailures, notifyEmail, ...rest } = merged;
  let alarms: AlarmSettings;
  try {
    alarms = resolveAlarmSettings({
      lowConfidenceShare: alarmLowConfidenceShare,
      periodMinutes: alarmPeriodMinutes,
      failures: alarmFailures,
    } as Partial<AlarmSettings>);
    if (notifyEmail !== undefined) validateNotifyEmail(notifyEmail);
  } catch (error) {
    if (error instanceof AlarmSettingsError || error instanceof NotifyEmailError)
      throw new PromoteOptionsError(error.message);
    throw error;
  }
  return {
    ...rest,
    ...(notifyEmail !== undefined ? { notifyEmail: notifyEmail.trim() } : {}),
    alarms,
    capturePrefix: capturePrefix.endsWith('/') ? capturePrefix : `${capturePrefix}/`,
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
