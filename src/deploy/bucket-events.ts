/**
 * The bucket's EventBridge notifications: S3 sends every object event of the bucket to the
 * account's default event bus once `EventBridgeConfiguration` is in its notification
 * configuration (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html); the
 * upload rule picks the uploads out. PutBucketNotificationConfiguration replaces the whole
 * configuration, so the topic, queue and Lambda configurations already there are sent back with it.
 */
import {
  GetBucketNotificationConfigurationCommand,
  type NotificationConfiguration,
  PutBucketNotificationConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ResourceChange } from './report.ts';

function isMissingBucket(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404;
}

/** The bucket's notification configuration without the response metadata; undefined: no bucket. */
export async function notificationConfiguration(
  s3: S3Client,
  bucket: string,
): Promise<NotificationConfiguration | undefined> {
  try {
    const { $metadata: _metadata, ...configuration } = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
    );
    return configuration;
  } catch (error) {
    if (isMissingBucket(error)) return undefined;
    throw error;
  }
}

/** The configuration with EventBridge on (`on`) or off, everything else kept. */
function withEventBridge(configuration: NotificationConfiguration, on: boolean): NotificationConfiguration {
  const { EventBridgeConfiguration: _previous, ...others } = configuration;
  return on ? { ...others, EventBridgeConfiguration: {} } : others;
}

export async function ensureBucketEventBridge(
  s3: S3Client,
  input: { bucket: string; arn: string; apply: boolean },
): Promise<ResourceChange> {
  const change: ResourceChange = {
    kind: 'bucket-events',
    name: input.bucket,
    arn: input.arn,
    change: 'none',
    reasons: [],
  };
  // A bucket this deployment has not made yet (plan mode) has no configuration at all.
  const current = (await notificationConfiguration(s3, input.bucket)) ?? {};
  if (current.EventBridgeConfiguration) return change;
  const kept = ['TopicConfigurations', 'QueueConfigurations', 'LambdaFunctionConfigurations'].filter(
    (key) => ((current as Record<string, unknown[] | undefined>)[key] ?? []).length > 0,
  );
  change.change = 'create';
  change.reasons.push(
    kept.length > 0 ? `EventBridge on, keeping ${kept.join(', ')}` : 'EventBridge notifications on',
  );
  if (!input.apply) return change;
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: input.bucket,
      NotificationConfiguration: withEventBridge(current, true),
    }),
  );
  return change;
}

/** Teardown: EventBridge notifications off, any other configuration kept. False: they were not on. */
export async function disableBucketEventBridge(
  s3: S3Client,
  bucket: string,
  apply: boolean,
): Promise<boolean> {
  const current = await notificationConfiguration(s3, bucket);
  if (!current?.EventBridgeConfiguration) return false;
  if (apply) {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: withEventBridge(current, false),
      }),
    );
  }
  return true;
}
