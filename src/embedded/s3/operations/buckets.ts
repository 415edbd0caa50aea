/** Bucket operations of the local S3 server: ListBuckets, Create/Head/Delete, GetBucketLocation. */
import type { Answer } from '../../gateway/index.ts';
import { s3Errors } from '../protocol/errors.ts';
import { emptyAnswer, xmlAnswer } from '../protocol/http.ts';
import { escapeXml, parseLocationConstraint, xmlDocument } from '../protocol/xml.ts';
import { readSmallBody } from '../store/body.ts';
import { BUCKET_NAME_PATTERN, DEFAULT_REGION } from '../store/store.ts';
import type { S3Context, S3Request } from '../types.ts';
import { existingBucket } from './objects.ts';

export const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'scones',
};
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const MAX_CONFIGURATION_BYTES = 64 << 10;

export function listBuckets(context: S3Context): Answer {
  const buckets = [...context.store.buckets.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((bucket) => ({
      Name: bucket.name,
      CreationDate: bucket.created.toISOString(),
      BucketRegion: bucket.region,
    }));
  return xmlAnswer(
    200,
    xmlDocument('ListAllMyBucketsResult', { Owner: OWNER, Buckets: { Bucket: buckets } }),
  );
}

/**
 * CreateBucket with an optional `CreateBucketConfiguration.LocationConstraint` (us-east-1 is the
 * absence of one; naming it is InvalidLocationConstraint, as S3 answers; a body that is not that
 * document is MalformedXML). Re-creating a bucket you own answers 200 in us-east-1 and 409
 * BucketAlreadyOwnedByYou in every other region
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html, "Errors").
 */
export async function createBucket(context: S3Context, request: S3Request): Promise<Answer> {
  const { bucket } = request;
  if (!BUCKET_NAME_PATTERN.test(bucket) || bucket.includes('..')) throw s3Errors.invalidBucketName(bucket);
  const constraint = parseLocationConstraint(
    await readSmallBody(request.raw, MAX_CONFIGURATION_BYTES, context.store.files),
  );
  if (
    constraint !== undefined &&
    (constraint === DEFAULT_REGION || (constraint !== 'EU' && !REGION_PATTERN.test(constraint)))
  ) {
    throw s3Errors.invalidLocationConstraint(constraint);
  }
  const region = constraint === undefined ? DEFAULT_REGION : constraint === 'EU' ? 'eu-west-1' : constraint;
  const existing = context.store.buckets.get(bucket);
  if (existing) {
    if (existing.region === DEFAULT_REGION && region === DEFAULT_REGION)
      return emptyAnswer(200, { location: `/${bucket}` });
    throw s3Errors.bucketAlreadyOwnedByYou(bucket);
  }
  await context.store.createBucket(bucket, region, constraint);
  return emptyAnswer(200, { location: `/${bucket}` });
}

export function headBucket(context: S3Context, request: S3Request): Answer {
  const bucket = existingBucket(context, request.bucket);
  return emptyAnswer(200, { 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' });
}

/**
 * GetBucketLocation: the LocationConstraint the bucket was created with (`EU` stays `EU`, though
 * the bucket is in eu-west-1); a bucket in us-east-1 has none, sent as an empty element
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html, "Response Elements":
 * "Buckets in Region us-east-1 have a LocationConstraint of null").
 */
export function bucketLocation(context: S3Context, request: S3Request): Answer {
  const bucket = existingBucket(context, request.bucket);
  const constraint = bucket.locationConstraint ?? (bucket.region === DEFAULT_REGION ? '' : bucket.region);
  return xmlAnswer(
    200,
    xmlDocument('LocationConstraint', {}).replace(
      '></LocationConstraint>',
      `>${escapeXml(constraint)}</LocationConstraint>`,
    ),
  );
}

/** DeleteBucket: BucketNotEmpty while objects remain; uploads still in progress are aborted. */
export async function deleteBucket(context: S3Context, request: S3Request): Promise<Answer> {
  const bucket = existingBucket(context, request.bucket);
  if (bucket.objects.size > 0) throw s3Errors.bucketNotEmpty(request.bucket);
  for (const upload of context.uploads.list(request.bucket)) await context.uploads.abort(upload);
  await context.store.deleteBucket(request.bucket);
  return emptyAnswer(204);
}
