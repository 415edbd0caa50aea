/**
 * Step Functions' "Step Functions Execution Status Change" EventBridge event, built from an
 * execution's state. Standard workflows emit it at every status change; its `detail` "provides the
 * same information as the DescribeExecution API" (Step Functions developer guide, "EventBridge for
 * Step Functions execution status changes",
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html): input and output as JSON
 * strings, dates in epoch milliseconds, `error`/`cause` for failed runs, and the payload rule that
 * input is dropped when escaped input and output together exceed 248 KB (output likewise alone).
 */
import { randomUUID } from 'node:crypto';
import { isoSeconds } from './input-transformer.ts';
import type { EventScope } from './s3-events.ts';

export const STATES_EVENT_SOURCE = 'aws.states';
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

export type ExecutionStatusValue = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** An execution at one status change, in the engine's terms (objects, Dates). */
export interface ExecutionStatusSnapshot {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatusValue;
  startDate: Date;
  stopDate?: Date;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface ExecutionStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': typeof EXECUTION_STATUS_CHANGE;
  source: typeof STATES_EVENT_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionStatusValue;
    startDate: number;
    stopDate: number | null;
    input: string | null;
    inputDetails: { included: boolean };
    output: string | null;
    outputDetails: { included: boolean } | null;
    stateMachineVersionArn: string | null;
    stateMachineAliasArn: string | null;
    redriveCount: number;
    redriveDate: number | null;
    redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE';
    redriveStatusReason: string;
    error: string | null;
    cause: string | null;
  };
}

/** EventBridge's event size quota leaves 248 KB for the escaped input and output. */
const PAYLOAD_CAP_BYTES = 248 * 1024;
const CLOSED_UNSUCCESSFULLY = new Set<ExecutionStatusValue>(['FAILED', 'TIMED_OUT', 'ABORTED']);

export function executionStatusChangeEvent(
  snapshot: ExecutionStatusSnapshot,
  scope: Pick<EventScope, 'region' | 'accountId'>,
  options: { id?: string } = {},
): ExecutionStatusChangeEvent {
  const succeeded = snapshot.status === 'SUCCEEDED';
  let input: string | null = JSON.stringify(snapshot.input ?? {});
  let output: string | null = succeeded ? JSON.stringify(snapshot.output ?? null) : null;
  if (output !== null && escapedSize(output) > PAYLOAD_CAP_BYTES) output = null;
  if (escapedSize(input) + (output === null ? 0 : escapedSize(output)) > PAYLOAD_CAP_BYTES) input = null;
  const unsuccessful = CLOSED_UNSUCCESSFULLY.has(snapshot.status);
  return {
    version: '0',
    id: options.id ?? randomUUID(),
    'detail-type': EXECUTION_STATUS_CHANGE,
    source: STATES_EVENT_SOURCE,
    account: scope.accountId,
    time: isoSeconds(snapshot.stopDate ?? snapshot.startDate),
    region: scope.region,
    resources: [snapshot.executionArn],
    detail: {
      executionArn: snapshot.executionArn,
      stateMachineArn: snapshot.stateMachineArn,
      name: snapshot.name,
      status: snapshot.status,
      startDate: snapshot.startDate.getTime(),
      stopDate: snapshot.stopDate?.getTime() ?? null,
      input,
      inputDetails: { included: input !== null },
      output,
      outputDetails: succeeded ? { included: output !== null } : null,
      stateMachineVersionArn: null,
      stateMachineAliasArn: null,
      redriveCount: 0,
      redriveDate: null,
      // Failed, timed-out and aborted Standard executions can be redriven (for 14 days).
      redriveStatus: unsuccessful ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      redriveStatusReason: unsuccessful
        ? `Execution is ${snapshot.status} and can be redriven`
        : `Execution is ${snapshot.status} and cannot be redriven`,
      error: unsuccessful ? (snapshot.error ?? null) : null,
      cause: unsuccessful ? (snapshot.cause ?? null) : null,
    },
  };
}

/** Bytes of the string once escaped into the event's JSON. */
function escapedSize(json: string): number {
  return Buffer.byteLength(JSON.stringify(json), 'utf8');
}
