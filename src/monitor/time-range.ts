/**
 * Time options of `scones monitor`: `--since` / `--until` take an ISO-8601 time
 * (`2026-11-26T10:00:00Z`, `2026-11-26`) or a duration back from now (`90s`, `15m`, `6h`, `7d`,
 * `2w`), as cron jobs want ("the last hour"); `--window` takes a duration.
 */

export interface TimeRange {
  /** Inclusive, ms since the epoch. */
  since?: number;
  /** Exclusive, ms since the epoch. */
  until?: number;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

export class TimeOptionError extends Error {
  override name = 'TimeOptionError';
}

/** A duration such as `15m`, in ms; undefined when `value` is not one. */
export function parseDuration(value: string): number | undefined {
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** `--since` / `--until`: a time, or a duration back from `now`, as ms since the epoch. */
export function parseTime(value: string, option: string, now = Date.now()): number {
  const trimmed = value.trim();
  if (trimmed === 'now') return now;
  const duration = parseDuration(trimmed);
  if (duration !== undefined) return now - duration;
  // Date.parse accepts bare numbers and odd forms; a time here starts with a four-digit year.
  const time = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new TimeOptionError(
      `${option} must be an ISO-8601 time (2026-11-26T10:00:00Z) or a duration back from now (90s, 15m, 6h, 7d); got "${value}"`,
    );
  }
  return time;
}

export function parseTimeRange(options: { since?: string; until?: string }, now = Date.now()): TimeRange {
  const range: TimeRange = {
    ...(options.since !== undefined ? { since: parseTime(options.since, '--since', now) } : {}),
    ...(options.until !== undefined ? { until: parseTime(options.until, '--until', now) } : {}),
  };
  if (range.since !== undefined && range.until !== undefined && range.since >= range.until) {
    throw new TimeOptionError(
      `--since (${new Date(range.since).toISOString()}) must be before --until (${new Date(range.until).toISOString()})`,
    );
  }
  return range;
}

export function inRange(timeMs: number, range: TimeRange): boolean {
  return (
    (range.since === undefined || timeMs >= range.since) &&
    (range.until === undefined || timeMs < range.until)
  );
}

/** Whether [startMs, endMs) overlaps the range (used to skip whole hour folders). */
export function overlapsRange(startMs: number, endMs: number, range: TimeRange): boolean {
  return (
    (range.since === undefined || endMs > range.since) && (range.until === undefined || startMs < range.until)
  );
}

/** `1 s`, `5 min`, `6 h`, `7 d`: a window width for people. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1_000, 's'],
  ];
  for (const [size, name] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${name}`;
  return `${ms} ms`;
}
