/**
 * `deleteStack`: `scones teardown --via cloudformation`. The stage's bucket is the stack's, and
 * CloudFormation cannot delete a bucket that holds objects (DELETE_FAILED, BucketNotEmpty), so it
 * is emptied first; then DeleteStack, waited for until the stack is gone, then the code bucket.
 */
import { createCloudFormationClient } from '../aws/clients.ts';
import type { KitConfig } from '../config.ts';
import { deleteCodeBucket, emptyBucket } from './code-bucket.ts';
import { outputsOf } from './deploy-stack.ts';
import { whatFailed } from './stack-failure.ts';
import { stackTarget } from './stack-target.ts';
import { deleteStackAndWait, describeStack, POLL_DEFAULTS, type PollSettings } from './stack-wait.ts';

export interface DeleteStackOptions {
  config: KitConfig;
  log?: (line: string) => void;
  poll?: Partial<PollSettings>;
}

export interface StackDeleteResult {
  stackName: string;
  /** False when there was no stack. */
  deletedStack: boolean;
  /** Objects removed from the stage's bucket and from the code bucket. */
  emptiedObjects: number;
  codeObjects: number;
}

export class StackDeleteFailed extends Error {
  override name = 'StackDeleteFailed';
}

export async function deleteStack(options: DeleteStackOptions): Promise<StackDeleteResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const settings = { ...POLL_DEFAULTS, ...options.poll };
  const target = await stackTarget(options.config);
  const { stackName } = target;
  const cfn = createCloudFormationClient(options.config);
  const stack = await describeStack(cfn, stackName);
  let emptiedObjects = 0;
  if (stack) {
    const bucket = outputsOf(stack).BucketName;
    if (bucket) {
      emptiedObjects = await emptyBucket(target.code.s3, bucket);
      log(`emptied ${bucket}: ${emptiedObjects} object(s)`);
    }
    log(`deleting stack ${stackName}`);
    const { left, since } = await deleteStackAndWait(cfn, stack, { log, settings });
    if (left) {
      const what = await whatFailed(cfn, stack.StackId ?? stackName, since, left);
      throw new StackDeleteFailed(
        `Stack ${stackName} ended ${left.StackStatus}: ${what}. Remove what keeps it (or delete it in the console, retaining that resource), then run the teardown again`,
      );
    }
    log(`stack ${stackName}: deleted`);
  } else {
    log(`no stack ${stackName}`);
  }
  const codeObjects = await deleteCodeBucket(target.code.s3, target.code.bucket);
  log(`code bucket ${target.code.bucket}: deleted (${codeObjects} object(s))`);
  return { stackName, deletedStack: stack !== undefined, emptiedObjects, codeObjects };
}
