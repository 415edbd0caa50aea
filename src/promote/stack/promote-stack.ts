/**
 * `scones promote --via cloudformation`: the promotion with the stage's stack as the only deployer
 * of resources. Runs stay promote's own (staging the dataset, the training or tuning job, the smoke
 * execution); everything else is the template's, deployed through change sets:
 *
 * 1. the stack without an endpoint (bucket, roles with the SageMaker execution role, Lambdas,
 *    state machines, rules, topic, alarms): the data and the training job need its bucket and role;
 * 2. staging into the stack's bucket, the training (or tuning) job as the stack's SageMaker role;
 * 3. the job's artifact as `ModelDataUrl`: a second change set adds the initial model, endpoint
 *    config and endpoint. A stack that already has an endpoint keeps it: from then on the retraining
 *    loop owns it (docs/cloudformation.md), and a stack update must never roll its model back;
 * 4. the smoke execution on the stack's state machine.
 *
 * An update keeps the stack's parameter values not given (deploy-stack.ts), so re-running after
 * success changes nothing, and after an interruption goes on where the stack and the jobs are.
 */
import {
  deployStack,
  generateTemplate,
  MODEL_DATA_URL,
  type StackDeployResult,
} from '../../template/index.ts';
import { stepContext } from '../context.ts';
import { ensureEndpoint, ensureEndpointConfig, ensureModel } from '../hosting/index.ts';
import { resolvePromoteOptions } from '../options.ts';
import { renderAction } from '../plan/index.ts';
import { printProgress } from '../progress.ts';
import { runSmokeExecution, SmokeTestFailedError } from '../smoke/index.ts';
import { describeTarget, type PromotionTarget, resolveTarget, TargetError } from '../target.ts';
import { ensureTrainingJob, ensureTuningJob, stageTrainingData } from '../training/index.ts';
import type { PromotionAction } from '../types.ts';
import { TARGET_STEPS } from '../workflow/index.ts';
import { chooseHosting } from './hosting-choice.ts';
import { refuseInexpressible } from './inexpressible.ts';
import type { StackPromoteControls, StackPromoteOptions, StackPromotionResult } from './types.ts';

/** The stack's bucket and SageMaker role, as its outputs name them, for the runs. */
function onStack(target: PromotionTarget, deployed: StackDeployResult) {
  const bucket = deployed.outputs.BucketName ?? target.bucket;
  const roleArn = deployed.outputs.SageMakerRoleArn;
  if (!roleArn) throw new TargetError(`Stack ${deployed.stackName} has no SageMakerRoleArn output`);
  return { target: { ...target, bucket, config: { ...target.config, bucket } }, roleArn };
}

export async function promoteViaStack(
  options: StackPromoteOptions,
  controls: StackPromoteControls = {},
): Promise<StackPromotionResult> {
  const onProgress = controls.onProgress ?? printProgress;
  const info = (message: string) => onProgress({ type: 'info', message });
  const resolved = resolvePromoteOptions(options);
  refuseInexpressible(resolved, options);
  const resolvedTarget = await resolveTarget(options);
  if (resolvedTarget.kind !== 'aws') {
    throw new TargetError(
      '--via cloudformation promotes to AWS: a running scones up has no CloudFormation (promote --target local deploys through the SDK)',
    );
  }
  onProgress({ type: 'target', message: describeTarget(resolvedTarget) });
  const bundles = await TARGET_STEPS.aws.bundles(resolved, onProgress);
  const { config } = resolvedTarget;
  const template = generateTemplate({
    config,
    arch: resolved.arch ?? 'x86_64',
    alarms: resolved.alarms,
    ...(options.lambdaEndpoints ? { lambdaEndpoints: options.lambdaEndpoints } : {}),
  });
  const given = {
    ...(resolved.notifyEmail !== undefined ? { NotifyEmail: resolved.notifyEmail } : {}),
    ...options.parameters,
  };
  const deployWith = (extra: Record<string, string>, plan: boolean, log: (line: string) => void) =>
    deployStack({
      config,
      template,
      parameters: { ...given, ...extra },
      plan,
      log,
      ...(bundles ? { bundles } : {}),
    });

  // The plan: the first change set (printed, then deleted) and the runs that follow it.
  const planLines: string[] = [];
  const planned = await deployWith({}, true, (line) => planLines.push(line));
  const job = resolved.tune ? 'hyperparameter tuning job' : 'training job';
  const hostingLine = planned.parameters[MODEL_DATA_URL]
    ? `  keep the endpoint (from ${planned.parameters[MODEL_DATA_URL]}): the retraining loop owns it`
    : `  then ${MODEL_DATA_URL} = the ${job}'s model: a second change set adds InitialModel, InitialEndpointConfig, Endpoint`;
  const plan = [
    ...planLines,
    `runs: stage the dataset into the stack's bucket, one ${job} as the stack's SageMaker role`,
    hostingLine,
    `  smoke execution on the stack's state machine${resolved.smokeTest ? '' : ' (skipped)'}`,
  ];
  info(plan.join('\n'));
  const result = {
    stackName: planned.stackName,
    plan,
    actions: [] as PromotionAction[],
    outputs: planned.outputs,
  };
  const go = !controls.plan && (controls.yes || (await controls.confirm?.(plan)));
  if (!go) {
    info('Not applied: nothing was changed.');
    return { ...result, applied: false };
  }

  onProgress({ type: 'step', step: 'stack', message: `==> stack ${planned.stackName}` });
  const deployed = await deployWith({}, false, info);
  const { target, roleArn } = onStack(resolvedTarget, deployed);
  const ctx = stepContext(resolved, target, true, onProgress);
  const actions: PromotionAction[] = [];
  const record = (item: PromotionAction) => {
    actions.push(item);
    onProgress({ type: 'step', step: item.step, message: `    ${renderAction(item, false)}` });
  };
  const staging = await stageTrainingData(ctx);
  record(staging.action);
  const training = resolved.tune
    ? await ensureTuningJob(ctx, roleArn, staging.numTrainingSamples)
    : await ensureTrainingJob(ctx, roleArn, staging.numTrainingSamples);
  record(training.action);
  const modelDataUrl = training.modelDataUrl ?? '';

  const choice = chooseHosting(deployed, modelDataUrl, resolved.endpointInstanceType);
  let outputs = deployed.outputs;
  if (choice.hosting === 'sdk') {
    // MiniStack's CloudFormation has no SageMaker types: promote's own hosting steps stand in.
    record(await ensureModel(ctx, roleArn, modelDataUrl));
    record(await ensureEndpointConfig(ctx));
    record(await ensureEndpoint(ctx));
  } else if (choice.hosting === 'stack' && choice.parameters) {
    onProgress({
      type: 'step',
      step: 'endpoint',
      message: `==> endpoint through the stack (${modelDataUrl})`,
    });
    outputs = (await deployWith(choice.parameters, false, info)).outputs;
  } else if (choice.hosting === 'loop') {
    info(choice.note);
  }

  const smoke = await runSmokeExecution(ctx, outputs.StateMachineArn ?? '');
  record(smoke.action);
  if (smoke.failure) {
    const { failure } = smoke;
    throw new SmokeTestFailedError(
      `Smoke execution ${failure.executionArn} ended ${failure.status}: ${failure.error ?? ''} ${failure.cause ?? ''}`.trim() +
        `. The stack ${planned.stackName} and its endpoint stay; delete them with \`scones teardown --via cloudformation --stage ${target.stage} --region ${target.region}\``,
      failure,
      actions,
    );
  }
  info(`Promoted stage "${target.stage}" through stack ${planned.stackName}.`);
  return { ...result, applied: true, actions, outputs, modelDataUrl, hosting: choice.hosting, smoke };
}
