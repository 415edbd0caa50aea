/**
 * Why a stack operation failed, in one sentence for the deployer's error: the first resource that
 * failed (DescribeStackEvents), else the errors of CloudFormation's early validation, which fails
 * an operation before it provisions anything and keeps its reasons in DescribeEvents, else the
 * stack's own failure reason.
 */
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { firstFailure, validationFailures } from './change-report.ts';
import { failedOperationEvents, recentEvents } from './stack-wait.ts';

export async function whatFailed(
  cfn: CloudFormationClient,
  stackName: string,
  since: Date,
  stack: Stack | undefined,
): Promise<string> {
  const events = await recentEvents(cfn, stackName, since).catch(() => []);
  const failure = firstFailure(events, stackName, since);
  if (failure) return `${failure.logicalId} (${failure.resourceType}) failed: ${failure.reason}`;
  // An account or emulator without DescribeEvents answers an error: the stack's reason stands.
  const validation = validationFailures(
    await failedOperationEvents(cfn, { StackName: stackName }).catch(() => []),
    since,
  );
  if (validation.length > 0) {
    return `early validation failed before anything was provisioned: ${validation.join('; ')}`;
  }
  const own = events.find(
    (event) =>
      event.LogicalResourceId === stackName &&
      event.ResourceStatus?.endsWith('_FAILED') &&
      event.ResourceStatusReason,
  );
  return own?.ResourceStatusReason || stack?.StackStatusReason || 'no resource reported a failure';
}

/**
 * On AWS early validation fails the change set itself (FAILED, its findings in DescribeEvents of
 * the change set); the reason CloudFormation gives, with those findings when there are any.
 */
export async function whyChangeSetFailed(
  cfn: CloudFormationClient,
  changeSet: { ChangeSetId?: string; StatusReason?: string; CreationTime?: Date },
): Promise<string> {
  const reason = changeSet.StatusReason ?? '(no reason given)';
  if (!changeSet.ChangeSetId) return reason;
  const events = await failedOperationEvents(cfn, { ChangeSetName: changeSet.ChangeSetId }).catch(() => []);
  const validation = validationFailures(events, changeSet.CreationTime ?? new Date(0));
  return validation.length > 0 ? `${reason} (${validation.join('; ')})` : reason;
}
