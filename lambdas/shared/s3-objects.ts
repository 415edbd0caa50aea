/**
 * The few S3 calls the retraining Lambdas make, behind one small interface (the pure functions take
 * it, so a test can hand them any bucket): list every page, read bytes or text, write, copy.
 */
import {
  CopyObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface ObjectStore {
  /** Every key under the prefix, in key order (all pages). */
  list(bucket: string, prefix: string): Promise<string[]>;
  /** The object's bytes; undefined when it does not exist. */
  read(bucket: string, key: string): Promise<Uint8Array | undefined>;
  write(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  copy(bucket: string, fromKey: string, toKey: string): Promise<void>;
}

export function s3ObjectStore(s3: S3Client): ObjectStore {
  return {
    async list(bucket, prefix) {
      const keys: string[] = [];
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      }
      return keys;
    },
    async read(bucket, key) {
      try {
        const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Body ? await Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async write(bucket, key, body, contentType) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async copy(bucket, fromKey, toKey) {
      const source = `${bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: toKey, CopySource: source }));
    },
  };
}

/** `s3://bucket/key`. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Runs `work` on every item, at most `limit` at once. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
