/**
 * Statistics of a metric over periods, as CloudWatch computes them: SampleCount, Sum, Minimum,
 * Maximum, Average (Sum / SampleCount) over every datum whose timestamp falls in the period, and
 * percentiles `pNN` / `pNN.NN` over the raw values (weighted by their counts). A period holding a
 * statistic set (no raw values) has no percentiles, as on AWS.
 */
import type { PeriodStatistics, StoredDatum } from './types.ts';

export const STANDARD_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type StandardStatistic = (typeof STANDARD_STATISTICS)[number];

const PERCENTILE = /^p(\d{1,2}(\.\d{1,2})?|100)$/;

export function isStandardStatistic(name: string): name is StandardStatistic {
  return (STANDARD_STATISTICS as readonly string[]).includes(name);
}

export function isPercentile(name: string): boolean {
  return PERCENTILE.test(name);
}

/** The statistics of `data` (any order) with timestamps in [start, end); undefined when none. */
export function statisticsOf(
  data: readonly StoredDatum[],
  start: number,
  end: number,
): PeriodStatistics | undefined {
  let sampleCount = 0;
  let sum = 0;
  let minimum = Number.POSITIVE_INFINITY;
  let maximum = Number.NEGATIVE_INFINITY;
  let raw: { value: number; count: number }[] | undefined = [];
  let any = false;
  for (const datum of data) {
    if (datum.t < start || datum.t >= end) continue;
    any = true;
    if (datum.stats) {
      sampleCount += datum.stats.SampleCount;
      sum += datum.stats.Sum;
      minimum = Math.min(minimum, datum.stats.Minimum);
      maximum = Math.max(maximum, datum.stats.Maximum);
      raw = undefined;
      continue;
    }
    const values = datum.values ?? [];
    for (const [i, value] of values.entries()) {
      const count = datum.counts?.[i] ?? 1;
      if (count <= 0) continue;
      sampleCount += count;
      sum += value * count;
      minimum = Math.min(minimum, value);
      maximum = Math.max(maximum, value);
      raw?.push({ value, count });
    }
  }
  if (!any || sampleCount === 0) return undefined;
  return {
    SampleCount: sampleCount,
    Sum: sum,
    Minimum: minimum,
    Maximum: maximum,
    Average: sum / sampleCount,
    ...(raw ? { sorted: raw.sort((a, b) => a.value - b.value) } : {}),
  };
}

/** The index of the first datum at or after `t` in `data` sorted by time (binary search). */
function firstAtOrAfter(data: readonly StoredDatum[], t: number): number {
  let low = 0;
  let high = data.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((data[middle] as StoredDatum).t < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The statistics of every period (of `periodMs`, aligned on its multiples from the epoch) in
 * [start, end) that holds data, by the period's start, in one pass over the data in the window
 * (`data` sorted by time, as a metric keeps it).
 */
export function statisticsByPeriod(
  data: readonly StoredDatum[],
  start: number,
  end: number,
  periodMs: number,
): Map<number, PeriodStatistics> {
  const groups = new Map<number, StoredDatum[]>();
  for (let i = firstAtOrAfter(data, start); i < data.length; i++) {
    const datum = data[i] as StoredDatum;
    if (datum.t >= end) break;
    const period = Math.floor(datum.t / periodMs) * periodMs;
    const group = groups.get(period);
    if (group) group.push(datum);
    else groups.set(period, [datum]);
  }
  const result = new Map<number, PeriodStatistics>();
  for (const [period, group] of [...groups.entries()].sort(([a], [b]) => a - b)) {
    const statistics = statisticsOf(group, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    if (statistics) result.set(period, statistics);
  }
  return result;
}

/** One statistic of a period's statistics; undefined when it has no value (a percentile of a statistic set). */
export function statisticValue(statistics: PeriodStatistics, name: string): number | undefined {
  if (isStandardStatistic(name)) return statistics[name];
  const match = PERCENTILE.exec(name);
  if (!match || !statistics.sorted) return undefined;
  const rank = (Number(match[1]) / 100) * statistics.SampleCount;
  let seen = 0;
  for (const { value, count } of statistics.sorted) {
    seen += count;
    if (seen >= rank) return value;
  }
  return statistics.sorted.at(-1)?.value;
}
