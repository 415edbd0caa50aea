/**
 * Log groups and streams: CreateLogGroup, CreateLogStream, DescribeLogGroups, DescribeLogStreams,
 * with the API reference's defaults (50 a page, groups by name, streams by name unless
 * `orderBy: LastEventTime`) and opaque `nextToken`s.
 */
import {
  InvalidParameterException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from './errors.ts';
import type { LogsState } from './state.ts';
import type { LogGroupState, LogStreamState } from './types.ts';
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

export interface LogsContext {
  state: LogsState;
  region: string;
  accountId: string;
  now(): number;
}

export function groupArn(context: LogsContext, group: string): string {
  return `arn:aws:logs:${context.region}:${context.accountId}:log-group:${group}`;
}

export function findGroup(context: LogsContext, group: string): LogGroupState {
  const found = context.state.groups.get(group);
  if (!found) throw new ResourceNotFoundException('The specified log group does not exist.');
  return found;
}

export function findStream(context: LogsContext, group: string, stream: string): LogStreamState {
  const found = findGroup(context, group).streams.get(stream);
  if (!found) throw new ResourceNotFoundException('The specified log stream does not exist.');
  return found;
}

/** One page of `items` after the token's position (`key` orders and positions). */
export function page<T>(
  items: readonly T[],
  key: (item: T) => string,
  limit: number,
  token: string | undefined,
) {
  const after = token === undefined ? undefined : decodeToken(token);
  const start = after === undefined ? 0 : items.findIndex((item) => key(item) > after);
  const from = start < 0 ? items.length : start;
  const slice = items.slice(from, from + limit);
  const more = from + limit < items.length;
  return { items: slice, nextToken: more ? encodeToken(key(slice.at(-1) as T)) : undefined };
}

/** The group an operation names by `logGroupName` or `logGroupIdentifier` (a name or an ARN). */
export function groupNameOf(input: Record<string, unknown>): string {
  const identifier = text(input, 'logGroupIdentifier');
  if (identifier !== undefined) {
    if (input.logGroupName !== undefined)
      throw new InvalidParameterException(
        'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
      );
    const arn = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(:\*)?$/.exec(identifier);
    return arn ? (arn[1] as string) : identifier;
  }
  return name(input, 'logGroupName', LOG_GROUP_NAME);
}

export function groupOperations(context: LogsContext) {
  return {
    CreateLogGroup(raw: unknown) {
      const input = asInput(raw);
      const group = name(input, 'logGroupName', LOG_GROUP_NAME);
      if (context.state.groups.has(group))
        throw new ResourceAlreadyExistsException('The specified log group already exists');
      const tags = (input.tags ?? undefined) as Record<string, string> | undefined;
      context.state.record({ kind: 'group', group, time: context.now(), ...(tags ? { tags } : {}) });
      return {};
    },
    CreateLogStream(raw: unknown) {
      const input = asInput(raw);
      const group = name(input, 'logGroupName', LOG_GROUP_NAME);
      const stream = name(input, 'logStreamName', LOG_STREAM_NAME);
      if (findGroup(context, group).streams.has(stream))
        throw new ResourceAlreadyExistsException('The specified log stream already exists');
      context.state.record({ kind: 'stream', group, stream, time: context.now() });
      return {};
    },
    DescribeLogGroups(raw: unknown) {
      const input = asInput(raw);
      const prefix = name(input, 'logGroupNamePrefix', LOG_GROUP_NAME, true);
      const pattern = text(input, 'logGroupNamePattern');
      if (prefix !== undefined && pattern !== undefined)
        throw new InvalidParameterException(
          'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
        );
      const limit = integer(input, 'limit', 1, 50) ?? 50;
      const groups = [...context.state.groups.values()]
        .filter((group) => prefix === undefined || group.logGroupName.startsWith(prefix))
        .filter((group) => pattern === undefined || group.logGroupName.includes(pattern))
        .sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : 1));
      const { items, nextToken } = page(groups, (g) => g.logGroupName, limit, text(input, 'nextToken'));
      return {
        logGroups: items.map((group) => ({
          logGroupName: group.logGroupName,
          creationTime: group.creationTime,
          metricFilterCount: 0,
          arn: `${groupArn(context, group.logGroupName)}:*`,
          logGroupArn: groupArn(context, group.logGroupName),
          storedBytes: [...group.streams.values()].reduce((sum, stream) => sum + stream.storedBytes, 0),
          logGroupClass: 'STANDARD',
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    DescribeLogStreams(raw: unknown) {
      const input = asInput(raw);
      const groupName = groupNameOf(input);
      const group = findGroup(context, groupName);
      const prefix = name(input, 'logStreamNamePrefix', LOG_STREAM_NAME, true);
      const orderBy = text(input, 'orderBy') ?? 'LogStreamName';
      if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime')
        throw new InvalidParameterException(
          `orderBy must be LogStreamName or LastEventTime; got ${orderBy}.`,
        );
      if (orderBy === 'LastEventTime' && prefix !== undefined)
        throw new InvalidParameterException('Cannot order by LastEventTime with a logStreamNamePrefix.');
      const descending = bool(input, 'descending') ?? false;
      const limit = integer(input, 'limit', 1, 50) ?? 50;
      // The sort key is also the token's position: the last event time (padded) then the name.
      const key = (stream: LogStreamState) =>
        orderBy === 'LogStreamName'
          ? stream.logStreamName
          : `${String(stream.events.at(-1)?.timestamp ?? 0).padStart(15, '0')}\u0000${stream.logStreamName}`;
      const sorted = [...group.streams.values()]
        .filter((stream) => prefix === undefined || stream.logStreamName.startsWith(prefix))
        .sort((a, b) => (key(a) < key(b) ? -1 : 1));
      if (descending) sorted.reverse();
      const ordered = descending
        ? sorted.map((s) => ({ s, k: invert(key(s)) }))
        : sorted.map((s) => ({ s, k: key(s) }));
      const { items, nextToken } = page(ordered, (entry) => entry.k, limit, text(input, 'nextToken'));
      return {
        logStreams: items.map(({ s: stream }) => ({
          logStreamName: stream.logStreamName,
          creationTime: stream.creationTime,
          ...(stream.events.length > 0
            ? {
                firstEventTimestamp: stream.events[0]?.timestamp,
                lastEventTimestamp: stream.events.at(-1)?.timestamp,
                lastIngestionTime: stream.lastIngestionTime,
              }
            : {}),
          arn: `${groupArn(context, groupName)}:log-stream:${stream.logStreamName}`,
          storedBytes: stream.storedBytes,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
  };
}

/** A key that sorts in the reverse order of `key` (for descending pages). */
function invert(key: string): string {
  // The terminator puts a longer key before its prefix, as descending order wants.
  return `${[...key].map((c) => String.fromCharCode(0xfffe - c.charCodeAt(0))).join('')}\uffff`;
}
