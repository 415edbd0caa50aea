/**
 * The stack's code bucket: where `scones deploy --via cloudformation` puts the Lambda zips and the
 * template before it creates a change set. Keys are content-addressed (the zip's SHA-256), so a
 * rebuilt but unchanged bundle keeps its key and CloudFormation sees no change, while a changed one
 * gets a new key and CloudFormation updates the function's code.
 *
 * The template goes up too: CreateChangeSet's `TemplateBody` is limited to 51,200 bytes and the
 * kit's template is about 80 KB minified; `TemplateURL` takes up to 1 MB (AWS CloudFormation
 * quotas; MiniStack enforces the same body limit).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ensureBucket } from '../deploy/bucket.ts';
import type { BundleInfo } from '../deploy/index.ts';
import { kitTags } from '../workflow/names.ts';
import { BUNDLE_KEYS, CODE_BUCKET, codeKeyParameter } from './parameters.ts';
import type { CfnTemplate } from './types.ts';

/** CreateChangeSet's TemplateBody limit; a TemplateURL object may hold up to 1 MB. */
export const TEMPLATE_BODY_LIMIT_BYTES = 51_200;
export const TEMPLATE_URL_LIMIT_BYTES = 1_000_000;

export class TemplateTooLargeError extends Error {
  override name = 'TemplateTooLargeError';
}

export interface CodeBucketTarget {
  s3: S3Client;
  bucket: string;
  stage: string;
  region: string;
  /** How CloudFormation reaches the bucket's objects: `https://<bucket>.s3.<region>.amazonaws.com` on AWS. */
  objectUrl: (key: string) => string;
}

export interface UploadedCode {
  /** CodeBucket and CodeKey<Function> parameter values. */
  parameters: Record<string, string>;
  templateUrl: string;
  /** Keys written by this call (the rest were already there). */
  uploaded: string[];
}

const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
}

async function putOnce(target: CodeBucketTarget, key: string, body: Uint8Array, contentType: string) {
  if (await exists(target.s3, target.bucket, key)) return false;
  await target.s3.send(
    new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: body, ContentType: contentType }),
  );
  return true;
}

/** Creates the code bucket when missing (tagged as every kit resource), uploads bundles and template. */
export async function uploadStackCode(
  target: CodeBucketTarget,
  bundles: BundleInfo[],
  template: CfnTemplate,
): Promise<UploadedCode> {
  const body = new TextEncoder().encode(JSON.stringify(template));
  if (body.byteLength > TEMPLATE_URL_LIMIT_BYTES) {
    throw new TemplateTooLargeError(
      `The template is ${body.byteLength} bytes; CloudFormation takes at most ${TEMPLATE_URL_LIMIT_BYTES} from S3`,
    );
  }
  await ensureBucket(target.s3, {
    bucket: target.bucket,
    region: target.region,
    arn: `arn:aws:s3:::${target.bucket}`,
    tags: kitTags(target.stage),
    apply: true,
  });
  const parameters: Record<string, string> = { [CODE_BUCKET]: target.bucket };
  const uploaded: string[] = [];
  for (const key of BUNDLE_KEYS) {
    const bundle = bundles.find((candidate) => candidate.key === key);
    if (!bundle) throw new Error(`No bundle was built for the ${key} function`);
    const zip = await readFile(bundle.zipPath);
    const objectKey = `bundles/${bundle.arch}/${bundle.folder}-${sha256Hex(zip)}.zip`;
    if (await putOnce(target, objectKey, zip, 'application/zip')) uploaded.push(objectKey);
    parameters[codeKeyParameter(key)] = objectKey;
  }
  const templateKey = `templates/${sha256Hex(body)}.json`;
  if (await putOnce(target, templateKey, body, 'application/json')) uploaded.push(templateKey);
  return { parameters, templateUrl: target.objectUrl(templateKey), uploaded };
}

/** Deletes every object of a bucket (every page of keys); a missing bucket holds none. */
export async function emptyBucket(s3: S3Client, bucket: string): Promise<number> {
  let deleted = 0;
  try {
    for (;;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length === 0) return deleted;
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      deleted += keys.length;
    }
  } catch (error) {
    if (isMissingBucket(error)) return deleted;
    throw error;
  }
}

const isMissingBucket = (error: unknown) => {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchBucket' || name === 'NotFound';
};

/** Teardown: empties the code bucket and deletes it; a missing bucket is fine. */
export async function deleteCodeBucket(s3: S3Client, bucket: string): Promise<number> {
  const deleted = await emptyBucket(s3, bucket);
  try {
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!isMissingBucket(error)) throw error;
  }
  return deleted;
}
