/**
 * `scones promote --plan`: reads the account's current state (describe/list calls only) and returns
 * every action in order, the resources' settings and the cost estimate. Changes nothing.
 */
import { algorithmImageUri } from '../algorithm-image.ts';
import { stepContext } from '../context.ts';
import { estimateCost, localCost } from '../cost/index.ts';
import { type PromoteOptions, type ResolvedPromoteOptions, resolvePromoteOptions } from '../options.ts';
import type { ProgressListener } from '../progress.ts';
import {
  CHANNELS,
  channelUri,
  dataCaptureConfig,
  hyperParameters,
  productionVariant,
  promotionNames,
  tuningRanges,
} from '../specs.ts';
import { type PromotionTarget, resolveTarget } from '../target.ts';
import type { PromotionAction } from '../types.ts';
import { TARGET_STEPS } from '../workflow/index.ts';
import { runSteps } from './steps.ts';
import type { PlanControls, PromotionPlan, PromotionSettings } from './types.ts';

export function promotionSettings(
  options: ResolvedPromoteOptions,
  target: PromotionTarget,
  numTrainingSamples: number | undefined,
): PromotionSettings {
  const names = promotionNames(options, target);
  const hyper = hyperParameters(options, numTrainingSamples ?? 0);
  if (numTrainingSamples === undefined) hyper.num_training_samples = 'from the staged manifest';
  return {
    trainingImage: algorithmImageUri(target.region),
    hyperParameters: hyper,
    channels: Object.fromEntries(CHANNELS.map((name) => [name, channelUri(target.bucket, name)])),
    ...(options.tune
      ? {
          tuning: {
            objective: 'validation:accuracy (Maximize)',
            maxJobs: options.maxTuningJobs,
            maxParallel: Math.min(options.maxParallelTuningJobs, options.maxTuningJobs),
            ranges: tuningRanges(options),
          },
        }
      : {}),
    variant: productionVariant(options, names.model),
    dataCapture: dataCaptureConfig(options, target),
  };
}

/** Assembles a plan from actions already determined (pure: the unit tests use it directly). */
export function assemblePlan(
  options: ResolvedPromoteOptions,
  target: PromotionTarget,
  actions: PromotionAction[],
  numTrainingSamples: number | undefined,
): PromotionPlan {
  const { config: _clients, ...where } = target;
  return {
    target: where,
    names: promotionNames(options, target),
    actions,
    settings: promotionSettings(options, target, numTrainingSamples),
    cost: target.kind === 'local' ? localCost(options) : estimateCost(options, target.region, actions),
    hasChanges: actions.some((item) => ['create', 'update', 'wait'].includes(item.change)),
  };
}

export async function planFor(
  options: ResolvedPromoteOptions,
  target: PromotionTarget,
  onProgress: ProgressListener = () => {},
): Promise<PromotionPlan> {
  const steps = await runSteps(stepContext(options, target, false, onProgress));
  return assemblePlan(options, target, steps.actions, steps.numTrainingSamples);
}

export async function planPromotion(
  options: PromoteOptions,
  controls: PlanControls = {},
): Promise<PromotionPlan> {
  const resolved = resolvePromoteOptions(options);
  const target = await resolveTarget(options);
  const onProgress = controls.onProgress ?? (() => {});
  const bundles = await TARGET_STEPS[target.kind].bundles(resolved, onProgress);
  return planFor({ ...resolved, ...(bundles ? { bundles } : {}) }, target, onProgress);
}
