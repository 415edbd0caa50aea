/**
 * `scones promote`: print where (account, region), plan, ask, then apply the same steps in order
 * and end with the smoke execution's result and the console links. A smoke execution that does not
 * succeed makes the promotion fail (SmokeTestFailedError): the CLI exits non-zero.
 */
import { stepContext } from './context.ts';
import { consoleLinks } from './links.ts';
import { type PromoteOptions, resolvePromoteOptions } from './options.ts';
import { type PromotionPlan, planFor, renderPlan, runSteps } from './plan/index.ts';
import { type ProgressListener, printProgress } from './progress.ts';
import {
  type SmokeOutcome,
  SmokeTestFailedError,
  smokeFailureMessage,
  teardownCommandFor,
} from './smoke/index.ts';
import { describeTarget, resolveTarget } from './target.ts';
import type { PromotionAction } from './types.ts';
import { TARGET_STEPS } from './workflow/index.ts';

export interface PromoteControls {
  /** Asked with the plan before anything changes; false stops there. */
  confirm?: (plan: PromotionPlan) => boolean | Promise<boolean>;
  /** Apply without asking (`--yes`, for scripts). */
  yes?: boolean;
  /** Progress events; default: printed to stdout. */
  onProgress?: ProgressListener;
}

export interface PromotionResult {
  plan: PromotionPlan;
  applied: boolean;
  /** What was done, in order (empty when not applied). */
  actions: PromotionAction[];
  smoke?: SmokeOutcome;
  stateMachineArn?: string;
  links: { name: string; url: string }[];
}

export class ConfirmationRequiredError extends Error {
  override name = 'ConfirmationRequiredError';
}

export async function promote(
  options: PromoteOptions,
  controls: PromoteControls = {},
): Promise<PromotionResult> {
  if (!controls.yes && !controls.confirm) {
    throw new ConfirmationRequiredError(
      'promote changes (and bills) an AWS account: pass confirm, or yes: true (--yes)',
    );
  }
  const onProgress = controls.onProgress ?? printProgress;
  const target = await resolveTarget(options);
  onProgress({ type: 'target', message: describeTarget(target) });
  const unbundled = resolvePromoteOptions(options);
  const bundles = await TARGET_STEPS[target.kind].bundles(unbundled, onProgress);
  const resolved = { ...unbundled, ...(bundles ? { bundles } : {}) };

  const plan = await planFor(resolved, target);
  onProgress({ type: 'info', message: renderPlan(plan) });
  const go = controls.yes || (await controls.confirm?.(plan));
  if (!go) {
    onProgress({ type: 'info', message: 'Not applied: nothing was changed.' });
    return { plan, applied: false, actions: [], links: [] };
  }

  const steps = await runSteps(stepContext(resolved, target, true, onProgress));
  const links = consoleLinks(target, steps.actions, resolved.capturePrefix);
  if (links.length > 0) {
    onProgress({
      type: 'info',
      message: ['', 'Console links:', ...links.map((link) => `  ${link.name}: ${link.url}`)].join('\n'),
    });
  }
  const changed = steps.actions.filter((item) => ['create', 'update'].includes(item.change)).length;
  const failure = steps.smoke.failure;
  if (failure) {
    const message = smokeFailureMessage({
      failure,
      target,
      actions: steps.actions,
      options: resolved,
      endpointPerHourUsd: plan.cost.endpointPerHourUsd,
      ...(options.profile ? { profile: options.profile } : {}),
    });
    throw new SmokeTestFailedError(message, failure, steps.actions);
  }
  onProgress({
    type: 'info',
    message: `Promoted stage "${target.stage}": ${changed === 0 ? 'nothing changed' : `${changed} resources created or updated`}. Remove it all with \`${teardownCommandFor(target, options.profile)}\`.`,
  });
  return {
    plan,
    applied: true,
    actions: steps.actions,
    smoke: steps.smoke,
    stateMachineArn: steps.stateMachineArn,
    links,
  };
}
