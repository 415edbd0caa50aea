/**
 * The functions' JSON lines (Powertools log records and EMF documents) where Lambda ships them:
 * CloudWatch Logs, group `/aws/lambda/<function name>`, a stream per execution environment named
 * as Lambda names it, `YYYY/MM/DD/[$LATEST]<32 hex digits>` (the UTC date the environment started).
 * Here a function's handler is one environment for the life of the stack, so one stream each.
 *
 * Every line the kit's functions write carries its function's name (`"function_name":"..."`, a
 * key Powertools puts on log records and the kit's EMF documents), which is how a line finds its
 * group; a line without one has no function to go to and stays in the run log only. The store is
 * injected (`ingest`, the CloudWatch Logs service's), so this folder does not depend on it.
 *
 *   runLog.onLines(lambdaLogShipper((group, stream, events) => logs.ingest(group, stream, events)));
 */
import { randomBytes } from 'node:crypto';

export interface ShippedLogEvent {
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
}

/** Appends events to a group's stream, creating both when missing (CloudWatch Logs' `ingest`). */
export type LogIngest = (group: string, stream: string, events: ShippedLogEvent[]) => void;

/** The first `function_name` key of a line: Powertools writes it at the top level of every line. */
const FUNCTION_NAME = /"function_name":"([A-Za-z0-9_-]{1,140})"/;

export function lambdaLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Lambda's stream name for an execution environment started at `started`, of `version`. */
export function lambdaLogStreamName(
  started: Date,
  version = '$LATEST',
  id = randomBytes(16).toString('hex'),
): string {
  const day = started.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${id}`;
}

/**
 * A run-log listener (RunLog.onLines) that ingests each batch of lines into its functions' groups,
 * stamped with the time the batch was written (at most the run log's 20 ms after the line).
 */
export function lambdaLogShipper(ingest: LogIngest, now: () => number = Date.now) {
  const streams = new Map<string, string>();
  return (lines: readonly string[]): void => {
    const timestamp = now();
    const byFunction = new Map<string, ShippedLogEvent[]>();
    for (const message of lines) {
      const name = FUNCTION_NAME.exec(message)?.[1];
      if (!name) continue;
      let events = byFunction.get(name);
      if (!events) {
        events = [];
        byFunction.set(name, events);
      }
      events.push({ timestamp, message });
    }
    for (const [name, events] of byFunction) {
      let stream = streams.get(name);
      if (!stream) {
        stream = lambdaLogStreamName(new Date(timestamp));
        streams.set(name, stream);
      }
      ingest(lambdaLogGroupName(name), stream, events);
    }
  };
}
