import { describe, expect, it } from 'vitest';
import { BottomKSample } from '../../src/monitor/statistics/sample.ts';
import {
  chooseWindowMs,
  TimeBuckets,
  WINDOW_LADDER_MS,
  windowCount,
} from '../../src/monitor/statistics/windows.ts';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const DAY = 86_400_000;

describe('window width from the span', () => {
  it('gives a 10-second, 200-inference demo ten 1-s windows', () => {
    const width = chooseWindowMs(T0, T0 + 9_000, 200);
    expect(width).toBe(1000);
    expect(windowCount(T0, T0 + 9_000, width)).toBe(10);
  });

  it('gives 100,000 inferences over 30 days thirty 1-day windows', () => {
    const width = chooseWindowMs(T0, T0 + 30 * DAY - 1, 100_000);
    expect(width).toBe(DAY);
    expect(windowCount(T0, T0 + 30 * DAY - 1, width)).toBeLessThanOrEqual(31);
  });

  it('never makes windows thinner than 20 records on average, nor more than 48', () => {
    // 50 records over an hour: at most 2 windows -> 30 min.
    expect(chooseWindowMs(T0, T0 + 3_600_000 - 1, 50)).toBe(30 * 60_000);
    // A million records over 10 minutes: 48 windows at most -> 30 s (20 windows), not 10 s (60).
    expect(chooseWindowMs(T0, T0 + 600_000 - 1, 1_000_000)).toBe(30_000);
    expect(chooseWindowMs(T0, T0, 1)).toBe(1000);
  });

  it('uses a ladder in which every width divides the next, so fine buckets fold into any window', () => {
    for (let i = 1; i < WINDOW_LADDER_MS.length; i++) {
      expect((WINDOW_LADDER_MS[i] as number) % (WINDOW_LADDER_MS[i - 1] as number)).toBe(0);
    }
  });
});

describe('adaptive time buckets', () => {
  const counter = () =>
    new TimeBuckets<{ n: number }>(
      () => ({ n: 0 }),
      (into, from) => {
        into.n += from.n;
      },
      4,
    );

  it('widen along the ladder when more than the allowed buckets are in use, losing nothing', () => {
    const buckets = counter();
    for (let s = 0; s < 4; s++) buckets.at(T0 + s * 1000).n++;
    expect(buckets.widthMs).toBe(1000);
    buckets.at(T0 + 4_000).n++;
    expect(buckets.widthMs).toBe(5000);
    expect(buckets.size).toBe(1);
    for (let s = 5; s < 60; s++) buckets.at(T0 + s * 1000).n++;
    expect(buckets.size).toBeLessThanOrEqual(4);
    const minute = buckets.windows(60_000);
    expect([...minute.values()].reduce((sum, b) => sum + b.n, 0)).toBe(60);
    expect(minute.get(T0)?.n).toBe(60);
    expect(buckets.firstMs).toBe(T0);
    expect(buckets.lastMs).toBe(T0 + 59_000);
  });

  it('refuse a window width that does not divide into the buckets', () => {
    const buckets = counter();
    buckets.at(T0).n++;
    expect(() => buckets.windows(1500)).toThrow(/not a multiple/);
  });
});

describe('bottom-k sample', () => {
  it('keeps at most k items and the same ones whatever the order they come in', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `inference-${i}`);
    const forward = new BottomKSample<string>(100);
    const backward = new BottomKSample<string>(100);
    for (const id of ids) forward.offer(id, id);
    for (const id of [...ids].reverse()) backward.offer(id, id);
    expect(forward.items).toHaveLength(100);
    expect(forward.seen).toBe(5000);
    expect(new Set(forward.items)).toEqual(new Set(backward.items));
  });

  it('is spread over the stream (not its start or end)', () => {
    const sample = new BottomKSample<number>(500);
    for (let i = 0; i < 50_000; i++) sample.offer(`id-${i}`, i);
    const firstHalf = sample.items.filter((i) => i < 25_000).length;
    expect(firstHalf).toBeGreaterThan(200);
    expect(firstHalf).toBeLessThan(300);
  });
});
