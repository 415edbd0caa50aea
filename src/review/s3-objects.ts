/** The few S3 calls review needs, with S3's answers turned into values: absent, created or not. */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

interface S3ErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

const statusOf = (error: unknown) => (error as S3ErrorShape | null)?.$metadata?.httpStatusCode;
const nameOf = (error: unknown) => (error as S3ErrorShape | null)?.name;

export const isMissing = (error: unknown) => nameOf(error) === 'NoSuchKey' || statusOf(error) === 404;

export interface ObjectText {
  text: string;
  lastModified: Date | undefined;
  /** The object was larger than asked for: `text` is empty, the body was not read. */
  tooLarge: boolean;
}

/** The object as text, or undefined when there is none; bodies above `maxBytes` are not read. */
export async function getText(
  s3: S3Client,
  bucket: string,
  key: string,
  maxBytes: number,
): Promise<ObjectText | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const lastModified = response.LastModified;
    if ((response.ContentLength ?? 0) > maxBytes) {
      (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return { text: '', lastModified, tooLarge: true };
    }
    return { text: (await response.Body?.transformToString('utf8')) ?? '', lastModified, tooLarge: false };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Creates the object only if the key is free (`If-None-Match: *`); false when it already exists.
 * S3 answers 412 when the key exists and 409 ConditionalRequestConflict when another conditional
 * write to the key is in flight ("retry on 409": Amazon S3 User Guide, conditional writes); the
 * retry then meets the winner's object and gets 412.
 */
export async function createIfAbsent(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  contentType: string,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          IfNoneMatch: '*',
        }),
      );
      return true;
    } catch (error) {
      if (statusOf(error) === 412 || nameOf(error) === 'PreconditionFailed') return false;
      if ((statusOf(error) === 409 || nameOf(error) === 'ConditionalRequestConflict') && attempt < 5) {
        await new Promise((done) => setTimeout(done, 20 * 2 ** attempt));
        continue;
      }
      throw error;
    }
  }
}

export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

export async function copyObject(s3: S3Client, bucket: string, from: string, to: string): Promise<void> {
  const source = `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
  await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: source }));
}
