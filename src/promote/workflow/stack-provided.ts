/**
 * The bucket, role and workflow steps of the local target. `scones up` already runs the workflow:
 * the same ASL (the classification, intake and batch state machines on its Step Functions API)
 * and the same Lambda handlers, in-process; its event bus applies `eventrules/` and its
 * notification sink stands for the failure topic. It has no IAM, Lambda, EventBridge, SNS or
 * CloudWatch alarms API. So these steps verify what the stack provides (DescribeStateMachine) and
 * report everything else as provided by the stack or skipped, each with its reason: nothing the
 * AWS plan has is silently missing from the local one.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, paginateListStateMachines } from '@aws-sdk/client-sfn';
import { bucketExists } from '../../aws/bucket-exists.ts';
import { createCloudWatchClient, createSfnClient } from '../../aws/clients.ts';
import { EVENT_RULES_DIR } from '../../events/rules.ts';
import { eventResourceNames, resourceNames, retrainingNames } from '../../workflow/names.ts';
import { action } from '../actions.ts';
import type { StepContext } from '../context.ts';
import { allPages } from '../pages.ts';
import { defaultBucketName } from '../target.ts';
import type { PromotionAction } from '../types.ts';
import { bucketArn, type WorkflowOutcome } from './workflow.ts';

/** The stack serves no classification state machine of the promotion's stage. */
export class StackWorkflowError extends Error {
  override name = 'StackWorkflowError';
}

const NO_IAM = 'scones up has no IAM: nothing assumes a role locally';

/** Whether `scones teardown --target local` deletes the bucket, and why. */
function localBucketFate(ctx: Pick<StepContext, 'target'>): string {
  const { stage, accountId, region, bucket } = ctx.target;
  return bucket === defaultBucketName(stage, accountId, region)
    ? "teardown --target local deletes it, found by the stage's bucket name: the local S3 keeps no bucket tags"
    : "not the stage's own bucket name, and the local S3 keeps no bucket tags: teardown --target local keeps it";
}

export async function ensureLocalBucket(ctx: StepContext): Promise<PromotionAction> {
  const { bucket } = ctx.target;
  if (await bucketExists(ctx.s3, ctx.target.bucket))
    return action('bucket', 's3 bucket', bucket, 'none', `in the local stack; ${localBucketFate(ctx)}`);
  const planned = action(
    'bucket',
    's3 bucket',
    bucket,
    'create',
    `in the local stack; ${localBucketFate(ctx)}`,
    bucketArn(ctx),
  );
  if (ctx.apply) await ctx.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return planned;
}

/** No role is made: the jobs and the model still name one, as SageMaker's API requires. */
export async function localSageMakerRole(ctx: StepContext): Promise<PromotionAction & { arn: string }> {
  const { partition, accountId } = ctx.target;
  const name = ctx.names.sagemakerRole;
  const arn = `arn:${partition}:iam::${accountId}:role/${name}`;
  const detail = `${NO_IAM}; the local SageMaker trains and serves as this machine's user, and its jobs and model carry this role ARN (required by its API)`;
  return { ...action('sagemaker-role', 'iam role', name, 'skip', detail), arn };
}

function ruleIds(): string[] {
  return readdirSync(EVENT_RULES_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => path.basename(name, '.json'))
    .sort();
}

/** The stack's state machines of the stage, verified one by one through its Step Functions API. */
async function stateMachineActions(ctx: StepContext): Promise<{ actions: PromotionAction[]; arn: string }> {
  const names = resourceNames(ctx.target.stage);
  const sfn = createSfnClient(ctx.target.config);
  try {
    const served = await allPages(
      paginateListStateMachines({ client: sfn }, {}),
      (page) => page.stateMachines,
    );
    const arnOf = new Map(served.map((machine) => [machine.name, machine.stateMachineArn]));
    const classification = arnOf.get(names.stateMachine);
    if (!classification) {
      throw new StackWorkflowError(
        `The local stack at ${ctx.target.stackUrl} serves no state machine ${names.stateMachine} ` +
          `(it serves: ${[...arnOf.keys()].join(', ') || 'none'}): promote with the stack's stage ` +
          `(--stage), or start scones up with SCONES_STAGE=${ctx.target.stage}`,
      );
    }
    const actions: PromotionAction[] = [];
    const retraining = retrainingNames(ctx.target.stage).stateMachine;
    for (const name of [names.stateMachine, names.intakeStateMachine, names.batchStateMachine, retraining]) {
      const arn = arnOf.get(name);
      if (!arn) {
        actions.push(
          action('workflow', 'step functions state machine', name, 'skip', 'not served by this stack'),
        );
        continue;
      }
      const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      const detail = `provided by scones up: ${described.status ?? 'ACTIVE'} ${described.type ?? 'STANDARD'}, the ASL of statemachine/ (DescribeStateMachine)`;
      actions.push(action('workflow', 'step functions state machine', name, 'none', detail, arn));
    }
    return { actions, arn: classification };
  } finally {
    sfn.destroy();
  }
}

/**
 * The stage's rollout alarm (src/workflow/rollout-alarm.ts), which `scones up` puts in its own
 * CloudWatch for the retraining's canary: verified through its DescribeAlarms.
 */
async function rolloutAlarmAction(ctx: StepContext): Promise<PromotionAction> {
  const name = retrainingNames(ctx.target.stage).rolloutAlarm;
  const cloudwatch = createCloudWatchClient(ctx.target.config);
  try {
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    const alarm = MetricAlarms.find((item) => item.AlarmName === name);
    return alarm
      ? action(
          'workflow',
          'cloudwatch alarm',
          name,
          'none',
          `provided by scones up: its CloudWatch evaluates it (${alarm.StateValue ?? 'INSUFFICIENT_DATA'}); a retraining's canary rolls back on it`,
          alarm.AlarmArn,
        )
      : action(
          'workflow',
          'cloudwatch alarm',
          name,
          'skip',
          "not in this stack's CloudWatch (DescribeAlarms)",
        );
  } catch (error) {
    return action(
      'workflow',
      'cloudwatch alarm',
      name,
      'skip',
      `this stack's CloudWatch did not answer DescribeAlarms (${(error as Error).name})`,
    );
  } finally {
    cloudwatch.destroy();
  }
}

/** The workflow as the stack runs it, in the order the AWS plan lists its parts. */
export async function stackWorkflow(ctx: StepContext): Promise<WorkflowOutcome> {
  const { stage } = ctx.target;
  const names = resourceNames(stage);
  const events = eventResourceNames(stage);
  const retraining = retrainingNames(stage);
  const functionNames = [
    ...Object.values(names.functions),
    names.batchFunction,
    ...Object.values(retraining.functions),
  ];
  const functions = functionNames.map((name) =>
    action(
      'workflow',
      'lambda function',
      name,
      'none',
      'provided by scones up: its handler from lambdas/ runs in-process (no Lambda API)',
    ),
  );
  const roles = [
    ...Object.values(names.functionRoles),
    names.stateMachineRole,
    names.intakeStateMachineRole,
    names.batchFunctionRole,
    names.batchStateMachineRole,
    ...Object.values(retraining.functions).map((name) => `${name}-role`),
    retraining.stateMachineRole,
    events.eventsRole,
  ].map((name) => action('workflow', 'iam role', name, 'skip', NO_IAM));
  const machines = await stateMachineActions(ctx);
  const rules = ruleIds().map((id) =>
    action(
      'workflow',
      'eventbridge rule',
      events.rule(id),
      'none',
      `provided by scones up: its event bus applies eventrules/${id}.json (to its own bucket's uploads; no EventBridge API)`,
    ),
  );
  const notify = ctx.options.notifyEmail
    ? [
        action(
          'workflow',
          'sns subscription',
          ctx.options.notifyEmail,
          'skip',
          'a local stack sends no email: its failure lines are printed (and POSTed to scones up --notify-url)',
        ),
      ]
    : [];
  const alarms = Object.values(events.alarms).map((name) =>
    action(
      'workflow',
      'cloudwatch alarm',
      name,
      'skip',
      'scones up has no CloudWatch alarms: `scones monitor` evaluates its run log',
    ),
  );
  return {
    actions: [
      ...functions,
      ...roles,
      ...machines.actions,
      action(
        'workflow',
        'sns topic',
        events.notificationTopic,
        'none',
        'provided by scones up: its notification sink prints each failure (and POSTs it to --notify-url); no SNS API',
      ),
      ...notify,
      ...rules,
      action(
        'workflow',
        's3 bucket notifications',
        ctx.target.bucket,
        'skip',
        "scones up starts executions for uploads under its own bucket's intake prefix only",
      ),
      ...alarms,
      await rolloutAlarmAction(ctx),
    ],
    stateMachineArn: machines.arn,
    functionNames,
  };
}
