/**
 * The failure-notification topic (SNS): created with the kit's tags, a display name and an access
 * policy that lets only the failure rule and the stage's alarms publish (policies.ts); and, with
 * `--notify-email`, an email subscription. AWS sends the address a confirmation message: the
 * subscription stays "PendingConfirmation" (and receives nothing) until its link is followed, which
 * is normal; the deploy says so rather than waiting for it.
 */
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  paginateListSubscriptionsByTopic,
  SetTopicAttributesCommand,
  type SNSClient,
  SubscribeCommand,
  TagResourceCommand,
} from '@aws-sdk/client-sns';
import { canonicalPolicy, type PolicyDocument } from './policies.ts';
import { missingTags, type ResourceChange } from './report.ts';

export interface TopicSpec {
  name: string;
  arn: string;
  displayName: string;
  policy: PolicyDocument;
  tags: Record<string, string>;
}

/** What SNS answers for a subscription whose endpoint has not confirmed yet. */
export const PENDING_CONFIRMATION = 'PendingConfirmation';

export function isTopicMissing(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? '';
  return name === 'NotFoundException' || name === 'NotFound';
}

async function topicAttributes(sns: SNSClient, arn: string): Promise<Record<string, string> | undefined> {
  try {
    return (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
  } catch (error) {
    if (isTopicMissing(error)) return undefined;
    throw error;
  }
}

export async function ensureTopic(sns: SNSClient, spec: TopicSpec, apply: boolean): Promise<ResourceChange> {
  const change: ResourceChange = {
    kind: 'topic',
    name: spec.name,
    arn: spec.arn,
    change: 'none',
    reasons: [],
  };
  const policy = JSON.stringify(spec.policy);
  const attributes = await topicAttributes(sns, spec.arn);
  if (!attributes) {
    change.change = 'create';
    if (!apply) return change;
    // CreateTopic of an existing name with the same attributes answers its ARN: a retry is harmless.
    const created = await sns.send(
      new CreateTopicCommand({
        Name: spec.name,
        Attributes: { DisplayName: spec.displayName, Policy: policy },
        Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    change.arn = created.TopicArn ?? spec.arn;
    return change;
  }

  const policyDiffers = canonicalPolicy(attributes.Policy) !== canonicalPolicy(spec.policy);
  const displayNameDiffers = (attributes.DisplayName ?? '') !== spec.displayName;
  const { Tags = [] } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: spec.arn }));
  const tagsToAdd = missingTags(spec.tags, Object.fromEntries(Tags.map((tag) => [tag.Key ?? '', tag.Value])));
  if (policyDiffers) change.reasons.push('access policy');
  if (displayNameDiffers) change.reasons.push('display name');
  if (Object.keys(tagsToAdd).length > 0) change.reasons.push('tags');
  if (change.reasons.length === 0) return change;
  change.change = 'update';
  if (!apply) return change;

  if (policyDiffers) {
    await sns.send(
      new SetTopicAttributesCommand({ TopicArn: spec.arn, AttributeName: 'Policy', AttributeValue: policy }),
    );
  }
  if (displayNameDiffers) {
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: spec.arn,
        AttributeName: 'DisplayName',
        AttributeValue: spec.displayName,
      }),
    );
  }
  if (Object.keys(tagsToAdd).length > 0) {
    const tags = Object.entries(tagsToAdd).map(([Key, Value]) => ({ Key, Value }));
    await sns.send(new TagResourceCommand({ ResourceArn: spec.arn, Tags: tags }));
  }
  return change;
}

export interface TopicSubscription {
  arn: string;
  protocol: string;
  endpoint: string;
}

/** Every subscription of the topic (all pages); none when the topic does not exist yet. */
export async function topicSubscriptions(sns: SNSClient, topicArn: string): Promise<TopicSubscription[]> {
  const found: TopicSubscription[] = [];
  try {
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
      for (const subscription of page.Subscriptions ?? []) {
        found.push({
          arn: subscription.SubscriptionArn ?? '',
          protocol: subscription.Protocol ?? '',
          endpoint: subscription.Endpoint ?? '',
        });
      }
    }
  } catch (error) {
    if (isTopicMissing(error)) return [];
    throw error;
  }
  return found;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class NotifyEmailError extends Error {
  override name = 'NotifyEmailError';
}

/** `--notify-email`: a plausible address, or a clear error before anything is changed. */
export function validateNotifyEmail(address: string): string {
  const trimmed = address.trim();
  if (!EMAIL.test(trimmed)) {
    throw new NotifyEmailError(`--notify-email "${address}" is not an email address (name@example.com)`);
  }
  return trimmed;
}

const PENDING_NOTE =
  'pending confirmation: AWS emails the address a link, nothing is delivered until it is followed';

export async function ensureEmailSubscription(
  sns: SNSClient,
  input: { topicArn: string; email: string; apply: boolean },
): Promise<ResourceChange> {
  const email = validateNotifyEmail(input.email);
  const change: ResourceChange = {
    kind: 'subscription',
    name: `email:${email}`,
    arn: PENDING_CONFIRMATION,
    change: 'none',
    reasons: [],
  };
  // SNS compares email endpoints as given; the domain part is case-insensitive everywhere.
  const existing = (await topicSubscriptions(sns, input.topicArn)).find(
    (subscription) =>
      subscription.protocol === 'email' && subscription.endpoint.toLowerCase() === email.toLowerCase(),
  );
  if (existing) {
    change.arn = existing.arn;
    // Subscribing again re-sends the confirmation email: only said, not done.
    if (existing.arn === PENDING_CONFIRMATION) change.reasons.push(PENDING_NOTE);
    return change;
  }
  change.change = 'create';
  change.reasons.push(PENDING_NOTE);
  if (!input.apply) return change;
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({ TopicArn: input.topicArn, Protocol: 'email', Endpoint: email }),
  );
  // Subscribe answers "pending confirmation" (lower case, a space) until the address confirms.
  change.arn = SubscriptionArn?.startsWith('arn:') ? SubscriptionArn : PENDING_CONFIRMATION;
  return change;
}
