/**
 * What `scones up` prints: the exports another terminal needs, one line per decision, one per
 * failure (with Error and Cause) and one per failure notification. Lines are plain text, fields
 * apart by two spaces, the object key second, so they read well and grep well.
 */

import type { NotificationRecord } from '../embedded/events/index.ts';
import type { ExecutionStatusSnapshot } from '../events/execution-events.ts';

/** Lambda errors carry `{"errorType","errorMessage","trace"}` as their Cause: show the message. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return oneLine(parsed.errorMessage);
  } catch {
    // Not JSON: the cause is the message.
  }
  return oneLine(cause);
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const clock = (date: Date) => date.toISOString().slice(11, 23);

function keyOf(input: unknown): string {
  const key = (input as { s3_key?: unknown } | null)?.s3_key;
  return typeof key === 'string' ? key : '(no s3_key)';
}

/**
 * A closed execution: its decision (route, label, confidence) or its failure, and the latency:
 * from the upload's arrival (`uploadedAt`, epoch ms) when known, and the execution's own run time.
 */
export function decisionLine(execution: ExecutionStatusSnapshot, uploadedAt?: number): string {
  const stopped = execution.stopDate ?? new Date();
  const run = `run ${stopped.getTime() - execution.startDate.getTime()} ms`;
  const took = uploadedAt === undefined ? run : `${stopped.getTime() - uploadedAt} ms after upload (${run})`;
  const key = keyOf(execution.input);
  if (execution.status !== 'SUCCEEDED') {
    const error = execution.error ?? 'States.Unknown';
    const cause = causeMessage(execution.cause);
    return [clock(stopped), key, execution.status, cause ? `${error}: ${cause}` : error, took].join('  ');
  }
  const result = (execution.output ?? {}) as {
    decision?: string;
    predicted_label?: string;
    confidence?: number;
    review_item?: { bucket: string; key: string };
  };
  const fields = [
    clock(stopped),
    key,
    result.decision ?? 'SUCCEEDED',
    `${result.predicted_label ?? '?'} ${typeof result.confidence === 'number' ? result.confidence.toFixed(3) : '?'}`,
    took,
  ];
  if (result.review_item) fields.push(`review s3://${result.review_item.bucket}/${result.review_item.key}`);
  return fields.join('  ');
}

/** A failure notification as the topic received it (the execution-failed rule's message). */
export function notificationLine(record: NotificationRecord): string {
  const message = (record.message ?? {}) as {
    execution?: string;
    status?: string;
    input?: unknown;
    error?: string;
    cause?: string;
  };
  let key = '(unknown key)';
  if (typeof message.input === 'string') {
    try {
      key = keyOf(JSON.parse(message.input));
    } catch {
      // The input is not JSON (it always is for the kit's executions).
    }
  }
  const topic = record.topicArn.split(':').at(-1);
  return [
    clock(new Date(record.time)),
    key,
    `notified ${topic}`,
    `${message.status ?? '?'} ${message.error ?? ''}: ${causeMessage(message.cause)}`.trim(),
    `execution ${message.execution ?? '?'}`,
  ].join('  ');
}

/** `export` lines for a POSIX shell: the SDKs' and aws-cli's endpoint variables, dummy credentials. */
export function exportLines(variables: Record<string, string>): string[] {
  return Object.entries(variables).map(([name, value]) => `export ${name}=${value}`);
}
