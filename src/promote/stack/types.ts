/** Shapes of `scones promote --via cloudformation`: its options, controls and result. */
import type { Service } from '../../config.ts';
import type { PromoteOptions } from '../options.ts';
import type { ProgressListener } from '../progress.ts';
import type { SmokeOutcome } from '../smoke/index.ts';
import type { PromotionAction } from '../types.ts';

export interface StackPromoteOptions extends PromoteOptions {
  /** Values of the stack template's parameters promote does not set itself (Threshold...). */
  parameters?: Record<string, string>;
  /** Emulator targets (tests): the endpoints the stack's Lambdas use. */
  lambdaEndpoints?: Partial<Record<Service, string>>;
}

export interface StackPromoteControls {
  /** Asked with the plan's lines before anything changes; false stops there. */
  confirm?: (plan: string[]) => boolean | Promise<boolean>;
  /** Apply without asking (`--yes`). */
  yes?: boolean;
  /** Only print the plan (the stack's change set, the runs); change nothing. */
  plan?: boolean;
  onProgress?: ProgressListener;
}

/**
 * Who made the endpoint: `stack` (the template's initial model, config and endpoint, from this or
 * an earlier promotion's ModelDataUrl), `loop` (the stack's endpoint is the retraining loop's now;
 * this run's model is not rolled out by the stack), `sdk` (a target whose CloudFormation has no
 * SageMaker types: promote's own hosting steps).
 */
export type StackHosting = 'stack' | 'loop' | 'sdk';

export interface StackPromotionResult {
  stackName: string;
  applied: boolean;
  /** The first change set's lines (the stack without the endpoint) and the runs, as printed. */
  plan: string[];
  /** Staging, training or tuning, hosting, smoke, in order (empty when not applied). */
  actions: PromotionAction[];
  outputs: Record<string, string>;
  modelDataUrl?: string;
  hosting?: StackHosting;
  smoke?: SmokeOutcome;
}
