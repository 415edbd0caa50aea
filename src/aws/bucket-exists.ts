import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';

/** Whether `bucket` exists (HeadBucket); a 404 (NotFound, NoSuchBucket) is "no", other errors are thrown. */
export async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
}
