/** The bucket of images, review items and captured traffic: created when missing, tagged. */
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  type CreateBucketCommandInput,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  PutBucketTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { missingTags, type ResourceChange } from './report.ts';

function isMissing(error: unknown, ...names: string[]): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return names.includes(e.name ?? '') || e.$metadata?.httpStatusCode === 404;
}

async function currentTags(s3: S3Client, bucket: string): Promise<Record<string, string>> {
  try {
    const { TagSet = [] } = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return Object.fromEntries(TagSet.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  } catch (error) {
    if (isMissing(error, 'NoSuchTagSet', 'NoSuchTagSetError')) return {};
    throw error;
  }
}

export async function ensureBucket(
  s3: S3Client,
  input: { bucket: string; region: string; arn: string; tags: Record<string, string>; apply: boolean },
): Promise<ResourceChange> {
  const change: ResourceChange = {
    kind: 'bucket',
    name: input.bucket,
    arn: input.arn,
    change: 'none',
    reasons: [],
  };
  let exists = true;
  try {
    await s3.send(new HeadBucketCommand({ Bucket: input.bucket }));
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
      // Bucket names are global: a 403 is usually someone else's bucket of that name.
      throw new Error(
        `Bucket ${input.bucket} exists but is not accessible with these credentials (owned by another account?); set SCONES_BUCKET to another name`,
        { cause: error },
      );
    }
    if (!isMissing(error, 'NotFound', 'NoSuchBucket')) throw error;
    exists = false;
  }
  const existingTags = exists ? await currentTags(s3, input.bucket) : {};
  const toAdd = missingTags(input.tags, existingTags);
  if (!exists) change.change = 'create';
  else if (Object.keys(toAdd).length > 0) Object.assign(change, { change: 'update', reasons: ['tags'] });
  if (!input.apply || change.change === 'none') return change;

  if (!exists) {
    // us-east-1 is the one region that refuses an explicit LocationConstraint.
    const location: CreateBucketCommandInput['CreateBucketConfiguration'] =
      input.region === 'us-east-1'
        ? undefined
        : { LocationConstraint: input.region as BucketLocationConstraint };
    await s3.send(new CreateBucketCommand({ Bucket: input.bucket, CreateBucketConfiguration: location }));
  }
  // PutBucketTagging replaces the whole set: keep tags others put on the bucket.
  const TagSet = Object.entries({ ...existingTags, ...input.tags }).map(([Key, Value]) => ({ Key, Value }));
  await s3.send(new PutBucketTaggingCommand({ Bucket: input.bucket, Tagging: { TagSet } }));
  return change;
}
