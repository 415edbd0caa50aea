/**
 * The bookkeeping of a load run, without servers: outcomes that arrive before their PUT's
 * acknowledgement, second executions of one key, waiting with an idle timeout, and the report's
 * arithmetic (lost, accuracy with manual review apart, percentiles, the drift ramp).
 */
import { describe, expect, it } from 'vitest';
import { type Outcome, OutcomeBook, outcomeOf } from '../../src/load/outcomes.ts';
import { buildReport, percentile } from '../../src/load/report.ts';

const decided = (key: string, decision: string, predicted: string, stopMs = 2000): Outcome =>
  outcomeOf({
    key,
    name: `exec-${key}`,
    status: 'SUCCEEDED',
    stopMs,
    output: { decision, predicted_label: predicted, confidence: decision === 'manual-review' ? 0.6 : 0.9 },
  });

function ack(book: OutcomeBook, key: string, label: string, ackMs = 1000, strength = 0) {
  book.acked({ key, index: book.keys.size, label, strength, ackMs });
}

describe('the outcome book', () => {
  it('keeps an outcome that arrives before its acknowledgement, and counts second executions apart', () => {
    const book = new OutcomeBook();
    book.record(decided('a', 'short-range', 'bicycle'));
    expect(book.pending).toBe(0);
    ack(book, 'a', 'bicycle');
    ack(book, 'b', 'motorcycle', 1500);
    expect(book.pending).toBe(1);
    expect(book.keys.get('a')?.outcome?.decision).toBe('short-range');
    expect(book.oldestPendingAckMs()).toBe(1500);
    book.record(decided('a', 'short-range', 'bicycle'));
    expect(book.duplicates).toBe(0);
    book.record({ ...decided('a', 'long-range', 'motorcycle'), execution: 'another' });
    expect(book.duplicates).toBe(1);
    expect(book.keys.get('a')?.outcome?.decision).toBe('short-range');
    expect(book.decisions).toEqual({ 'short-range': 1 });
  });

  it('settles when every key has its outcome, or gives up after the idle timeout', async () => {
    const book = new OutcomeBook();
    ack(book, 'a', 'bicycle');
    ack(book, 'b', 'bicycle');
    setTimeout(() => book.record(decided('a', 'short-range', 'bicycle')), 20);
    setTimeout(() => book.record(decided('b', 'short-range', 'bicycle')), 40);
    expect(await book.settled(1000)).toBe(true);
    ack(book, 'c', 'bicycle');
    const started = Date.now();
    expect(await book.settled(150)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(book.pendingKeys()).toEqual(['c']);
  });

  it('reads failures as such, with their error and cause', () => {
    const failed = outcomeOf({
      key: 'k',
      name: 'n',
      status: 'FAILED',
      stopMs: 1,
      error: 'ImageNotFound',
      cause: 'gone',
    });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'ImageNotFound', cause: 'gone' });
    expect(outcomeOf({ key: 'k', name: 'n', status: 'TIMED_OUT', stopMs: 1 }).error).toBe(
      'ExecutionTIMED_OUT',
    );
  });
});

describe('the load report', () => {
  it('counts lost keys by name, accuracy with manual review apart, and ramps per quarter', () => {
    const book = new OutcomeBook();
    const labels = ['bicycle', 'bicycle', 'motorcycle', 'motorcycle', 'bicycle', 'bicycle'];
    for (const [i, label] of labels.entries()) ack(book, `k${i}`, label, 1000, i / 5);
    book.record(decided('k0', 'short-range', 'bicycle', 1100)); // right
    book.record(decided('k1', 'long-range', 'motorcycle', 1200)); // wrong
    book.record(decided('k2', 'long-range', 'motorcycle', 1300)); // right
    book.record(decided('k3', 'manual-review', 'motorcycle', 1400)); // review, right
    book.record(outcomeOf({ key: 'k4', name: 'e4', status: 'FAILED', stopMs: 1500, error: 'ModelError' }));
    const report = buildReport({
      runId: 'r',
      target: 't',
      outcomesFrom: 'o',
      plan: { mode: 'burst', count: 6, concurrency: 2 },
      planned: 6,
      keyPrefix: 'incoming/load-r/',
      drift: 'blur',
      seed: 1,
      book,
      uploadErrors: new Map([['TimeoutError', 1]]),
      pacing: { started: 7, wallMs: 500, scheduleLagsMs: [] },
      startedMs: 900,
      endedMs: 2900,
    });
    expect(report).toMatchObject({
      uploaded: 6,
      upload_failed: 1,
      decided: 4,
      failed: 1,
      lost: 1,
      lost_keys: ['k5'],
      decisions: { 'short-range': 1, 'long-range': 2, 'manual-review': 1 },
      errors: { ModelError: 1 },
      routed: 3,
      manual_review: 1,
      accuracy: 0.6667,
      accuracy_with_review: 0.75,
      uploads_per_s: 12,
      e2e_p50_ms: 300,
      e2e_max_ms: 500,
    });
    expect(report.ramp?.map((segment) => segment.uploaded)).toEqual([2, 1, 1, 2]);
    expect(report.ramp?.[0]).toMatchObject({ decided: 2, accuracy: 0.5 });
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([], 50)).toBeNull();
  });
});
