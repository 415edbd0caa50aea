/**
 * The event-driven part of a promotion against moto server: the plan lists the bucket's
 * EventBridge notifications, the rules, EventBridge's role, the failure topic, the email
 * subscription and the alarms with their cost; promote creates them as the rule files and IAM
 * documents say (a notification configuration already on the bucket is kept); a second promotion
 * changes nothing; drift is repaired; teardown removes every one of them (with --keep-data the
 * bucket stays, its other notification configuration too) and then finds nothing.
 *
 * moto confirms email subscriptions at once (AWS leaves them "PendingConfirmation" until the link
 * in the email is followed), so the subscription is checked by endpoint, not by its pending state.
 */
import {
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeRuleCommand,
  ListTagsForResourceCommand as ListRuleTagsCommand,
  ListTargetsByRuleCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SetTopicAttributesCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCloudWatchClient,
  createEventBridgeClient,
  createIamClient,
  createS3Client,
  createSnsClient,
} from '../../src/aws/clients.ts';
import type { KitConfig } from '../../src/config.ts';
import { type BundleInfo, resourceNames } from '../../src/deploy/index.ts';
import { eventRuleSubstitutionsFor, loadEventRules } from '../../src/events/rules.ts';
import {
  type PromoteOptions,
  planPromotion,
  promote,
  renderPlan,
  teardown,
} from '../../src/promote/index.ts';
import { eventResourceNames, retrainingNames } from '../../src/workflow/names.ts';
import { type MotoHarness, startMotoHarness } from './support/moto-harness.ts';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const STAGE = 'motoev';
const BUCKET = `scones-${STAGE}-${ACCOUNT}-${REGION}`;
const EMAIL = 'ops@example.com';
const names = resourceNames(STAGE);
const events = eventResourceNames(STAGE);
const arn = {
  stateMachine: (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`,
  rule: (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`,
  topic: `arn:aws:sns:${REGION}:${ACCOUNT}:${events.notificationTopic}`,
  alarm: (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
  role: (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`,
};
// The stage's alarms and the retraining's rollout alarm (src/workflow/rollout-alarm.ts).
const ROLLOUT_ALARM = retrainingNames(STAGE).rolloutAlarm;
const REVIEWED_LABELS_ALARM = retrainingNames(STAGE).reviewedLabelsAlarm;
const ALARMS = [...Object.values(events.alarms), ROLLOUT_ALARM, REVIEWED_LABELS_ALARM];
const EVENT_TYPES = [
  'sns topic',
  'sns subscription',
  'eventbridge rule',
  's3 bucket notifications',
  'cloudwatch alarm',
];

let harness: MotoHarness;
let config: KitConfig;
let bundles: BundleInfo[];
/** A notification configuration someone else put on the bucket before the kit's first promotion. */
let otherTopicArn: string;

function options(extra: Partial<PromoteOptions> = {}): PromoteOptions {
  return {
    config,
    region: REGION,
    stage: STAGE,
    pollIntervalMs: 5,
    smokeTest: false,
    smokeSkipReason: 'moto runs no Lambda: no smoke execution here (promote.moto.test.ts)',
    bundles,
    notifyEmail: EMAIL,
    alarmLowConfidenceShare: 0.5,
    alarmPeriodMinutes: 10,
    ...extra,
  };
}

const eventActions = (actions: { change: string; resourceType: string; name: string }[]) =>
  actions
    .filter((item) => EVENT_TYPES.includes(item.resourceType) || item.name === events.eventsRole)
    .map((item) => `${item.change} ${item.resourceType} ${item.name}`);

const tagsOf = (tags: { Key?: string; Value?: string }[] | undefined) =>
  Object.fromEntries((tags ?? []).map((tag) => [tag.Key, tag.Value]));
const KIT_TAGS = { 'scones:kit': 'scones', 'scones:stage': STAGE };

beforeAll(async () => {
  harness = await startMotoHarness();
  ({ config, bundles } = harness);
  const scoped = { ...config, bucket: BUCKET };
  await createS3Client(scoped).send(new CreateBucketCommand({ Bucket: BUCKET }));
  otherTopicArn =
    (await createSnsClient(scoped).send(new CreateTopicCommand({ Name: 'another-teams-topic' }))).TopicArn ??
    '';
  await createS3Client(scoped).send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      NotificationConfiguration: {
        TopicConfigurations: [{ Id: 'theirs', TopicArn: otherTopicArn, Events: ['s3:ObjectRemoved:*'] }],
      },
    }),
  );
}, 600_000);

afterAll(async () => {
  await harness?.stop();
});

async function bucketNotifications() {
  const { $metadata: _, ...configuration } = await createS3Client(config).send(
    new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }),
  );
  return configuration;
}

describe('the event-driven part of a promotion, against moto', () => {
  it('plans the notifications, rules, role, topic, subscription and alarms, with their cost', async () => {
    const plan = await planPromotion(options());
    expect(eventActions(plan.actions)).toEqual([
      `create sns topic ${events.notificationTopic}`,
      `create sns subscription email:${EMAIL}`,
      `create iam role ${events.eventsRole}`,
      `create eventbridge rule ${events.rule('execution-failed')}`,
      `create eventbridge rule ${events.rule('image-uploaded')}`,
      `create eventbridge rule ${events.rule('retrain-on-drift-alarm')}`,
      `create eventbridge rule ${events.rule('retrain-on-reviewed-labels')}`,
      // The bucket exists already (with another configuration): EventBridge is added beside it.
      `create s3 bucket notifications ${BUCKET}`,
      `create cloudwatch alarm ${events.alarms.lowConfidenceShare}`,
      `create cloudwatch alarm ${events.alarms.classificationFailures}`,
      `create cloudwatch alarm ${events.alarms.intakeFailures}`,
      `create cloudwatch alarm ${ROLLOUT_ALARM}`,
      `create cloudwatch alarm ${REVIEWED_LABELS_ALARM}`,
    ]);
    expect(plan.actions.find((item) => item.resourceType === 's3 bucket notifications')?.detail).toBe(
      'EventBridge on, keeping TopicConfigurations',
    );
    expect(plan.actions.find((item) => item.resourceType === 'sns subscription')?.detail).toMatch(
      /^pending confirmation/,
    );
    const cost = Object.fromEntries(plan.cost.lines.map((line) => [line.item, line]));
    expect(cost['EventBridge (4 rules) + intake']?.usd).toBeCloseTo(0.075, 6);
    expect(cost['failure notifications (SNS)']?.usd).toBeCloseTo(0.0205, 6);
    expect(cost['CloudWatch alarms (5)']).toMatchObject({ usd: 0.5, period: 'per month' });
    expect(cost['CloudWatch custom metrics (Lambda EMF)']?.period).toBe('per month');
    expect(plan.cost.sources).toContain('https://aws.amazon.com/eventbridge/pricing/');
    expect(renderPlan(plan)).toMatch(/create +cloudwatch alarm +scones-motoev-low-confidence-share/);
    // Planning changed nothing.
    expect((await bucketNotifications()).EventBridgeConfiguration).toBeUndefined();
  }, 120_000);

  it("promotes them as the rule files and IAM documents say, keeping the bucket's other notifications", async () => {
    const result = await promote(options(), { yes: true, onProgress: () => {} });
    expect(eventActions(result.actions).every((line) => line.startsWith('create'))).toBe(true);

    const notifications = await bucketNotifications();
    expect(notifications.EventBridgeConfiguration).toEqual({});
    expect(notifications.TopicConfigurations?.map((c) => [c.Id, c.TopicArn])).toEqual([
      ['theirs', otherTopicArn],
    ]);

    // Rules: the pattern and targets of the files, with this stage's substitutions.
    const intakeArn = arn.stateMachine(names.intakeStateMachine);
    const rules = loadEventRules(
      eventRuleSubstitutionsFor({
        bucket: BUCKET,
        intakePrefix: 'incoming/',
        stateMachineArn: arn.stateMachine(names.stateMachine),
        intakeStateMachineArn: intakeArn,
        notificationTopicArn: arn.topic,
      }),
    );
    const eventbridge = createEventBridgeClient(config);
    for (const rule of rules) {
      const name = events.rule(rule.id);
      const described = await eventbridge.send(new DescribeRuleCommand({ Name: name }));
      expect(described).toMatchObject({
        State: 'ENABLED',
        Arn: arn.rule(name),
        Description: rule.description,
      });
      expect(JSON.parse(described.EventPattern ?? '{}')).toEqual(rule.eventPattern);
      const { Targets = [] } = await eventbridge.send(new ListTargetsByRuleCommand({ Rule: name }));
      expect(Targets.map((t) => ({ Id: t.Id, Arn: t.Arn, InputTransformer: t.InputTransformer }))).toEqual(
        rule.targets,
      );
      const { Tags } = await eventbridge.send(new ListRuleTagsCommand({ ResourceARN: arn.rule(name) }));
      expect(tagsOf(Tags)).toMatchObject(KIT_TAGS);
    }
    const uploadTargets = await eventbridge.send(
      new ListTargetsByRuleCommand({ Rule: events.rule('image-uploaded') }),
    );
    expect(uploadTargets.Targets?.map((t) => [t.Arn, t.RoleArn])).toEqual([
      [intakeArn, arn.role(events.eventsRole)],
    ]);
    const failureTargets = await eventbridge.send(
      new ListTargetsByRuleCommand({ Rule: events.rule('execution-failed') }),
    );
    expect(failureTargets.Targets?.map((t) => [t.Arn, t.RoleArn])).toEqual([[arn.topic, undefined]]);

    // EventBridge's role: trusted by events.amazonaws.com, StartExecution on the intake only.
    const iam = createIamClient(config);
    const role = await iam.send(new GetRoleCommand({ RoleName: events.eventsRole }));
    expect(JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '{}')).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(tagsOf(role.Role?.Tags)).toMatchObject(KIT_TAGS);
    const policy = await iam.send(
      new GetRolePolicyCommand({ RoleName: events.eventsRole, PolicyName: names.inlinePolicy }),
    );
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument ?? '{}')).Statement).toEqual([
      {
        Sid: 'StartTargetExecutions',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        // The intake (uploads) and the retraining (its alarms' rules), nothing else.
        Resource: [intakeArn, arn.stateMachine(retrainingNames(STAGE).stateMachine)],
      },
    ]);

    // The topic: only the failure rule (EventBridge) and the stage's alarms (CloudWatch) may publish.
    const sns = createSnsClient(config);
    const { Attributes = {} } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn.topic }));
    expect(Attributes.DisplayName).toBe(`scones ${STAGE}`);
    expect(JSON.parse(Attributes.Policy ?? '{}').Statement).toEqual([
      {
        Sid: 'FailureRulePublishes',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: arn.topic,
        Condition: { ArnEquals: { 'aws:SourceArn': [arn.rule(events.rule('execution-failed'))] } },
      },
      {
        Sid: 'StageAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: arn.topic,
        Condition: {
          ArnEquals: { 'aws:SourceArn': ALARMS.map(arn.alarm).sort() },
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
        },
      },
    ]);
    const { Subscriptions = [] } = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: arn.topic }),
    );
    expect(Subscriptions.map((s) => [s.Protocol, s.Endpoint])).toEqual([['email', EMAIL]]);

    // Alarms with the thresholds given, each notifying the topic on ALARM and OK, tagged.
    const cloudwatch = createCloudWatchClient(config);
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ALARMS }));
    const byName = Object.fromEntries(MetricAlarms.map((alarm) => [alarm.AlarmName, alarm]));
    expect(byName[events.alarms.lowConfidenceShare]).toMatchObject({
      Namespace: 'Scones',
      MetricName: 'LowConfidence',
      Statistic: 'Average',
      Period: 600,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 0.5,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [arn.topic],
      OKActions: [arn.topic],
    });
    expect(byName[events.alarms.lowConfidenceShare]?.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'service', Value: 'scones' },
        { Name: 'function_name', Value: names.functions.filter },
      ]),
    );
    for (const [alarm, machine] of [
      [events.alarms.classificationFailures, names.stateMachine],
      [events.alarms.intakeFailures, names.intakeStateMachine],
    ] as const) {
      expect(byName[alarm]).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: 'ExecutionsFailed',
        Dimensions: [{ Name: 'StateMachineArn', Value: arn.stateMachine(machine) }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [arn.topic],
      });
    }
    // The rollout alarm: the endpoint's 5xx, notifying on ALARM only, as every tier puts it.
    expect(byName[ROLLOUT_ALARM]).toMatchObject({
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [arn.topic],
    });
    expect(byName[ROLLOUT_ALARM]?.OKActions ?? []).toEqual([]);
    for (const alarm of ALARMS) {
      const { Tags } = await cloudwatch.send(
        new ListTagsForResourceCommand({ ResourceARN: arn.alarm(alarm) }),
      );
      expect(tagsOf(Tags)).toMatchObject(KIT_TAGS);
    }
  }, 240_000);

  it('changes nothing on a second promotion', async () => {
    const plan = await planPromotion(options());
    expect(plan.actions.filter((item) => ['create', 'update'].includes(item.change))).toEqual([]);
  }, 120_000);

  it('repairs drift: a removed target, a widened topic policy, a changed alarm, notifications turned off', async () => {
    await createEventBridgeClient(config).send(
      new RemoveTargetsCommand({ Rule: events.rule('image-uploaded'), Ids: ['image-intake'] }),
    );
    await createSnsClient(config).send(
      new SetTopicAttributesCommand({
        TopicArn: arn.topic,
        AttributeName: 'Policy',
        AttributeValue: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: arn.topic }],
        }),
      }),
    );
    const cloudwatch = createCloudWatchClient(config);
    const [lowConfidence] =
      (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [events.alarms.lowConfidenceShare] })))
        .MetricAlarms ?? [];
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        ...(lowConfidence as Required<typeof lowConfidence>),
        AlarmName: events.alarms.lowConfidenceShare,
        Threshold: 0.99,
      } as ConstructorParameters<typeof PutMetricAlarmCommand>[0]),
    );
    await createS3Client(config).send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: {
          TopicConfigurations: [{ Id: 'theirs', TopicArn: otherTopicArn, Events: ['s3:ObjectRemoved:*'] }],
        },
      }),
    );

    const plan = await planPromotion(options());
    const changing = plan.actions.filter((item) => ['create', 'update'].includes(item.change));
    expect(changing.map((item) => `${item.change} ${item.name} (${item.detail})`)).toEqual([
      `update ${events.notificationTopic} (access policy)`,
      `update ${events.rule('image-uploaded')} (targets)`,
      `create ${BUCKET} (EventBridge on, keeping TopicConfigurations)`,
      `update ${events.alarms.lowConfidenceShare} (configuration)`,
    ]);
    await promote(options(), { yes: true, onProgress: () => {} });
    expect((await planPromotion(options())).hasChanges).toBe(false);
    const { Targets = [] } = await createEventBridgeClient(config).send(
      new ListTargetsByRuleCommand({ Rule: events.rule('image-uploaded') }),
    );
    expect(Targets.map((t) => t.Id)).toEqual(['image-intake']);
  }, 240_000);

  it('tears down with --keep-data: every event resource goes, the bucket and its other notifications stay', async () => {
    const planned = await teardown({ ...options(), keepData: true, plan: true });
    const plannedEvents = planned.deleted
      .filter((item) => EVENT_TYPES.includes(item.type))
      .map((item) => `${item.type} ${item.name}`);
    // Rules (their targets first) before the topic they publish to; the alarms in any order.
    expect(plannedEvents.slice(0, 7)).toEqual([
      `eventbridge rule ${events.rule('execution-failed')}`,
      `eventbridge rule ${events.rule('image-uploaded')}`,
      `eventbridge rule ${events.rule('retrain-on-drift-alarm')}`,
      `eventbridge rule ${events.rule('retrain-on-reviewed-labels')}`,
      `sns subscription email:${EMAIL}`,
      `sns topic ${events.notificationTopic}`,
      `s3 bucket notifications ${BUCKET}`,
    ]);
    expect(plannedEvents.slice(7).sort()).toEqual(ALARMS.map((alarm) => `cloudwatch alarm ${alarm}`).sort());
    const report = await teardown({ ...options(), keepData: true });
    expect(report.deleted.map((item) => item.name)).toEqual(
      expect.arrayContaining([events.eventsRole, names.intakeStateMachineRole, ...ALARMS]),
    );

    const eventbridge = createEventBridgeClient(config);
    for (const id of ['execution-failed', 'image-uploaded']) {
      await expect(
        eventbridge.send(new DescribeRuleCommand({ Name: events.rule(id) })),
      ).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    }
    await expect(
      createSnsClient(config).send(new GetTopicAttributesCommand({ TopicArn: arn.topic })),
    ).rejects.toThrow();
    const left = await createCloudWatchClient(config).send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `scones-${STAGE}-` }),
    );
    expect(left.MetricAlarms).toEqual([]);
    await expect(
      createIamClient(config).send(new GetRoleCommand({ RoleName: events.eventsRole })),
    ).rejects.toThrow();
    const notifications = await bucketNotifications();
    expect(notifications.EventBridgeConfiguration).toBeUndefined();
    expect(notifications.TopicConfigurations?.map((c) => c.Id)).toEqual(['theirs']);

    const again = await teardown({ ...options(), keepData: true });
    expect(again.deleted).toEqual([]);
  }, 240_000);
});
