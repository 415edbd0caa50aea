/**
 * `scones load`'s pacing options as an UploadPlan: `--count N` (a burst) or `--rate R --duration D`
 * (a stream); rates as `50/s`, `50` (per second) or `3000/m`, durations as `monitor` takes them
 * (`90s`, `2m`, `1h`).
 */
import { parseDuration } from '../monitor/time-range.ts';
import type { UploadPlan } from './pacing.ts';

export const DEFAULT_BURST_CONCURRENCY = 32;
/** Stream: PUTs awaiting their answer before the next one waits (and lags its slot). */
export const DEFAULT_STREAM_IN_FLIGHT = 64;
export const DEFAULT_SEED = 1;
/** Give up on the remaining outcomes when none arrived for this long. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const MAX_UPLOADS = 10_000_000;

export class LoadOptionError extends Error {
  override name = 'LoadOptionError';
}

const RATE = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m|h))?$/;
const PER_SECOND: Record<string, number> = { s: 1, m: 1 / 60, h: 1 / 3600 };

/** Uploads per second of `50/s`, `50`, `3000/m`, `3600/h`. */
export function parseRate(value: string): number {
  const match = RATE.exec(value.trim());
  const rate = match ? Number(match[1]) * (PER_SECOND[match[2] ?? 's'] as number) : Number.NaN;
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new LoadOptionError(
      `--rate must be uploads per second or minute, e.g. 50/s or 3000/m; got "${value}"`,
    );
  }
  return rate;
}

export function parseDurationOption(value: string, option: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new LoadOptionError(`${option} must be a duration such as 30s, 2m or 1h; got "${value}"`);
  }
  return ms;
}

export function uploadPlanOf(options: {
  count?: number | undefined;
  rate?: string | undefined;
  duration?: string | undefined;
  concurrency?: number | undefined;
}): UploadPlan {
  const { count, rate, duration } = options;
  if (count !== undefined && (rate !== undefined || duration !== undefined)) {
    throw new LoadOptionError('give either --count (a burst) or --rate with --duration (a stream), not both');
  }
  if (count !== undefined) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_UPLOADS) {
      throw new LoadOptionError(`--count must be a whole number from 1 to ${MAX_UPLOADS}; got ${count}`);
    }
    const concurrency = options.concurrency ?? DEFAULT_BURST_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new LoadOptionError(`--concurrency must be a whole number of at least 1; got ${concurrency}`);
    }
    return { mode: 'burst', count, concurrency };
  }
  if (rate === undefined || duration === undefined) {
    throw new LoadOptionError(
      'say how much to upload: --count N for a burst, or --rate R --duration D for a stream (e.g. --rate 50/s --duration 2m)',
    );
  }
  const ratePerSecond = parseRate(rate);
  const durationMs = parseDurationOption(duration, '--duration');
  const uploads = Math.round((ratePerSecond * durationMs) / 1000);
  if (uploads < 1 || uploads > MAX_UPLOADS) {
    throw new LoadOptionError(
      `--rate ${rate} for --duration ${duration} makes ${uploads} uploads; it must be 1 to ${MAX_UPLOADS}`,
    );
  }
  return {
    mode: 'stream',
    ratePerSecond,
    durationMs,
    maxInFlight: options.concurrency ?? DEFAULT_STREAM_IN_FLIGHT,
  };
}

/** `1000 uploads in a burst (32 at once)` / `50/s for 2 min (6000 uploads)`, for plans and summaries. */
export function describePlan(plan: UploadPlan): string {
  if (plan.mode === 'burst') return `in a burst (${plan.concurrency} at once)`;
  const seconds = plan.durationMs / 1000;
  return `as a stream of ${plan.ratePerSecond}/s for ${seconds >= 120 ? `${seconds / 60} min` : `${seconds} s`}`;
}
