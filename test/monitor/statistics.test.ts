import { describe, expect, it } from 'vitest';
import { QuantileSketch } from '../../src/monitor/statistics/quantile-sketch.ts';
import {
  accuracyOf,
  classQuality,
  jensenShannonDistance,
  shares,
} from '../../src/monitor/statistics/statistics.ts';

describe('Jensen-Shannon distance (base 2)', () => {
  it('is 0 for the same distribution, whatever the counts, and 1 for disjoint ones', () => {
    expect(jensenShannonDistance([1, 3], [10, 30])).toBe(0);
    expect(jensenShannonDistance([5, 0], [0, 7])).toBeCloseTo(1, 12);
  });

  it('matches hand-worked values', () => {
    // (1/2, 1/2) vs (1, 0): M = (3/4, 1/4), JSD = H(M) - (H(P) + H(Q)) / 2 = 0.811278 - 0.5.
    expect(jensenShannonDistance([1, 1], [1, 0])).toBeCloseTo(Math.sqrt(0.311278), 5);
    // A two-class mix moving from 50/50 to 73/27 is just over the default alarm threshold.
    expect(jensenShannonDistance([50, 50], [73, 27])).toBeCloseTo(0.2019, 4);
    expect(jensenShannonDistance([50, 50], [70, 30])).toBeCloseTo(0.1741, 4);
  });

  it('is symmetric, treats missing trailing bins as empty, and is undefined without counts', () => {
    expect(jensenShannonDistance([3, 1, 0], [1, 1])).toBeCloseTo(
      jensenShannonDistance([1, 1, 0], [3, 1]) as number,
      12,
    );
    expect(jensenShannonDistance([0, 0], [1, 1])).toBeUndefined();
  });
});

describe('quality from a confusion matrix', () => {
  // actual bicycle: 8 right, 2 taken for motorcycles; actual motorcycle: 9 right, 1 taken for a bicycle.
  const confusion = [
    [8, 2],
    [1, 9],
  ];

  it('accuracy over every label', () => {
    expect(accuracyOf(confusion)).toEqual({ labels: 20, correct: 17, accuracy: 0.85 });
    expect(accuracyOf([])).toEqual({ labels: 0, correct: 0, accuracy: null });
  });

  it('precision and recall per class, with the labels behind each', () => {
    const [bicycle, motorcycle] = classQuality(confusion, ['bicycle', 'motorcycle']);
    expect(bicycle).toMatchObject({ predicted: 9, actual: 10, truePositives: 8, recall: 0.8 });
    expect(bicycle?.precision).toBeCloseTo(8 / 9, 12);
    expect(motorcycle).toMatchObject({ predicted: 11, actual: 10, truePositives: 9, recall: 0.9 });
    expect(motorcycle?.precision).toBeCloseTo(9 / 11, 12);
  });

  it('says null where a class has no labels rather than 0', () => {
    const [, motorcycle] = classQuality([[4]], ['bicycle', 'motorcycle']);
    expect(motorcycle).toMatchObject({ precision: null, recall: null, predicted: 0, actual: 0 });
    expect(shares([0, 0])).toEqual([null, null]);
    expect(shares([1, 3])).toEqual([0.25, 0.75]);
  });
});

describe('quantile sketch', () => {
  it('returns quantiles within 1 % of the exact nearest-rank values', () => {
    const sketch = new QuantileSketch();
    for (let v = 1; v <= 1000; v++) sketch.add(v / 10); // 0.1 .. 100 ms
    for (const [q, exact] of [
      [0.5, 50],
      [0.9, 90],
      [0.99, 99],
      [1, 100],
    ] as const) {
      const estimate = sketch.quantile(q) as number;
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.01);
    }
    expect(sketch.count).toBe(1000);
    expect(sketch.quantile(0)).toBeCloseTo(0.1, 2);
  });

  it('merges to the same answers as one sketch over all the values, and ignores junk', () => {
    const whole = new QuantileSketch();
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    for (let v = 0; v < 500; v++) {
      whole.add(v);
      (v % 2 ? a : b).add(v);
    }
    a.merge(b);
    for (const q of [0.1, 0.5, 0.9, 0.99]) expect(a.quantile(q)).toBe(whole.quantile(q));
    a.add(Number.NaN);
    a.add(-1);
    expect(a.count).toBe(500);
    expect(new QuantileSketch().quantile(0.5)).toBeUndefined();
  });
});
