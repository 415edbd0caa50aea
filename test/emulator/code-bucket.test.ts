/**
 * The CloudFormation deployment's code bucket on the shared MiniStack (the embedded S3 has no
 * bucket tagging): created and tagged, content-addressed uploads (a rebuilt but unchanged bundle
 * keeps its key, a changed one gets a new key), the template readable at its URL, emptied and deleted.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetBucketTaggingCommand,
  GetObjectCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import type { BundleInfo } from '../../src/deploy/index.ts';
import { deleteCodeBucket, uploadStackCode } from '../../src/template/code-bucket.ts';
import { BUNDLE_KEYS, generateTemplate } from '../../src/template/index.ts';
import { stackNames } from '../../src/workflow/names.ts';
import { isolatedStage, type SharedServer, sharedServer } from '../support/shared-emulators/client.ts';

const STAGE = 'codebkt';

describe('code bucket of a CloudFormation deployment (MiniStack)', () => {
  let server: SharedServer;
  let s3: S3Client;
  let dir: string;
  let bundles: BundleInfo[];
  const bucket = stackNames(STAGE).codeBucket;

  beforeAll(async () => {
    server = await sharedServer('ministack');
    s3 = createS3Client(
      loadConfig({ SCONES_TARGET: 'emulator', ...isolatedStage(STAGE), ...server.environment() }),
    );
    dir = await mkdtemp(join(tmpdir(), 'scones-code-bucket-'));
    bundles = await Promise.all(
      BUNDLE_KEYS.map(async (key) => {
        const zipPath = join(dir, `${key}.zip`);
        await writeFile(zipPath, `zip of ${key}`);
        return {
          key,
          folder: key,
          arch: 'x86_64' as const,
          zipPath,
          codeSha256: '',
          sizeBytes: 0,
          nativePackages: [],
        };
      }),
    );
  });

  afterAll(async () => {
    if (s3) await deleteCodeBucket(s3, bucket);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates the tagged bucket, uploads content-addressed keys once, and deletes it all', async () => {
    const config = loadConfig({ SCONES_TARGET: 'emulator', ...isolatedStage(STAGE) });
    const template = generateTemplate({ config });
    const target = {
      s3,
      bucket,
      stage: STAGE,
      region: 'us-east-1',
      objectUrl: (key: string) => `${server.url}/${bucket}/${key}`,
    };
    const first = await uploadStackCode(target, bundles, template);
    expect(first.uploaded).toHaveLength(BUNDLE_KEYS.length + 1);
    expect(first.parameters.CodeBucket).toBe(bucket);
    expect(first.parameters.CodeKeyFilter).toMatch(/^bundles\/x86_64\/filter-[0-9a-f]{64}\.zip$/);
    const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    expect(TagSet).toContainEqual({ Key: 'scones:stage', Value: STAGE });
    const templateKey = first.templateUrl.slice(`${server.url}/${bucket}/`.length);
    expect(templateKey).toMatch(/^templates\/[0-9a-f]{64}\.json$/);
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: templateKey }));
    expect(JSON.parse((await stored.Body?.transformToString()) ?? '')).toEqual(
      JSON.parse(JSON.stringify(template)),
    );

    // Same build: same keys, nothing uploaded (CloudFormation then sees no code change).
    const again = await uploadStackCode(target, bundles, template);
    expect(again).toEqual({ ...first, uploaded: [] });
    // A changed bundle: a new key for that function only.
    await writeFile(bundles[2]?.zipPath ?? '', 'changed');
    const changed = await uploadStackCode(target, bundles, template);
    expect(changed.uploaded).toEqual([changed.parameters.CodeKeyFilter]);
    const body = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: changed.parameters.CodeKeyFilter }),
    );
    expect(await body.Body?.transformToString()).toBe('changed');

    expect(await deleteCodeBucket(s3, bucket)).toBe(BUNDLE_KEYS.length + 2);
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toThrow();
    expect(await deleteCodeBucket(s3, bucket)).toBe(0);
  });
});
