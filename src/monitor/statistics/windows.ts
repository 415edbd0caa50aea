/**
 * Time windows chosen from the data, so a 10-second demo and a 30-day capture both read well.
 *
 * Widths come from one ladder of round durations (1 s, 5 s, 10 s, 30 s, 1 min, 5 min, ... 1 d,
 * 7 d, 28 d) in which each width divides the next, and windows are aligned on UTC multiples of
 * the width. The report takes the narrowest width that gives at most `maxWindows` windows (48)
 * over the span, and at most one window per `minRecordsPerWindow` (20) records, so windows are
 * neither too many to read nor too thin to mean anything: 200 inferences over 10 s give ten 1-s
 * windows, 100,000 over 30 days give thirty-one 1-d windows.
 *
 * While reading, records go into fine buckets (`TimeBuckets`) whose width starts at 1 s and
 * climbs the same ladder whenever more than `maxBuckets` (1,024) are in use, merging neighbours:
 * memory is bounded by the bucket count, not by the number of records, and a climb never loses
 * anything the final windows need, because the final width is a rung at or above the fine one.
 */
import type { WindowChoice } from './types.ts';

const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

export const WINDOW_LADDER_MS: readonly number[] = [
  S,
  5 * S,
  10 * S,
  30 * S,
  MIN,
  5 * MIN,
  10 * MIN,
  30 * MIN,
  H,
  3 * H,
  6 * H,
  12 * H,
  D,
  7 * D,
  28 * D,
];

/** The rung after `widthMs` (doubling past the top, which keeps the divisibility). */
export function nextRung(widthMs: number): number {
  return WINDOW_LADDER_MS.find((rung) => rung > widthMs) ?? widthMs * 2;
}

export function windowCount(startMs: number, endMs: number, widthMs: number): number {
  return Math.floor(endMs / widthMs) - Math.floor(startMs / widthMs) + 1;
}

export const WINDOW_DEFAULTS = { maxWindows: 48, minRecordsPerWindow: 20 } as const;

/** The window width for data spanning [startMs, endMs] (inclusive) with `records` records. */
export function chooseWindowMs(
  startMs: number,
  endMs: number,
  records: number,
  choice: WindowChoice = {},
): number {
  const maxWindows = choice.maxWindows ?? WINDOW_DEFAULTS.maxWindows;
  const perWindow = choice.minRecordsPerWindow ?? WINDOW_DEFAULTS.minRecordsPerWindow;
  const allowed = Math.max(1, Math.min(maxWindows, Math.floor(records / perWindow)));
  let width = WINDOW_LADDER_MS[0] as number;
  while (width < (choice.minWidthMs ?? 0) || windowCount(startMs, endMs, width) > allowed)
    width = nextRung(width);
  return width;
}

/** Time-bucketed state whose bucket width adapts so at most `maxBuckets` buckets exist. */
export class TimeBuckets<T> {
  widthMs: number = WINDOW_LADDER_MS[0] as number;
  #buckets = new Map<number, T>();
  readonly #create: () => T;
  readonly #merge: (into: T, from: T) => void;
  readonly #maxBuckets: number;
  /** Earliest and latest time seen (ms), or undefined before the first. */
  firstMs: number | undefined;
  lastMs: number | undefined;

  constructor(create: () => T, merge: (into: T, from: T) => void, maxBuckets = 1024) {
    this.#create = create;
    this.#merge = merge;
    this.#maxBuckets = maxBuckets;
  }

  /** The bucket holding `timeMs`. Do not keep it: a later call may merge it into a wider one. */
  at(timeMs: number): T {
    this.firstMs = this.firstMs === undefined ? timeMs : Math.min(this.firstMs, timeMs);
    this.lastMs = this.lastMs === undefined ? timeMs : Math.max(this.lastMs, timeMs);
    const start = Math.floor(timeMs / this.widthMs) * this.widthMs;
    let bucket = this.#buckets.get(start);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxBuckets) {
        this.#widen();
        return this.at(timeMs);
      }
      bucket = this.#create();
      this.#buckets.set(start, bucket);
    }
    return bucket;
  }

  get size(): number {
    return this.#buckets.size;
  }

  values(): IterableIterator<T> {
    return this.#buckets.values();
  }

  /** Buckets merged into windows of `widthMs` (a multiple of the bucket width), by window start. */
  windows(widthMs: number): Map<number, T> {
    if (widthMs % this.widthMs !== 0) {
      throw new RangeError(
        `window width ${widthMs} ms is not a multiple of the bucket width ${this.widthMs} ms`,
      );
    }
    return this.#regroup(widthMs);
  }

  #widen(): void {
    while (this.#buckets.size >= this.#maxBuckets) {
      this.widthMs = nextRung(this.widthMs);
      this.#buckets = this.#regroup(this.widthMs);
    }
  }

  #regroup(widthMs: number): Map<number, T> {
    const grouped = new Map<number, T>();
    for (const [start, bucket] of this.#buckets) {
      const windowStart = Math.floor(start / widthMs) * widthMs;
      const target = grouped.get(windowStart);
      if (target) this.#merge(target, bucket);
      else {
        const copy = this.#create();
        this.#merge(copy, bucket);
        grouped.set(windowStart, copy);
      }
    }
    return grouped;
  }
}
