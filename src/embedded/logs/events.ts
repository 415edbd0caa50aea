/**
 * Log events: PutLogEvents (the API reference's batch rules: chronological order, at most 10,000
 * events and 1,048,576 bytes counting 26 bytes an event; events over 14 days old or 2 hours ahead
 * rejected while the rest are taken), GetLogEvents (`f/`/`b/` tokens; at the end of the stream the
 * token given comes back) and FilterLogEvents (across streams, time window, filter patterns:
 * filter-pattern.ts).
 */
import { InvalidParameterException } from './errors.ts';
import { compileFilterPattern } from './filter-pattern.ts';
import { findGroup, findStream, groupNameOf, type LogsContext, page } from './groups.ts';
import type { InputLogEvent, StoredEvent } from './types.ts';
import {
  asInput,
  bool,
  decodeToken,
  encodeToken,
  integer,
  LOG_GROUP_NAME,
  LOG_STREAM_NAME,
  name,
  text,
} from './validation.ts';

const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;
const TOO_OLD_MS = 14 * 24 * 3600 * 1000;
const TOO_NEW_MS = 2 * 3600 * 1000;
/** FilterLogEvents' `filterPattern` length constraint. */
const MAX_PATTERN_LENGTH = 1024;

function logEvents(raw: unknown): InputLogEvent[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw new InvalidParameterException('logEvents must hold at least one event.');
  return raw.map((event: unknown, index) => {
    const { timestamp, message } = (event ?? {}) as { timestamp?: unknown; message?: unknown };
    if (
      typeof timestamp !== 'number' ||
      !Number.isInteger(timestamp) ||
      typeof message !== 'string' ||
      !message
    )
      throw new InvalidParameterException(
        `Log event ${index} needs an integer timestamp and a non-empty message.`,
      );
    return { timestamp, message };
  });
}

export function eventOperations(context: LogsContext) {
  return {
    PutLogEvents(raw: unknown) {
      const input = asInput(raw);
      const group = name(input, 'logGroupName', LOG_GROUP_NAME);
      const stream = name(input, 'logStreamName', LOG_STREAM_NAME);
      const events = logEvents(input.logEvents);
      findStream(context, group, stream);
      if (events.length > MAX_BATCH_EVENTS)
        throw new InvalidParameterException(`A batch holds at most ${MAX_BATCH_EVENTS} log events.`);
      const bytes = events.reduce((sum, e) => sum + Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES, 0);
      if (bytes > MAX_BATCH_BYTES)
        throw new InvalidParameterException(
          `The batch of ${bytes} bytes is over the ${MAX_BATCH_BYTES} bytes allowed.`,
        );
      for (let i = 1; i < events.length; i++)
        if ((events[i] as InputLogEvent).timestamp < (events[i - 1] as InputLogEvent).timestamp)
          throw new InvalidParameterException(
            'Log events in a single PutLogEvents request must be in chronological order.',
          );
      const now = context.now();
      const tooOldEnd = events.findIndex((e) => e.timestamp >= now - TOO_OLD_MS);
      const tooNewStart = events.findIndex((e) => e.timestamp > now + TOO_NEW_MS);
      const from = tooOldEnd < 0 ? events.length : tooOldEnd;
      const to = tooNewStart < 0 ? events.length : tooNewStart;
      const taken = events.slice(from, Math.max(from, to));
      if (taken.length > 0) context.state.record({ kind: 'events', group, stream, time: now, events: taken });
      const rejected = {
        ...(from > 0 ? { tooOldLogEventEndIndex: from } : {}),
        ...(tooNewStart >= 0 ? { tooNewLogEventStartIndex: tooNewStart } : {}),
      };
      return {
        nextSequenceToken: encodeToken(`${stream}/${now}`),
        ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
      };
    },
    GetLogEvents(raw: unknown) {
      const input = asInput(raw);
      const stream = findStream(context, groupNameOf(input), name(input, 'logStreamName', LOG_STREAM_NAME));
      const startTime = integer(input, 'startTime', 0, Number.MAX_SAFE_INTEGER);
      const endTime = integer(input, 'endTime', 0, Number.MAX_SAFE_INTEGER);
      const limit = integer(input, 'limit', 1, 10_000) ?? 10_000;
      const token = text(input, 'nextToken');
      const events = stream.events.filter(
        (e) =>
          (startTime === undefined || e.timestamp >= startTime) &&
          (endTime === undefined || e.timestamp < endTime),
      );
      let from: number;
      let to: number;
      if (token !== undefined) {
        const match = /^([fb])\/(\d+)$/.exec(token);
        if (!match) throw new InvalidParameterException('The specified nextToken is invalid.');
        const at = Math.min(Number(match[2]), events.length);
        [from, to] =
          match[1] === 'f' ? [at, Math.min(events.length, at + limit)] : [Math.max(0, at - limit), at];
        // At the end of the stream the token given comes back, so pollers can keep asking.
        if (from === to) return { events: [], nextForwardToken: token, nextBackwardToken: token };
      } else if (bool(input, 'startFromHead')) {
        [from, to] = [0, Math.min(events.length, limit)];
      } else {
        [from, to] = [Math.max(0, events.length - limit), events.length];
      }
      return {
        events: events
          .slice(from, to)
          .map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: `f/${String(to).padStart(56, '0')}`,
        nextBackwardToken: `b/${String(from).padStart(56, '0')}`,
      };
    },
    FilterLogEvents(raw: unknown) {
      const input = asInput(raw);
      const group = findGroup(context, groupNameOf(input));
      const names = input.logStreamNames as unknown;
      const prefix = name(input, 'logStreamNamePrefix', LOG_STREAM_NAME, true);
      if (names !== undefined && prefix !== undefined)
        throw new InvalidParameterException(
          'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.',
        );
      if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string')))
        throw new InvalidParameterException('logStreamNames must be a list of stream names.');
      const startTime = integer(input, 'startTime', 0, Number.MAX_SAFE_INTEGER);
      const endTime = integer(input, 'endTime', 0, Number.MAX_SAFE_INTEGER);
      const limit = integer(input, 'limit', 1, 10_000) ?? 10_000;
      const matches = compileFilterPattern(text(input, 'filterPattern', MAX_PATTERN_LENGTH));
      const streams = [...group.streams.values()].filter(
        (s) =>
          (names === undefined || (names as string[]).includes(s.logStreamName)) &&
          (prefix === undefined || s.logStreamName.startsWith(prefix)),
      );
      const matched: (StoredEvent & { logStreamName: string; key: string })[] = [];
      for (const stream of streams)
        stream.events.forEach((e, index) => {
          if (startTime !== undefined && e.timestamp < startTime) return;
          if (endTime !== undefined && e.timestamp > endTime) return;
          if (!matches(e.message)) return;
          // Position: time, stream, index in the stream (fixed widths so strings sort as tuples).
          const key = `${String(e.timestamp).padStart(15, '0')}/${stream.logStreamName}\u0000${String(index).padStart(9, '0')}`;
          matched.push({ ...e, logStreamName: stream.logStreamName, key });
        });
      matched.sort((a, b) => (a.key < b.key ? -1 : 1));
      const token = text(input, 'nextToken');
      if (token !== undefined) decodeToken(token);
      const { items, nextToken } = page(matched, (e) => e.key, limit, token);
      return {
        events: items.map((e) => ({
          logStreamName: e.logStreamName,
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.ingestionTime,
          eventId: e.eventId,
        })),
        searchedLogStreams: streams.map((s) => ({
          logStreamName: s.logStreamName,
          searchedCompletely: true,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
  };
}
