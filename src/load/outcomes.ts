/**
 * What a load run knows about each uploaded key: when its PUT was acknowledged, and the outcome of
 * the execution it started (found by an OutcomeSource: the embedded engine's registry, or the Step
 * Functions API of a deployed or running stack). Every key ends decided, failed or lost.
 */
import type { WorkflowResult } from '../workflow/types.ts';

export type OutcomeStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** The closed execution about one uploaded key. */
export interface Outcome {
  key: string;
  /** Execution name (or ARN where the name says nothing). */
  execution: string;
  status: OutcomeStatus;
  /** The execution's stop time, ms since the epoch (the decision's time). */
  stopMs: number;
  decision?: string;
  predictedLabel?: string;
  confidence?: number;
  error?: string;
  cause?: string;
}

/** Where outcomes come from; one implementation per way of watching executions. */
export interface OutcomeSource {
  /** What is watched, for the summary (e.g. `embedded engine`, `Step Functions API at ...`). */
  readonly describe: string;
  /** Reports every closed execution about a key under `keyPrefix`, started at `sinceMs` or later. */
  start(keyPrefix: string, sinceMs: number, report: (outcome: Outcome) => void): void;
  /** Looks once more for these keys (the end of a run, before they are called lost). */
  recheck(keys: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/** An execution's closing state as the engine or DescribeExecution gives it, as an Outcome. */
export function outcomeOf(execution: {
  key: string;
  name: string;
  status: string;
  stopMs: number;
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
}): Outcome {
  const status = (['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const).find(
    (known) => known === execution.status,
  );
  const outcome: Outcome = {
    key: execution.key,
    execution: execution.name,
    status: status ?? 'FAILED',
    stopMs: execution.stopMs,
  };
  if (outcome.status === 'SUCCEEDED') {
    const result = (execution.output ?? {}) as Partial<WorkflowResult>;
    if (typeof result.decision === 'string') outcome.decision = result.decision;
    if (typeof result.predicted_label === 'string') outcome.predictedLabel = result.predicted_label;
    if (typeof result.confidence === 'number') outcome.confidence = result.confidence;
  } else {
    outcome.error = execution.error ?? `Execution${execution.status}`;
    if (execution.cause !== undefined) outcome.cause = execution.cause;
  }
  return outcome;
}

/** One uploaded key and what became of it. */
export interface KeyRecord {
  key: string;
  index: number;
  label: string;
  strength: number;
  /** PUT acknowledged, ms since the epoch. */
  ackMs: number;
  outcome?: Outcome;
}

/**
 * The keys of a run and their outcomes. Outcomes may arrive before the PUT's acknowledgement is
 * recorded (the execution can close first); they wait for it. A second outcome for a key (an
 * event delivered twice that started a second execution) is counted, not used.
 */
export class OutcomeBook {
  readonly keys = new Map<string, KeyRecord>();
  duplicates = 0;
  /** Running counts, so live progress need not walk every key. */
  readonly decisions: Record<string, number> = {};
  failed = 0;
  /** Keys in acknowledgement order, and the first one that may still wait. */
  readonly #acked: KeyRecord[] = [];
  #oldestCursor = 0;
  #early = new Map<string, Outcome>();
  #pending = 0;
  #lastOutcomeMs = Date.now();
  #waiters = new Set<() => void>();

  acked(record: Omit<KeyRecord, 'outcome'>): void {
    const entry: KeyRecord = { ...record };
    this.keys.set(record.key, entry);
    this.#acked.push(entry);
    const early = this.#early.get(record.key);
    this.#pending++;
    if (early) {
      this.#early.delete(record.key);
      this.#settle(entry, early);
    }
  }

  record(outcome: Outcome): void {
    const entry = this.keys.get(outcome.key);
    const known = entry?.outcome ?? this.#early.get(outcome.key);
    if (known) {
      if (known.execution !== outcome.execution) this.duplicates++;
      return;
    }
    this.#lastOutcomeMs = Date.now();
    if (entry) this.#settle(entry, outcome);
    else this.#early.set(outcome.key, outcome);
  }

  #settle(entry: KeyRecord, outcome: Outcome): void {
    entry.outcome = outcome;
    if (outcome.status === 'SUCCEEDED') {
      const route = outcome.decision ?? 'unknown';
      this.decisions[route] = (this.decisions[route] ?? 0) + 1;
    } else this.failed++;
    this.#pending--;
    if (this.#pending === 0) for (const wake of this.#waiters) wake();
  }

  /** Acknowledged keys without an outcome yet. */
  get pending(): number {
    return this.#pending;
  }

  pendingKeys(): string[] {
    return this.#acked.filter((entry) => !entry.outcome).map((entry) => entry.key);
  }

  /** When the oldest acknowledged key still waiting was acknowledged (undefined: none waits). */
  oldestPendingAckMs(): number | undefined {
    while (this.#oldestCursor < this.#acked.length && this.#acked[this.#oldestCursor]?.outcome) {
      this.#oldestCursor++;
    }
    return this.#acked[this.#oldestCursor]?.ackMs;
  }

  /**
   * Resolves true when every acknowledged key has its outcome, false when none arrived for
   * `idleTimeoutMs` while some still wait (the system stalled, or lost them).
   */
  async settled(idleTimeoutMs: number): Promise<boolean> {
    // The idle clock starts now: the uploads may have taken longer than the timeout.
    this.#lastOutcomeMs = Date.now();
    while (this.#pending > 0) {
      const idleFor = Date.now() - this.#lastOutcomeMs;
      if (idleFor >= idleTimeoutMs) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(1000, idleTimeoutMs - idleFor));
        this.#waiters.add(wake);
      });
    }
    return true;
  }
}
