/**
 * The report's statistics, pure functions of counts (so each window's figures can be merged from
 * smaller ones and checked by hand).
 *
 * Drift is the Jensen-Shannon distance (base 2: 0 = same distribution, 1 = disjoint), not the
 * population stability index, because
 * - it is defined when a bin is empty on one side; PSI takes the log of the bin's share and needs
 *   a smoothing constant that then decides its value: on two 50-inference samples of one
 *   confidence distribution (simulated, 5-10 bins, 1e-4 smoothing) PSI's 99th percentile was
 *   0.55-0.81, the JS distance's 0.23-0.29;
 * - it is symmetric and bounded, so one threshold (0.2) reads the same for the confidence
 *   histogram and the class mix, for 2 classes or 100;
 * - it is a metric (the square root of the JS divergence), so "twice as far" means something.
 * For a two-class mix, 0.2 is reached at about 50/50 -> 73/27 (PSI then reads 0.23).
 */
import type { Accuracy, ClassQuality, Confusion } from './types.ts';

/** Shares of counts; null for every share when the counts sum to 0. */
export function shares(counts: readonly number[]): (number | null)[] {
  const total = counts.reduce((sum, n) => sum + n, 0);
  return counts.map((n) => (total > 0 ? n / total : null));
}

/**
 * Jensen-Shannon distance between two distributions given as counts over the same bins (bins
 * missing at the end count as 0); undefined when either side has no counts.
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number | undefined {
  const totalP = p.reduce((sum, n) => sum + n, 0);
  const totalQ = q.reduce((sum, n) => sum + n, 0);
  if (totalP <= 0 || totalQ <= 0) return undefined;
  let divergence = 0;
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    const a = (p[i] ?? 0) / totalP;
    const b = (q[i] ?? 0) / totalQ;
    const m = (a + b) / 2;
    if (a > 0) divergence += (a / 2) * Math.log2(a / m);
    if (b > 0) divergence += (b / 2) * Math.log2(b / m);
  }
  // Rounding can leave a tiny negative divergence for identical inputs.
  return Math.sqrt(Math.max(0, divergence));
}

export function accuracyOf(confusion: Confusion): Accuracy {
  let labels = 0;
  let correct = 0;
  confusion.forEach((row, actual) => {
    row.forEach((n, predicted) => {
      labels += n;
      if (actual === predicted) correct += n;
    });
  });
  return { labels, correct, accuracy: labels > 0 ? correct / labels : null };
}

export function classQuality(confusion: Confusion, labels: readonly string[]): ClassQuality[] {
  return labels.map((label, c) => {
    const truePositives = confusion[c]?.[c] ?? 0;
    const actual = (confusion[c] ?? []).reduce((sum, n) => sum + n, 0);
    const predicted = confusion.reduce((sum, row) => sum + (row[c] ?? 0), 0);
    return {
      label,
      precision: predicted > 0 ? truePositives / predicted : null,
      recall: actual > 0 ? truePositives / actual : null,
      predicted,
      actual,
      truePositives,
    };
  });
}

/** Adds `from` into `into`, growing it as needed (counts by index). */
export function addCounts(into: number[], from: readonly number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}
