/**
 * What a stack deployment prints: a change set's changes (`--plan`), and when an operation fails,
 * the resource that failed first and why, from the stack's events. Pure: the deployer feeds it
 * DescribeChangeSet and DescribeStackEvents answers.
 */
import type { ChangeSetChange, StackEventRecord } from './types.ts';

/**
 * CreateChangeSet of a template and parameters equal to the stack's ends FAILED with this reason
 * (AWS and MiniStack alike); UpdateStack's counterpart is "No updates are to be performed.".
 */
export function isNothingToChange(statusReason: string | undefined): boolean {
  return /didn't contain changes|No updates are to be performed/.test(statusReason ?? '');
}

const REPLACEMENT_NOTE: Record<string, string> = {
  True: '  REPLACED: a new resource is created and the old one deleted',
  Conditional: '  may be replaced (depends on values known when it runs)',
};

/** One line per change: action, logical id, type; replacements called out. */
export function changeLines(changes: ChangeSetChange[]): string[] {
  const rows = changes.map((change) => change.ResourceChange ?? {});
  const width = Math.max(0, ...rows.map((row) => (row.LogicalResourceId ?? '').length));
  return rows.map((row) => {
    const action = (row.Action ?? '?').padEnd(7);
    const id = (row.LogicalResourceId ?? '?').padEnd(width);
    const note = row.Action === 'Modify' ? (REPLACEMENT_NOTE[row.Replacement ?? ''] ?? '') : '';
    return `  ${action} ${id}  ${row.ResourceType ?? ''}${note}`;
  });
}

export interface StackFailure {
  logicalId: string;
  resourceType: string;
  reason: string;
}

/** Failures caused by another resource's failure: not the one to report. */
const CASCADE = /cancelled|canceled|failed to (create|update|delete)|rollback requested/i;

/**
 * The first resource that failed in the operation that started at `since` (events come newest
 * first, as DescribeStackEvents returns them): its logical id, type and reason.
 */
export function firstFailure(
  events: StackEventRecord[],
  stackName: string,
  since: Date,
): StackFailure | undefined {
  const failed = events
    .filter((event) => (event.Timestamp?.getTime() ?? 0) >= since.getTime())
    .filter((event) => event.ResourceStatus?.endsWith('_FAILED') && event.LogicalResourceId !== stackName)
    .reverse();
  const chosen = failed.find((event) => !CASCADE.test(event.ResourceStatusReason ?? '')) ?? failed[0];
  if (!chosen) return undefined;
  return {
    logicalId: chosen.LogicalResourceId ?? '?',
    resourceType: chosen.ResourceType ?? '?',
    reason: chosen.ResourceStatusReason ?? '(no reason given)',
  };
}

/** The fields of DescribeEvents' `OperationEvent` a validation failure is reported with. */
export interface ValidationEventRecord {
  EventType?: string;
  Timestamp?: Date;
  LogicalResourceId?: string;
  ResourceType?: string;
  ValidationName?: string;
  ValidationPath?: string;
  ValidationStatusReason?: string;
}

/**
 * CloudFormation's early validation fails an operation before it provisions anything, with only
 * "Validation failed with N error(s). Call DescribeEvents ..." on the stack's own event; the
 * errors are DescribeEvents' VALIDATION_ERROR events (API reference, DescribeEvents and
 * OperationEvent). One line each: resource, type, check, path, reason; a name conflict says what
 * usually causes it.
 */
export function validationFailures(events: ValidationEventRecord[], since: Date): string[] {
  return events
    .filter((event) => event.EventType === 'VALIDATION_ERROR')
    .filter((event) => (event.Timestamp?.getTime() ?? since.getTime()) >= since.getTime())
    .map((event) => {
      const conflict =
        event.ValidationName === 'NAME_CONFLICT_VALIDATION'
          ? ' (a resource of that name exists outside this stack: a stage deployed with --via sdk, or made by hand)'
          : '';
      return `${event.LogicalResourceId ?? '?'} (${event.ResourceType ?? '?'}) ${event.ValidationName ?? 'validation'} at ${event.ValidationPath ?? '?'}: ${event.ValidationStatusReason ?? '(no reason given)'}${conflict}`;
    });
}
