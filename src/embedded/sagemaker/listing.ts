/**
 * The List* operations' common part: filters (NameContains, StatusEquals, CreationTime and
 * LastModifiedTime windows), sorting (SortBy, SortOrder, each operation with its own defaults)
 * and pagination (MaxResults, default 10; an opaque NextToken that resumes after the last item
 * returned).
 */
import { ValidationException } from './errors.ts';

export interface ListQuery {
  NextToken?: string;
  MaxResults?: number;
  NameContains?: string;
  StatusEquals?: string;
  CreationTimeAfter?: number | string;
  CreationTimeBefore?: number | string;
  LastModifiedTimeAfter?: number | string;
  LastModifiedTimeBefore?: number | string;
  SortBy?: string;
  SortOrder?: 'Ascending' | 'Descending';
}

/** How a row appears to the filters and the sort. */
export interface Listed {
  name: string;
  creationTime: number;
  lastModifiedTime?: number;
  status?: string;
  /** Any other sort key (FinalObjectiveMetricValue). */
  sortValues?: Readonly<Record<string, number | string | undefined>>;
}

export interface ListDefaults {
  sortBy: string;
  sortOrder: 'Ascending' | 'Descending';
}

/** Epoch seconds of a wire timestamp (epoch seconds as a number, or an ISO-8601 string). */
export function epochSeconds(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value) / 1000;
}

function sortKey(row: Listed, sortBy: string): number | string | undefined {
  switch (sortBy) {
    case 'Name':
      return row.name;
    case 'CreationTime':
      return row.creationTime;
    case 'Status':
      return row.status;
    default:
      return row.sortValues?.[sortBy];
  }
}

function compare(a: number | string | undefined, b: number | string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

function offsetOf(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0)
      return parsed.offset;
  } catch {
    // fall through: a token this service did not hand out
  }
  throw new ValidationException('Invalid pagination token: pass the NextToken of the previous response.');
}

export function page<T>(
  rows: readonly T[],
  query: ListQuery,
  listed: (row: T) => Listed,
  defaults: ListDefaults,
): { items: T[]; NextToken?: string } {
  const window = (value: number | undefined, after?: number | string, before?: number | string) =>
    (after === undefined || (value !== undefined && value > epochSeconds(after))) &&
    (before === undefined || (value !== undefined && value < epochSeconds(before)));
  const sortBy = query.SortBy ?? defaults.sortBy;
  const direction = (query.SortOrder ?? defaults.sortOrder) === 'Ascending' ? 1 : -1;
  const matching = rows
    .map((row) => ({ row, seen: listed(row) }))
    .filter(
      ({ seen }) =>
        (query.NameContains === undefined ||
          seen.name.toLowerCase().includes(query.NameContains.toLowerCase())) &&
        (query.StatusEquals === undefined || seen.status === query.StatusEquals) &&
        window(seen.creationTime, query.CreationTimeAfter, query.CreationTimeBefore) &&
        window(seen.lastModifiedTime, query.LastModifiedTimeAfter, query.LastModifiedTimeBefore),
    )
    .sort(
      (a, b) =>
        direction *
        (compare(sortKey(a.seen, sortBy), sortKey(b.seen, sortBy)) || compare(a.seen.name, b.seen.name)),
    );
  const offset = offsetOf(query.NextToken);
  const end = offset + (query.MaxResults ?? 10);
  const items = matching.slice(offset, end).map(({ row }) => row);
  return end < matching.length
    ? { items, NextToken: Buffer.from(JSON.stringify({ offset: end })).toString('base64url') }
    : { items };
}
