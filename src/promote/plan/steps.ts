/**
 * The promotion, step by step, in one function for both modes: with `apply: false` every step only
 * reads and says what it would do (the plan); with `apply: true` the same steps act, in the same
 * order, each finding what an earlier (maybe interrupted) run left and going on from there. The
 * target decides only the steps around training and hosting (workflow/by-target.ts).
 */
import type { StepContext } from '../context.ts';
import { ensureEndpoint, ensureEndpointConfig, ensureModel } from '../hosting/index.ts';
import { runSmokeExecution } from '../smoke/index.ts';
import { ensureTrainingJob, ensureTuningJob, stageTrainingData } from '../training/index.ts';
import type { PromotionAction } from '../types.ts';
import { TARGET_STEPS } from '../workflow/index.ts';
import { renderAction } from './render.ts';
import type { StepsResult } from './types.ts';

export async function runSteps(ctx: StepContext): Promise<StepsResult> {
  const around = TARGET_STEPS[ctx.target.kind];
  const actions: PromotionAction[] = [];
  const begin = (title: string) => {
    if (ctx.apply) ctx.onProgress({ type: 'step', step: title, message: `==> ${title}` });
  };
  const record = (item: PromotionAction) => {
    actions.push(item);
    if (ctx.apply)
      ctx.onProgress({ type: 'step', step: item.step, message: `    ${renderAction(item, false)}` });
    return item;
  };

  begin('bucket');
  record(await around.bucket(ctx));
  begin('stage the data');
  const staging = await stageTrainingData(ctx);
  record(staging.action);
  begin('SageMaker execution role');
  const role = await around.sagemakerRole(ctx);
  record(role);
  begin(ctx.options.tune ? 'hyperparameter tuning' : 'training');
  const training = ctx.options.tune
    ? await ensureTuningJob(ctx, role.arn, staging.numTrainingSamples)
    : await ensureTrainingJob(ctx, role.arn, staging.numTrainingSamples);
  record(training.action);
  begin('model');
  record(await ensureModel(ctx, role.arn, training.modelDataUrl));
  begin('endpoint config (data capture)');
  record(await ensureEndpointConfig(ctx));
  begin('endpoint');
  record(await ensureEndpoint(ctx));
  begin(around.workflowTitle);
  const workflow = await around.workflow(ctx);
  for (const item of workflow.actions) record(item);
  begin('smoke execution');
  const smoke = await runSmokeExecution(ctx, workflow.stateMachineArn);
  record(smoke.action);
  return {
    actions,
    stateMachineArn: workflow.stateMachineArn,
    smoke,
    ...(staging.numTrainingSamples !== undefined ? { numTrainingSamples: staging.numTrainingSamples } : {}),
  };
}
