/**
 * Promote to AWS: the same ASL and Lambda code, a SageMaker-trained model behind a real endpoint
 * with data capture, one plan, one apply, one teardown.
 *
 * API for the CLI (`scones promote [--plan] [--yes] [--tune] [--serverless] ...`, `scones teardown [--keep-data]`):
 *
 *   planPromotion(options: PromoteOptions, { onProgress? }): Promise<PromotionPlan>
 *     Reads the account (describe/list only) and returns every action in order (`actions`: step,
 *     resourceType, name, change create|update|none|wait|run|skip, detail), the settings (image,
 *     hyperparameters, channels, variant, data capture) and `cost` (price table of cost/prices.ts, with
 *     date and sources). `renderPlan(plan)` prints it. A fresh account plans everything `create`.
 *
 *   promote(options: PromoteOptions, { confirm?, yes?, onProgress? }): Promise<PromotionResult>
 *     Prints account and region, the plan, asks `confirm(plan)` unless `yes`, then applies: bucket
 *     -> stage data (training/stage.ts) -> SageMaker role -> training job (or tuning job with
 *     `tune`) -> model -> endpoint config with DataCaptureConfig -> endpoint (real-time, or
 *     `serverless`) -> Lambdas + state machine (src/deploy) -> smoke execution -> console links.
 *     A smoke execution that ends FAILED, TIMED_OUT or ABORTED rejects with SmokeTestFailedError
 *     (its Error, Cause, failed state, console link, what is left running, the teardown command).
 *     Every step finds what exists (name + kit tags) and goes on from there: re-running after an
 *     interruption resumes, re-running after success changes nothing.
 *
 *   promoteViaStack(options: StackPromoteOptions, { plan?, confirm?, yes?, onProgress? })
 *     `--via cloudformation`: the stage's stack (src/template/) without an endpoint, staging and
 *     training as the stack's bucket and role, the job's artifact as the stack's ModelDataUrl (a
 *     second change set adds the endpoint; a stack whose endpoint the retraining loop owns keeps
 *     it), the smoke execution. Settings the template cannot express are refused first.
 *
 *   teardown(options: TeardownOptions, { onProgress? }): Promise<TeardownReport>
 *     Deletes what carries the stage's kit tags, endpoint first; `keepData` keeps the bucket;
 *     `plan` only reports what it would delete, stop and keep (`report.planned`).
 *     `renderTeardown(report)` prints deleted / stopped / kept, or that nothing was found.
 *
 * Options (all optional; CLI flag in brackets):
 *   target   target [--target] aws (default) or local (a running `scones up`: its exports, or
 *            endpointUrl [--endpoint-url]; env replaces process.env, for tests),
 *            stage [--stage] (default dev), region [--region] (else AWS_REGION/AWS_DEFAULT_REGION or
 *            the profile's region; none is an error), profile [--profile], bucket [--bucket]
 *            (default scones-<stage>-<account>-<region>), endpointName [--endpoint-name] (local:
 *            the endpoint the stack's workflow invokes)
 *   training trainingInstanceType [--instance-type] (ml.g4dn.xlarge: NVIDIA T4, the cheapest GPU the
 *            algorithm trains on; ml.p3.2xlarge is 5x the price for a 1,000-image 32x32 job), epochs,
 *            learningRate, miniBatchSize, usePretrainedModel, augmentationType, maxTrainingMinutes
 *            (stopping condition), expectedTrainingMinutes (estimate only), dataSource
 *   tuning   tune [--tune], maxTuningJobs, maxParallelTuningJobs
 *   hosting  serverless [--serverless] (no data capture: SageMaker excludes it on serverless; a switch
 *            of kind replaces the endpoint), serverlessMemoryMb, serverlessMaxConcurrency,
 *            endpointInstanceType (ml.m5.large), endpointInstanceCount, captureSamplingPercentage
 *            (100), capturePrefix (data_capture/), expectedRequestsPerDay (estimate only)
 *   running  pollIntervalMs (30 s), smokeTest / smokeSkipReason, bundles, arch, config (tests)
 *   teardown keepData [--keep-data], plan [--plan]
 */
export { algorithmImageUri, IMAGE_CLASSIFICATION_REGISTRIES } from './algorithm-image.ts';
export { type CostEstimate, type CostLine, PRICE_SOURCES, PRICES_AS_OF } from './cost/index.ts';
export { LocalStackError } from './local-stack.ts';
export {
  AUGMENTATION_TYPES,
  type AugmentationType,
  PROMOTE_DEFAULTS,
  PROMOTION_TARGETS,
  type PromoteOptions,
  PromoteOptionsError,
  type PromotionTargetKind,
  type TargetOptions,
  type TeardownOptions,
} from './options.ts';
export {
  type PlanControls,
  type PromotionPlan,
  type PromotionSettings,
  planPromotion,
  renderAction,
  renderPlan,
} from './plan/index.ts';
export { type ProgressListener, type PromoteEvent, printProgress } from './progress.ts';
export { ConfirmationRequiredError, type PromoteControls, type PromotionResult, promote } from './promote.ts';
export { type SmokeFailure, type SmokeOutcome, SmokeTestFailedError } from './smoke/index.ts';
export {
  chooseHosting,
  type HostingChoice,
  promoteViaStack,
  type StackHosting,
  type StackPromoteControls,
  type StackPromoteOptions,
  type StackPromotionResult,
} from './stack/index.ts';
export { type PromotionTarget, TargetError } from './target.ts';
export {
  renderTeardown,
  type TeardownControls,
  type TeardownItem,
  type TeardownReport,
  teardown,
} from './teardown/index.ts';
export type { ActionChange, PromotionAction, ResourceType } from './types.ts';
