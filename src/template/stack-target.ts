/**
 * Where a stage's stack lives: its name, its code bucket and how CloudFormation reads that
 * bucket's objects, and whether the target has SageMaker's resource types. On AWS the code bucket
 * carries the account and region (bucket names are global); on an emulator it is `scones-<stage>-code`
 * on the emulator's own S3, read by CloudFormation through a path-style URL.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createS3Client, createStsClient } from '../aws/clients.ts';
import { isAwsTarget, type KitConfig } from '../config.ts';
import { stackNames } from '../workflow/names.ts';
import type { CodeBucketTarget } from './code-bucket.ts';

export interface StackTarget {
  stackName: string;
  code: CodeBucketTarget;
  /** False on emulators: MiniStack has no SageMaker resource types (stack-input.ts). */
  hostsSageMaker: boolean;
}

export async function stackTarget(config: KitConfig): Promise<StackTarget> {
  const s3 = createS3Client(config);
  if (!isAwsTarget(config)) {
    const names = stackNames(config.stage);
    const endpoint = (config.clientEndpoint('s3') ?? '').replace(/\/+$/, '');
    return {
      stackName: names.stack,
      hostsSageMaker: false,
      code: {
        s3,
        bucket: names.codeBucket,
        stage: config.stage,
        region: config.region,
        objectUrl: (key) => `${endpoint}/${names.codeBucket}/${key}`,
      },
    };
  }
  const identity = await createStsClient(config).send(new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account id');
  const names = stackNames(config.stage, { accountId: identity.Account, region: config.region });
  const host = `${names.codeBucket}.s3.${config.region}.amazonaws.com${config.region.startsWith('cn-') ? '.cn' : ''}`;
  return {
    stackName: names.stack,
    hostsSageMaker: true,
    code: {
      s3,
      bucket: names.codeBucket,
      stage: config.stage,
      region: config.region,
      objectUrl: (key) => `https://${host}/${key}`,
    },
  };
}
