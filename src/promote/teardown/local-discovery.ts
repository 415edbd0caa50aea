/**
 * What a promotion made on the local target (`scones up`), which has no tagging, IAM, Lambda,
 * EventBridge, SNS or CloudWatch API: the SageMaker resources under the names the kit uses whose
 * own tags (SageMaker's ListTags) say they are the stage's, and the bucket when it has the stage's
 * own name (the local S3 keeps no bucket tags). The state machines are the stack's, not made by
 * promote: reported as kept, never deleted.
 */

import { paginateListStateMachines } from '@aws-sdk/client-sfn';
import { bucketExists } from '../../aws/bucket-exists.ts';
import { createS3Client, createSfnClient } from '../../aws/clients.ts';
import { KIT_NAME, resourceNames } from '../../deploy/index.ts';
import { allPages } from '../pages.ts';
import { defaultBucketName, type PromotionTarget } from '../target.ts';
import { sagemakerByName } from './discovery.ts';
import type { Discovery, KeptItem } from './types.ts';

async function bucketExistsOn(target: PromotionTarget): Promise<boolean> {
  const s3 = createS3Client(target.config);
  try {
    return await bucketExists(s3, target.bucket);
  } finally {
    s3.destroy();
  }
}

async function stackStateMachines(target: PromotionTarget): Promise<KeptItem[]> {
  const names = resourceNames(target.stage);
  const ours = new Set([names.stateMachine, names.intakeStateMachine, names.batchStateMachine]);
  const sfn = createSfnClient(target.config);
  const served = await allPages(
    paginateListStateMachines({ client: sfn }, {}),
    (page) => page.stateMachines,
  ).finally(() => sfn.destroy());
  return served
    .filter((machine) => ours.has(machine.name ?? ''))
    .map((machine) => ({
      type: 'step functions state machine' as const,
      name: machine.name ?? '',
      arn: machine.stateMachineArn ?? '',
      reason: 'provided by scones up, not made by promote: stays with the stack',
    }));
}

export async function discoverLocalResources(target: PromotionTarget): Promise<Discovery> {
  const found = await sagemakerByName(target, `${KIT_NAME}-${target.stage}-`);
  const kept: KeptItem[] = [];
  if (await bucketExistsOn(target)) {
    const bucket = {
      type: 's3 bucket' as const,
      name: target.bucket,
      arn: `arn:${target.partition}:s3:::${target.bucket}`,
    };
    if (target.bucket === defaultBucketName(target.stage, target.accountId, target.region))
      found.push(bucket);
    else
      kept.push({
        ...bucket,
        reason: "not the stage's own bucket name, and the local S3 keeps no bucket tags to mark it the kit's",
      });
  }
  kept.push(...(await stackStateMachines(target)));
  return { found, kept };
}
