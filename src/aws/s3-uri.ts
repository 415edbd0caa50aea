/** `s3://bucket/key` URIs, as the kit's CLI, artifacts and data capture take them. */

export interface S3Location {
  bucket: string;
  /** Everything after `bucket/`; '' for the bucket itself. */
  key: string;
}

const S3_URI = /^s3:\/\/([^/]+)\/?(.*)$/;

/** The bucket and key of an s3:// URI; undefined when `uri` is not one (callers say why it must be). */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = S3_URI.exec(uri);
  return match ? { bucket: match[1] as string, key: match[2] as string } : undefined;
}
