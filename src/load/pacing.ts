/**
 * When each upload of a run starts.
 * - burst: `count` uploads, at most `concurrency` at once, as fast as the target takes them;
 * - stream: open loop, upload n is due at start + n / rate whatever became of the earlier ones,
 *   so a slow system shows as decisions lagging behind uploads, not as fewer uploads. Only when
 *   `maxInFlight` PUTs are still unanswered does the next one wait; that wait is its schedule lag.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export type UploadPlan =
  | { mode: 'burst'; count: number; concurrency: number }
  | { mode: 'stream'; ratePerSecond: number; durationMs: number; maxInFlight: number };

export interface PacingResult {
  /** Uploads started (fewer than planned when aborted). */
  started: number;
  /** From the first start to the last upload's end. */
  wallMs: number;
  /** Stream: how late each upload started against its slot, ms. */
  scheduleLagsMs: number[];
}

export function plannedUploads(plan: UploadPlan): number {
  return plan.mode === 'burst' ? plan.count : Math.round((plan.ratePerSecond * plan.durationMs) / 1000);
}

/** Runs `upload(n)` for every n of the plan; `upload` records its own failures and never throws. */
export async function pace(
  plan: UploadPlan,
  upload: (index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<PacingResult> {
  const total = plannedUploads(plan);
  const started = performance.now();
  if (plan.mode === 'burst') {
    let next = 0;
    const worker = async () => {
      while (next < total && !signal?.aborted) await upload(next++);
    };
    await Promise.all(Array.from({ length: Math.min(plan.concurrency, total) }, worker));
    return { started: next, wallMs: performance.now() - started, scheduleLagsMs: [] };
  }

  const intervalMs = 1000 / plan.ratePerSecond;
  const inFlight = new Set<Promise<void>>();
  const scheduleLagsMs: number[] = [];
  let next = 0;
  while (next < total && !signal?.aborted) {
    const now = performance.now();
    while (next < total && inFlight.size < plan.maxInFlight && started + next * intervalMs <= now) {
      scheduleLagsMs.push(now - (started + next * intervalMs));
      const running: Promise<void> = upload(next++).finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
    if (next >= total) break;
    if (inFlight.size >= plan.maxInFlight) await Promise.race(inFlight);
    else await sleep(Math.max(0, started + next * intervalMs - performance.now()));
  }
  await Promise.all(inFlight);
  return { started: next, wallMs: performance.now() - started, scheduleLagsMs };
}
