/**
 * The event-driven part of a deployment, after the state machines: the failure topic (and an email
 * subscription with `notifyEmail`), the role EventBridge assumes for state-machine targets, every
 * rule of `eventrules/` with its targets and InputTransformer, the bucket's EventBridge
 * notifications, and the CloudWatch alarms that notify the topic. Every resource is named from
 * names.ts, tagged, reported as a ResourceChange and, in plan mode, only read.
 *
 * The rule files decide the wiring: a target whose ARN is a state machine gets the role (allowed
 * StartExecution on exactly those state machines), the topic's policy lets exactly the rules that
 * target it publish.
 */
import type { Target } from '@aws-sdk/client-eventbridge';
import {
  createCloudWatchClient,
  createEventBridgeClient,
  createIamClient,
  createS3Client,
  createSnsClient,
} from '../aws/clients.ts';
import type { KitConfig } from '../config.ts';
import { eventRuleSubstitutionsFor, loadEventRules } from '../events/rules.ts';
import { type arns, eventResourceNames, kitTags, resourceNames, retrainingNames } from '../workflow/names.ts';
import { reviewedLabelsSettings } from '../workflow/reviewed-labels.ts';
import {
  type AlarmSettings,
  ensureAlarm,
  resolveAlarmSettings,
  reviewedLabelsAlarm,
  rolloutAlarmSpec,
  stageAlarms,
} from './alarms.ts';
import { ensureBucketEventBridge } from './bucket-events.ts';
import { type EventRuleSpec, ensureEventRule } from './event-rules.ts';
import { ensureEmailSubscription, ensureTopic, type TopicSpec } from './notifications.ts';
import { eventsRolePolicy, notificationTopicPolicy, trustPolicy } from './policies.ts';
import type { ResourceChange } from './report.ts';
import { ensureRole, type RoleSpec } from './roles.ts';

export interface EventWiringInput {
  config: KitConfig;
  accountId: string;
  arn: ReturnType<typeof arns>;
  stateMachineArn: string;
  intakeStateMachineArn: string;
  /**
   * The retraining state machine, when deployed: its rollout alarm (rollout-alarm.ts) and the
   * reviewed-labels alarm go with the stage's alarms, and the rules that start it (eventrules/
   * retrain-on-*.json) with the others.
   */
  retrainingStateMachineArn?: string;
  /** Adds an email subscription to the failure topic (confirmation pending until its link is followed). */
  notifyEmail?: string;
  alarms?: Partial<AlarmSettings>;
  apply: boolean;
  /** Reports (and logs) each resource as it is done. */
  record: (change: ResourceChange) => ResourceChange;
}

export interface EventWiringResult {
  topicArn: string;
  /** Rule file id -> deployed rule ARN. */
  ruleArns: Record<string, string>;
}

/** Also matches the template's ARNs, whose partition, region and account are `${AWS::...}` (colons inside). */
const isStateMachineArn = (arn: string) => /^arn:.+:states:.+:stateMachine:[^:]+$/.test(arn);

/** Everything deployEventWiring deploys, as deploy and the template build it (pure: no AWS calls). */
export function eventWiringSpecs(input: Omit<EventWiringInput, 'apply' | 'record' | 'notifyEmail'>) {
  const { config, arn } = input;
  const names = eventResourceNames(config.stage);
  const tags = kitTags(config.stage);
  const alarmSettings = resolveAlarmSettings(input.alarms);
  const topicArn = arn.topic(names.notificationTopic);
  const rules = loadEventRules(
    eventRuleSubstitutionsFor({
      bucket: config.bucket,
      intakePrefix: config.intakePrefix,
      stateMachineArn: input.stateMachineArn,
      intakeStateMachineArn: input.intakeStateMachineArn,
      notificationTopicArn: topicArn,
      ...(input.retrainingStateMachineArn
        ? {
            retraining: {
              stateMachineArn: input.retrainingStateMachineArn,
              driftAlarmName: names.alarms.lowConfidenceShare,
              reviewedLabelsAlarmName: retrainingNames(config.stage).reviewedLabelsAlarm,
            },
          }
        : {}),
    }),
  );
  const ruleArnOf = (id: string) => arn.eventRule(names.rule(id));
  const targetsOf = (predicate: (target: Target) => boolean) =>
    rules.filter((rule) => rule.targets.some(predicate));
  const alarms = [
    ...stageAlarms({
      names: names.alarms,
      arnOf: arn.alarm,
      filterFunctionName: resourceNames(config.stage).functions.filter,
      stateMachineArn: input.stateMachineArn,
      intakeStateMachineArn: input.intakeStateMachineArn,
      topicArn,
      settings: alarmSettings,
      stage: config.stage,
      tags,
    }),
    ...(input.retrainingStateMachineArn
      ? [
          rolloutAlarmSpec({
            stage: config.stage,
            endpointName: config.endpointName,
            topicArn,
            arnOf: arn.alarm,
            tags,
          }),
          // No action: its ALARM event starts a retraining (a rule), not a notification.
          reviewedLabelsAlarm({
            stage: config.stage,
            arnOf: arn.alarm,
            settings: reviewedLabelsSettings(process.env),
            tags,
          }),
        ]
      : []),
  ];
  const topic: TopicSpec = {
    name: names.notificationTopic,
    arn: topicArn,
    displayName: `scones ${config.stage}`,
    policy: notificationTopicPolicy({
      topicArn,
      ruleArns: targetsOf((target) => target.Arn === topicArn).map((rule) => ruleArnOf(rule.id)),
      alarmArns: alarms.map((alarm) => alarm.arn),
      accountId: input.accountId,
    }),
    tags,
  };
  const stateMachineTargets = rules.flatMap((rule) =>
    rule.targets.filter((target) => isStateMachineArn(target.Arn)).map((target) => target.Arn),
  );
  const eventsRole: RoleSpec | undefined =
    stateMachineTargets.length === 0
      ? undefined
      : {
          name: names.eventsRole,
          arn: arn.role(names.eventsRole),
          description: `scones ${config.stage}: EventBridge starts the intake state machine for uploads`,
          trust: trustPolicy('events.amazonaws.com'),
          policyName: resourceNames(config.stage).inlinePolicy,
          policy: eventsRolePolicy({ stateMachineArns: [...new Set(stateMachineTargets)] }),
          tags,
        };
  /** The rules with their targets; a state machine target gets EventBridge's role (`roleArn`). */
  const ruleSpecs = (roleArn: string | undefined): (EventRuleSpec & { id: string })[] =>
    rules.map((rule) => ({
      id: rule.id,
      name: names.rule(rule.id),
      arn: ruleArnOf(rule.id),
      ...(rule.description ? { description: rule.description } : {}),
      eventPattern: rule.eventPattern as Record<string, unknown>,
      targets: rule.targets.map((target) =>
        isStateMachineArn(target.Arn) && roleArn ? { ...target, RoleArn: roleArn } : { ...target },
      ),
      tags,
    }));
  return { topic, eventsRole, ruleSpecs, alarms };
}

export async function deployEventWiring(input: EventWiringInput): Promise<EventWiringResult> {
  const { config, arn, apply, record } = input;
  const specs = eventWiringSpecs(input);
  const sns = createSnsClient(config);
  const topic = record(await ensureTopic(sns, specs.topic, apply));
  if (input.notifyEmail) {
    record(await ensureEmailSubscription(sns, { topicArn: topic.arn, email: input.notifyEmail, apply }));
  }
  const roleArn = specs.eventsRole
    ? record(await ensureRole(createIamClient(config), specs.eventsRole, apply)).arn
    : undefined;

  const events = createEventBridgeClient(config);
  const ruleArns: Record<string, string> = {};
  for (const { id, ...rule } of specs.ruleSpecs(roleArn)) {
    ruleArns[id] = record(await ensureEventRule(events, rule, apply)).arn;
  }

  // Last: S3 sends events only once the rules that route them exist.
  record(
    await ensureBucketEventBridge(createS3Client(config), {
      bucket: config.bucket,
      arn: arn.bucket,
      apply,
    }),
  );

  const cloudwatch = createCloudWatchClient(config);
  for (const alarm of specs.alarms) record(await ensureAlarm(cloudwatch, alarm, apply));
  return { topicArn: topic.arn, ruleArns };
}
