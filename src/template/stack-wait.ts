/**
 * Waiting on CloudFormation: a change set until it is created (or failed), a stack until its
 * operation ends. AWS runs both asynchronously (CreateChangeSet, ExecuteChangeSet and DeleteStack
 * return at once), so the deployer polls with a bounded backoff: quick first looks (MiniStack
 * finishes within the call, docs/emulator-differences.md), then at most every `maxPollMs`.
 */
import {
  type CloudFormationClient,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  DescribeEventsCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type OperationEvent,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import type { ChangeSetChange } from './types.ts';

export interface PollSettings {
  /** First wait between looks; doubles up to `maxPollMs`. */
  pollMs: number;
  maxPollMs: number;
  /** Give up (StackWaitTimeout) after this long. */
  timeoutMs: number;
}

export const POLL_DEFAULTS: PollSettings = { pollMs: 50, maxPollMs: 5_000, timeoutMs: 60 * 60_000 };

export class StackWaitTimeout extends Error {
  override name = 'StackWaitTimeout';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `look` until it returns a value, waiting longer each time (bounded). */
export async function pollUntil<T>(
  what: string,
  look: () => Promise<T | undefined>,
  settings: PollSettings,
): Promise<T> {
  const deadline = Date.now() + settings.timeoutMs;
  let wait = settings.pollMs;
  for (;;) {
    const value = await look();
    if (value !== undefined) return value;
    if (Date.now() + wait > deadline) {
      throw new StackWaitTimeout(`Gave up waiting for ${what} after ${settings.timeoutMs} ms`);
    }
    await sleep(wait);
    wait = Math.min(wait * 2, settings.maxPollMs);
  }
}

/** DescribeStacks of a stack that does not exist: ValidationError "Stack with id X does not exist". */
function isMissingStack(error: unknown): boolean {
  const { name, message } = error as { name?: string; message?: string };
  return name === 'ValidationError' && /does not exist/.test(message ?? '');
}

/** The stack, or undefined when there is none (deleted stacks are not listed by name). */
export async function describeStack(
  cfn: CloudFormationClient,
  stackName: string,
): Promise<Stack | undefined> {
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    return stack?.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw error;
  }
}

export type ChangeSetDescription = Omit<DescribeChangeSetCommandOutput, 'Changes' | '$metadata'> & {
  Changes: ChangeSetChange[];
};

/** The change set once it is no longer pending, with every page of its changes. */
export async function waitForChangeSet(
  cfn: CloudFormationClient,
  stackName: string,
  changeSetName: string,
  settings: PollSettings,
): Promise<ChangeSetDescription> {
  const settled = await pollUntil(
    `change set ${changeSetName} of ${stackName}`,
    async () => {
      const answer = await cfn.send(
        new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }),
      );
      return answer.Status === 'CREATE_COMPLETE' || answer.Status === 'FAILED' ? answer : undefined;
    },
    settings,
  );
  const changes: ChangeSetChange[] = [...(settled.Changes ?? [])];
  for (let token = settled.NextToken; token; ) {
    const page = await cfn.send(
      new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName, NextToken: token }),
    );
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  }
  const { $metadata: _metadata, ...rest } = settled;
  return { ...rest, Changes: changes };
}

/** One progress line of a stack event. */
export function eventLine(event: StackEvent): string {
  const reason = event.ResourceStatusReason ? `: ${event.ResourceStatusReason}` : '';
  return `  ${event.ResourceStatus ?? '?'} ${event.LogicalResourceId ?? '?'} (${event.ResourceType ?? '?'})${reason}`;
}

/** Newest-first events of the stack since `since` (the first page, all the deployer prints from). */
export async function recentEvents(cfn: CloudFormationClient, stackName: string, since: Date) {
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
  return (StackEvents ?? []).filter((event) => (event.Timestamp?.getTime() ?? 0) >= since.getTime());
}

/**
 * Every failed operation event of a stack or of one change set (DescribeEvents, all pages): where
 * early validation keeps its errors.
 */
export async function failedOperationEvents(
  cfn: CloudFormationClient,
  of: { StackName: string } | { ChangeSetName: string },
) {
  const events: OperationEvent[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(
      new DescribeEventsCommand({ ...of, Filters: { FailedEvents: true }, NextToken: token }),
    );
    events.push(...(page.OperationEvents ?? []));
    token = page.NextToken;
  } while (token);
  return events;
}

/**
 * Where the next operation's events start, on CloudFormation's clock (not this machine's, which
 * may be off): just after the stack's newest event, or the epoch for a stack with none.
 */
export async function nextEventTime(cfn: CloudFormationClient, stackName: string): Promise<Date> {
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
  const newest = Math.max(0, ...(StackEvents ?? []).map((event) => event.Timestamp?.getTime() ?? 0));
  return new Date(newest === 0 ? 0 : newest + 1);
}

/**
 * DeleteStack by the stack's id (DescribeStacks by name does not find a deleted stack; by id it
 * says DELETE_COMPLETE), waited for; what is left (undefined once gone) and where its events began.
 */
export async function deleteStackAndWait(
  cfn: CloudFormationClient,
  stack: Stack,
  options: { log: (line: string) => void; settings: PollSettings },
): Promise<{ left: Stack | undefined; since: Date }> {
  const id = stack.StackId ?? stack.StackName ?? '';
  const since = await nextEventTime(cfn, id);
  await cfn.send(new DeleteStackCommand({ StackName: id }));
  return { left: await waitForStack(cfn, id, { since, ...options }), since };
}

/**
 * Waits until the stack's operation ends (no `_IN_PROGRESS` status), printing each new stack
 * event as it appears; returns the stack, or undefined once it is gone (a delete).
 */
export async function waitForStack(
  cfn: CloudFormationClient,
  stackName: string,
  options: { since: Date; log: (line: string) => void; settings: PollSettings },
): Promise<Stack | undefined> {
  const seen = new Set<string>();
  const printNew = async () => {
    const events = await recentEvents(cfn, stackName, options.since).catch((error: unknown) => {
      if (isMissingStack(error)) return [];
      throw error;
    });
    for (const event of [...events].reverse()) {
      const id = event.EventId ?? `${event.LogicalResourceId}:${event.ResourceStatus}:${event.Timestamp}`;
      if (seen.has(id)) continue;
      seen.add(id);
      options.log(eventLine(event));
    }
  };
  const gone = Symbol('gone');
  const ended = await pollUntil<Stack | typeof gone>(
    `stack ${stackName}`,
    async () => {
      const stack = await describeStack(cfn, stackName);
      await printNew();
      if (!stack) return gone;
      return stack.StackStatus?.endsWith('_IN_PROGRESS') ? undefined : stack;
    },
    options.settings,
  );
  return ended === gone ? undefined : ended;
}
