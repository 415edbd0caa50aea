/**
 * What differs between the targets in the steps around training and hosting: the bucket, the
 * SageMaker execution role, the workflow and the Lambda bundles it needs. On AWS they go through
 * the deploy module; on the local target `scones up` provides them (stack-provided.ts). The
 * training, hosting and smoke steps are the same code on both.
 */
import type { BundleInfo } from '../../deploy/index.ts';
import type { StepContext } from '../context.ts';
import type { PromotionTargetKind, ResolvedPromoteOptions } from '../options.ts';
import type { ProgressListener } from '../progress.ts';
import type { PromotionAction } from '../types.ts';
import { ensureLocalBucket, localSageMakerRole, stackWorkflow } from './stack-provided.ts';
import {
  deployWorkflow,
  ensureBundles,
  ensureDataBucket,
  ensureSageMakerRole,
  type WorkflowOutcome,
} from './workflow.ts';

export interface TargetSteps {
  bucket(ctx: StepContext): Promise<PromotionAction>;
  sagemakerRole(ctx: StepContext): Promise<PromotionAction & { arn: string }>;
  /** The workflow step's title in the progress output. */
  workflowTitle: string;
  workflow(ctx: StepContext): Promise<WorkflowOutcome>;
  /** The Lambda zips the workflow step deploys; undefined where nothing is deployed. */
  bundles(options: ResolvedPromoteOptions, onProgress: ProgressListener): Promise<BundleInfo[] | undefined>;
}

export const TARGET_STEPS: Record<PromotionTargetKind, TargetSteps> = {
  aws: {
    bucket: ensureDataBucket,
    sagemakerRole: ensureSageMakerRole,
    workflowTitle: 'Lambdas and state machine (deploy module)',
    workflow: deployWorkflow,
    bundles: ensureBundles,
  },
  local: {
    bucket: ensureLocalBucket,
    sagemakerRole: localSageMakerRole,
    workflowTitle: 'Lambdas and state machine (provided by scones up)',
    workflow: stackWorkflow,
    bundles: async () => undefined,
  },
};
