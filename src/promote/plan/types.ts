/** The plan of a promotion and what running its steps returns, for `promote`, the CLI and the renderings. */
import type { CostEstimate } from '../cost/index.ts';
import type { ProgressListener } from '../progress.ts';
import type { SmokeOutcome } from '../smoke/index.ts';
import type { dataCaptureConfig, PromotionNames, productionVariant, tuningRanges } from '../specs.ts';
import type { PromotionTarget } from '../target.ts';
import type { PromotionAction } from '../types.ts';

export interface PromotionSettings {
  trainingImage: string;
  /** num_training_samples is `from the staged manifest` until the data is staged. */
  hyperParameters: Record<string, string>;
  channels: Record<string, string>;
  tuning?: {
    objective: string;
    maxJobs: number;
    maxParallel: number;
    ranges: ReturnType<typeof tuningRanges>;
  };
  variant: ReturnType<typeof productionVariant>;
  /** Undefined for serverless endpoints, which cannot capture. */
  dataCapture: ReturnType<typeof dataCaptureConfig>;
}

export interface PromotionPlan {
  target: Omit<PromotionTarget, 'config'>;
  names: PromotionNames;
  actions: PromotionAction[];
  settings: PromotionSettings;
  cost: CostEstimate;
  /** True when some action creates, updates or waits on something. */
  hasChanges: boolean;
}

export interface PlanControls {
  /** Lines of the deploy module's own planning (Lambda bundle builds); default: dropped. */
  onProgress?: ProgressListener;
}

export interface StepsResult {
  actions: PromotionAction[];
  numTrainingSamples?: number;
  stateMachineArn: string;
  smoke: SmokeOutcome;
}
