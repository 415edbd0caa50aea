/**
 * The end of a load run: counts per decision and per error, end-to-end latency (PUT acknowledged
 * to the execution's stop), throughput, accuracy against the known labels (manual review counted
 * apart), and lost = uploaded - decided - failed, with the lost keys by name. With a drift, the
 * same figures per quarter of the ramp show what the degradation did.
 */
import type { KeyRecord, OutcomeBook } from './outcomes.ts';
import type { PacingResult, UploadPlan } from './pacing.ts';

/** Lost keys listed in the report; the count is always whole. */
const MAX_LISTED_KEYS = 1000;
const MAX_FAILURE_EXAMPLES = 5;
const MANUAL_REVIEW = 'manual-review';

export interface RampSegment {
  /** Drift strength range of the segment, e.g. 0.25-0.5. */
  strength: [number, number];
  uploaded: number;
  decided: number;
  accuracy: number | null;
  manual_review_share: number | null;
  mean_confidence: number | null;
}

export interface LoadReport {
  run_id: string;
  target: string;
  outcomes_from: string;
  mode: UploadPlan['mode'];
  planned: number;
  key_prefix: string;
  drift: string | null;
  seed: number;
  uploaded: number;
  upload_failed: number;
  decided: number;
  failed: number;
  lost: number;
  /** Keys that got a second execution (an event delivered twice). */
  duplicate_executions: number;
  decisions: Record<string, number>;
  errors: Record<string, number>;
  upload_errors: Record<string, number>;
  e2e_p50_ms: number | null;
  e2e_p95_ms: number | null;
  e2e_p99_ms: number | null;
  e2e_max_ms: number | null;
  upload_s: number;
  uploads_per_s: number;
  /** Outcomes per second, from the first upload to the last decision. */
  decisions_per_s: number;
  wall_s: number;
  schedule_lag_p99_ms: number | null;
  schedule_lag_max_ms: number | null;
  /** Share of automatically routed images whose predicted label is the true one. */
  accuracy: number | null;
  routed: number;
  manual_review: number;
  /** Predicted label against the true one over every decision, manual review included. */
  accuracy_with_review: number | null;
  ramp?: RampSegment[];
  lost_keys: string[];
  failed_examples: { key: string; error: string; cause?: string }[];
}

export interface ReportInputs {
  runId: string;
  target: string;
  outcomesFrom: string;
  plan: UploadPlan;
  planned: number;
  keyPrefix: string;
  drift: string | undefined;
  seed: number;
  book: OutcomeBook;
  uploadErrors: Map<string, number>;
  pacing: PacingResult;
  /** When the first upload started and the run ended, ms since the epoch. */
  startedMs: number;
  endedMs: number;
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const share = (part: number, whole: number) => (whole > 0 ? round(part / whole, 4) : null);
const countInto = (counts: Record<string, number>, name: string) => {
  counts[name] = (counts[name] ?? 0) + 1;
};

interface Quality {
  decided: number;
  routed: number;
  routedCorrect: number;
  predicted: number;
  predictedCorrect: number;
  review: number;
  confidenceSum: number;
  confidences: number;
}

function qualityOf(entries: Iterable<KeyRecord>): Quality {
  const q: Quality = {
    decided: 0,
    routed: 0,
    routedCorrect: 0,
    predicted: 0,
    predictedCorrect: 0,
    review: 0,
    confidenceSum: 0,
    confidences: 0,
  };
  for (const { outcome, label } of entries) {
    if (outcome?.status !== 'SUCCEEDED') continue;
    q.decided++;
    const correct = outcome.predictedLabel === label;
    if (outcome.predictedLabel !== undefined) {
      q.predicted++;
      if (correct) q.predictedCorrect++;
    }
    if (outcome.decision === MANUAL_REVIEW) q.review++;
    else if (outcome.predictedLabel !== undefined) {
      q.routed++;
      if (correct) q.routedCorrect++;
    }
    if (outcome.confidence !== undefined) {
      q.confidenceSum += outcome.confidence;
      q.confidences++;
    }
  }
  return q;
}

function rampOf(entries: KeyRecord[]): RampSegment[] {
  const quarters: KeyRecord[][] = [[], [], [], []];
  for (const entry of entries) quarters[Math.min(3, Math.floor(entry.strength * 4))]?.push(entry);
  return quarters.map((segment, i) => {
    const q = qualityOf(segment);
    return {
      strength: [i / 4, (i + 1) / 4],
      uploaded: segment.length,
      decided: q.decided,
      accuracy: share(q.routedCorrect, q.routed),
      manual_review_share: share(q.review, q.decided),
      mean_confidence: q.confidences > 0 ? round(q.confidenceSum / q.confidences, 4) : null,
    };
  });
}

export function buildReport(inputs: ReportInputs): LoadReport {
  const entries = [...inputs.book.keys.values()];
  const decisions: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const latencies: number[] = [];
  const lostKeys: string[] = [];
  const failedExamples: LoadReport['failed_examples'] = [];
  let decided = 0;
  let failed = 0;
  let lastStopMs = inputs.startedMs;
  for (const entry of entries) {
    const { outcome } = entry;
    if (!outcome) {
      lostKeys.push(entry.key);
      continue;
    }
    latencies.push(outcome.stopMs - entry.ackMs);
    lastStopMs = Math.max(lastStopMs, outcome.stopMs);
    if (outcome.status === 'SUCCEEDED') {
      decided++;
      countInto(decisions, outcome.decision ?? 'unknown');
    } else {
      failed++;
      countInto(errors, outcome.error ?? outcome.status);
      if (failedExamples.length < MAX_FAILURE_EXAMPLES) {
        failedExamples.push({
          key: entry.key,
          error: outcome.error ?? outcome.status,
          ...(outcome.cause ? { cause: outcome.cause.slice(0, 500) } : {}),
        });
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const lags = [...inputs.pacing.scheduleLagsMs].sort((a, b) => a - b);
  const roundOrNull = (x: number | null) => (x === null ? null : round(x));
  const q = qualityOf(entries);
  const uploaded = entries.length;
  const uploadS = inputs.pacing.wallMs / 1000;
  const decisionSpanS = (lastStopMs - inputs.startedMs) / 1000;
  return {
    run_id: inputs.runId,
    target: inputs.target,
    outcomes_from: inputs.outcomesFrom,
    mode: inputs.plan.mode,
    planned: inputs.planned,
    key_prefix: inputs.keyPrefix,
    drift: inputs.drift ?? null,
    seed: inputs.seed,
    uploaded,
    upload_failed: [...inputs.uploadErrors.values()].reduce((sum, n) => sum + n, 0),
    decided,
    failed,
    lost: uploaded - decided - failed,
    duplicate_executions: inputs.book.duplicates,
    decisions,
    errors,
    upload_errors: Object.fromEntries(inputs.uploadErrors),
    e2e_p50_ms: roundOrNull(percentile(latencies, 50)),
    e2e_p95_ms: roundOrNull(percentile(latencies, 95)),
    e2e_p99_ms: roundOrNull(percentile(latencies, 99)),
    e2e_max_ms: roundOrNull(latencies.at(-1) ?? null),
    upload_s: round(uploadS, 2),
    uploads_per_s: uploadS > 0 ? round(uploaded / uploadS) : 0,
    decisions_per_s: decisionSpanS > 0 ? round((decided + failed) / decisionSpanS) : 0,
    wall_s: round((inputs.endedMs - inputs.startedMs) / 1000, 2),
    schedule_lag_p99_ms: inputs.plan.mode === 'stream' ? roundOrNull(percentile(lags, 99)) : null,
    schedule_lag_max_ms: inputs.plan.mode === 'stream' ? roundOrNull(lags.at(-1) ?? null) : null,
    accuracy: share(q.routedCorrect, q.routed),
    routed: q.routed,
    manual_review: q.review,
    accuracy_with_review: share(q.predictedCorrect, q.predicted),
    ...(inputs.drift ? { ramp: rampOf(entries) } : {}),
    lost_keys: lostKeys.slice(0, MAX_LISTED_KEYS),
    failed_examples: failedExamples,
  };
}
