/**
 * Teardown of the event-driven part of a stage: finds, under the names the kit uses, the
 * EventBridge rules (one per file of `eventrules/`), the failure topic with its subscriptions (all
 * pages), the CloudWatch alarms (every alarm with the stage's prefix, all pages) and the bucket's
 * EventBridge notifications, keeping only what carries the stage's kit tags (subscriptions have no
 * tags: they are the tagged topic's). The Resource Groups Tagging API finds tagged rules, topics
 * and alarms of other names (discovery.ts). Removal: a rule's targets, then the rule; a
 * confirmed subscription is unsubscribed, a pending one goes with its topic.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  ListTagsForResourceCommand as ListAlarmTagsCommand,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  type EventBridgeClient,
  ListTagsForResourceCommand as ListRuleTagsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand as ListTopicTagsCommand,
  type SNSClient,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  createCloudWatchClient,
  createEventBridgeClient,
  createS3Client,
  createSnsClient,
} from '../../aws/clients.ts';
import { disableBucketEventBridge, notificationConfiguration } from '../../deploy/bucket-events.ts';
import { isRuleMissing, ruleTargets } from '../../deploy/event-rules.ts';
import { isTopicMissing, PENDING_CONFIRMATION, topicSubscriptions } from '../../deploy/notifications.ts';
import { EVENT_RULES_DIR } from '../../events/rules.ts';
import { arns, eventResourceNames, KIT_NAME } from '../../workflow/names.ts';
import { allPages, isKitTagged } from '../pages.ts';
import type { PromotionTarget } from '../target.ts';
import type { KitResource } from './types.ts';

/** The rule ids the kit deploys: the base names of `eventrules/*.json`. */
function ruleIds(): string[] {
  return readdirSync(EVENT_RULES_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => path.basename(name, '.json'));
}

async function rulesByName(events: EventBridgeClient, target: PromotionTarget): Promise<KitResource[]> {
  const names = eventResourceNames(target.stage);
  const found: KitResource[] = [];
  for (const name of ruleIds().map(names.rule)) {
    const rule = await events.send(new DescribeRuleCommand({ Name: name })).catch((error: unknown) => {
      if (isRuleMissing(error)) return undefined;
      throw error;
    });
    if (!rule?.Arn) continue;
    const { Tags } = await events.send(new ListRuleTagsCommand({ ResourceARN: rule.Arn }));
    if (isKitTagged(Tags, target.stage)) found.push({ type: 'eventbridge rule', name, arn: rule.Arn });
  }
  return found;
}

/** The stage's topic (when tagged as the kit's) and every subscription of it. */
async function topicByName(sns: SNSClient, target: PromotionTarget): Promise<KitResource[]> {
  const name = eventResourceNames(target.stage).notificationTopic;
  const arn = arns(target, target.config).topic(name);
  const exists = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn })).then(
    () => true,
    (error: unknown) => {
      if (isTopicMissing(error)) return false;
      throw error;
    },
  );
  if (!exists) return [];
  const { Tags } = await sns.send(new ListTopicTagsCommand({ ResourceArn: arn }));
  if (!isKitTagged(Tags, target.stage)) return [];
  return [{ type: 'sns topic', name, arn }, ...(await subscriptionsOf(sns, arn))];
}

async function subscriptionsOf(sns: SNSClient, topicArn: string): Promise<KitResource[]> {
  return (await topicSubscriptions(sns, topicArn)).map((subscription) => ({
    type: 'sns subscription' as const,
    name: `${subscription.protocol}:${subscription.endpoint}`,
    arn: subscription.arn,
    // A pending subscription has no ARN of its own (SNS answers "PendingConfirmation").
    status: subscription.arn === PENDING_CONFIRMATION ? 'pending confirmation' : 'confirmed',
  }));
}

/** Every alarm whose name has the stage's prefix (all pages), when tagged as the stage's. */
async function alarmsByPrefix(cloudwatch: CloudWatchClient, target: PromotionTarget): Promise<KitResource[]> {
  const alarms = await allPages(
    paginateDescribeAlarms(
      { client: cloudwatch, pageSize: 100 },
      { AlarmNamePrefix: `${KIT_NAME}-${target.stage}-`, AlarmTypes: ['MetricAlarm'] },
    ),
    (page) => page.MetricAlarms,
  );
  const found: KitResource[] = [];
  for (const alarm of alarms) {
    if (!alarm.AlarmArn || !alarm.AlarmName) continue;
    const { Tags } = await cloudwatch.send(new ListAlarmTagsCommand({ ResourceARN: alarm.AlarmArn }));
    if (isKitTagged(Tags, target.stage))
      found.push({ type: 'cloudwatch alarm', name: alarm.AlarmName, arn: alarm.AlarmArn });
  }
  return found;
}

/** The kit's bucket, when EventBridge notifications are on (the kit turned them on). */
async function bucketNotifications(target: PromotionTarget, bucketIsKits: boolean): Promise<KitResource[]> {
  if (!bucketIsKits) return [];
  const configuration = await notificationConfiguration(createS3Client(target.config), target.bucket);
  if (!configuration?.EventBridgeConfiguration) return [];
  return [
    {
      type: 's3 bucket notifications',
      name: target.bucket,
      arn: `arn:${target.partition}:s3:::${target.bucket}`,
    },
  ];
}

export async function eventResourcesByName(
  target: PromotionTarget,
  bucketIsKits: boolean,
): Promise<KitResource[]> {
  return [
    ...(await rulesByName(createEventBridgeClient(target.config), target)),
    ...(await topicByName(createSnsClient(target.config), target)),
    ...(await alarmsByPrefix(createCloudWatchClient(target.config), target)),
    ...(await bucketNotifications(target, bucketIsKits)),
  ];
}

/** Subscriptions of a topic the tagging API found (its subscriptions are not tagged). */
export async function subscriptionsOfTopics(
  target: PromotionTarget,
  topics: KitResource[],
): Promise<KitResource[]> {
  const sns = createSnsClient(target.config);
  const found: KitResource[] = [];
  for (const topic of topics) found.push(...(await subscriptionsOf(sns, topic.arn)));
  return found;
}

/** Removers of the event-driven resource types, in the order teardown uses them. */
export function eventRemovers(target: PromotionTarget) {
  const events = createEventBridgeClient(target.config);
  const sns = createSnsClient(target.config);
  const cloudwatch = createCloudWatchClient(target.config);
  const s3 = createS3Client(target.config);
  return {
    'eventbridge rule': async ({ name }: KitResource) => {
      try {
        // DeleteRule refuses a rule that still has targets.
        const targets = await ruleTargets(events, name);
        if (targets.length > 0) {
          await events.send(new RemoveTargetsCommand({ Rule: name, Ids: targets.map((t) => t.Id ?? '') }));
        }
        await events.send(new DeleteRuleCommand({ Name: name }));
      } catch (error) {
        // Found by the tagging API, which may list a rule for a while after it is gone.
        if (!isRuleMissing(error)) throw error;
      }
    },
    'sns subscription': async ({ arn }: KitResource) => {
      if (arn !== PENDING_CONFIRMATION) await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    },
    'sns topic': ({ arn }: KitResource) => sns.send(new DeleteTopicCommand({ TopicArn: arn })),
    's3 bucket notifications': ({ name }: KitResource) => disableBucketEventBridge(s3, name, true),
    'cloudwatch alarm': ({ name }: KitResource) =>
      cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [name] })),
  };
}
