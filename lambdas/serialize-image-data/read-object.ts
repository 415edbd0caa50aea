/**
 * Reads an S3 object into memory without ever holding more than the byte limit: the declared
 * ContentLength is checked before any byte is read, and the stream is counted (and abandoned) as
 * it arrives, in case the length was absent or wrong.
 */
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { BucketNotFound, ImageNotFound, ImageTooLarge } from '../../src/workflow/errors.ts';

export interface ObjectLocation {
  bucket: string;
  key: string;
}

export function s3Uri({ bucket, key }: ObjectLocation): string {
  return `s3://${bucket}/${key}`;
}

function mapGetObjectError(error: unknown, location: ObjectLocation): unknown {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'NoSuchKey') {
    return new ImageNotFound(
      `No object ${s3Uri(location)}: key "${location.key}" does not exist in bucket "${location.bucket}"`,
      { cause: error },
    );
  }
  if (name === 'NoSuchBucket') {
    return new BucketNotFound(`Bucket "${location.bucket}" does not exist (reading key "${location.key}")`, {
      cause: error,
    });
  }
  // Anything else (AccessDenied, throttling after the SDK's retries...) keeps its name, which
  // becomes the Fail state's Error; the message gains the object it concerns.
  if (error instanceof Error) error.message = `GetObject ${s3Uri(location)} failed: ${error.message}`;
  return error;
}

function tooLarge(location: ObjectLocation, size: string, maxBytes: number): ImageTooLarge {
  return new ImageTooLarge(`${s3Uri(location)} is ${size} bytes; the limit is ${maxBytes} bytes`);
}

export async function readObjectWithinLimit(
  s3: S3Client,
  location: ObjectLocation,
  maxBytes: number,
): Promise<Buffer> {
  let response: GetObjectCommandOutput;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  } catch (error) {
    throw mapGetObjectError(error, location);
  }
  // In Node the body is a Readable: async-iterable, and destroyed when the loop below throws.
  const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  if (response.ContentLength !== undefined && response.ContentLength > maxBytes) {
    body?.destroy?.();
    throw tooLarge(location, String(response.ContentLength), maxBytes);
  }
  if (!body) return Buffer.alloc(0);

  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += chunk.byteLength;
    if (received > maxBytes) throw tooLarge(location, `more than ${maxBytes}`, maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, received);
}
