/**
 * An alarm's evaluation, as CloudWatch's user guide documents it ("How alarm state is evaluated
 * when data is missing", its two tables are the unit tests' cases). Periods of `Period` seconds
 * are aligned on multiples of the period; the datapoint of a period is the alarm's statistic
 * over it, breaching the threshold under `ComparisonOperator` or not, or missing. With N =
 * `EvaluationPeriods` and M = `DatapointsToAlarm` (default N), CloudWatch reads an *evaluation
 * range* longer than N (here N + 2 complete periods, as in the guide's examples) and:
 * - with at least N real datapoints in the range, evaluates the N most recent of them (missing
 *   ones skipped; `TreatMissingData` is not used): ALARM when at least M breach, else OK;
 * - with fewer, fills the N with the treatment, using all the real datapoints: `breaching` /
 *   `notBreaching` count the filled ones as such (ALARM when at least M breach, else OK);
 *   `missing`: no real datapoint is INSUFFICIENT_DATA; `ignore`: no real datapoint keeps the
 *   state. For both, at least M breaching is ALARM; with fewer real datapoints than M, a breaching
 *   datapoint at least M periods old among the last N with only breaching or missing ones after it
 *   is ALARM too (the guide's "premature alarm state" rule: `- - X - -` alarms, `- - - X -` waits);
 *   otherwise any real non-breaching datapoint makes it OK, and none keeps the state (waiting).
 * A percentile alarm with `EvaluateLowSampleCountPercentile: ignore` keeps its state while an
 * evaluated period has too few samples.
 */
import { statisticsByPeriod, statisticValue } from './statistics.ts';
import type { AlarmDefinition, AlarmStateValue, ComparisonOperator, StoredDatum } from './types.ts';

export interface Evaluation {
  value: AlarmStateValue;
  reason: string;
  reasonData: string;
}

type Real = { t: number; value: number; sampleCount: number };
type Point = Real | { t: number; value?: undefined };

const WORDS: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function breaches(operator: ComparisonOperator, value: number, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

/** `2026-12-07T08:30:00.000+0000`, as StateReasonData writes dates. */
const isoDate = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/** `07/12/26 08:30:00`, as StateReason shows a datapoint's time (dd/MM/yy HH:mm:ss, UTC). */
function reasonDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

const shown = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));
const datapoints = (n: number) => `${n} datapoint${n === 1 ? '' : 's'}`;

/**
 * The state the alarm's data (its metric's datums, sorted by time) puts it in at `now`, with the
 * reason; undefined when it stays as it is (waiting, or `ignore` with every datapoint missing).
 */
export function evaluateAlarm(
  alarm: AlarmDefinition,
  data: readonly StoredDatum[],
  now: number,
  current: AlarmStateValue,
): Evaluation | undefined {
  const periodMs = alarm.Period * 1000;
  const n = alarm.EvaluationPeriods;
  const m = alarm.DatapointsToAlarm ?? n;
  const end = Math.floor(now / periodMs) * periodMs;
  const range = n + 2;
  const first = end - range * periodMs;
  const statistic = alarm.Statistic ?? alarm.ExtendedStatistic ?? 'Average';
  const relevant = alarm.Unit === undefined ? data : data.filter((d) => (d.unit ?? 'None') === alarm.Unit);
  const byPeriod = statisticsByPeriod(relevant, first, end, periodMs);
  // Newest first, as StateReason lists them; `age` 1 is the most recent complete period.
  const points: (Point & { age: number })[] = [];
  for (let age = 1; age <= range; age++) {
    const t = end - age * periodMs;
    const statistics = byPeriod.get(t);
    const value = statistics && statisticValue(statistics, statistic);
    points.push(
      value === undefined || statistics === undefined
        ? { t, age }
        : { t, age, value, sampleCount: statistics.SampleCount },
    );
  }
  const breachingPoint = (p: Point) =>
    p.value !== undefined && breaches(alarm.ComparisonOperator, p.value, alarm.Threshold);
  const real = points.filter((p): p is Real & { age: number } => p.value !== undefined);
  const treat = alarm.TreatMissingData ?? 'missing';
  // A percentile over too few samples: with `ignore`, the state does not change (the user guide's
  // bound: fewer than 10 / (1 - p) samples for p >= 0.5, 10 / p below).
  if (alarm.EvaluateLowSampleCountPercentile === 'ignore' && alarm.ExtendedStatistic) {
    // In percent, so that p90 needs exactly 100 (10 / (1 - 0.9) is 100.00000000000003 in floats).
    const percent = Number(alarm.ExtendedStatistic.slice(1));
    const needed = percent >= 50 ? 1000 / (100 - percent) : 1000 / percent;
    if (real.slice(0, n).some((point) => point.sampleCount < needed)) return undefined;
  }
  // The datapoints evaluated: the N most recent real ones, or every real one when fewer.
  const evaluated = real.slice(0, n);
  const filled = n - evaluated.length;
  const realBreaching = evaluated.filter(breachingPoint).length;
  const breaching = realBreaching + (treat === 'breaching' ? filled : 0);
  const reasonData = JSON.stringify({
    version: '1.0',
    queryDate: isoDate(now),
    startDate: isoDate(first),
    ...(alarm.Statistic ? { statistic: alarm.Statistic } : { extendedStatistic: statistic }),
    ...(alarm.Unit ? { unit: alarm.Unit } : {}),
    period: alarm.Period,
    recentDatapoints: evaluated.map((p) => p.value),
    threshold: alarm.Threshold,
    evaluatedDatapoints: evaluated.map((p) => ({
      timestamp: isoDate(p.t),
      sampleCount: p.sampleCount,
      value: p.value,
    })),
  });
  const listed = evaluated.map((p) => `${shown(p.value)} (${reasonDate(p.t)})`).join(', ');
  const words = WORDS[alarm.ComparisonOperator];
  const alarmed = (count: number, note = ''): Evaluation => ({
    value: 'ALARM',
    reason:
      `Threshold Crossed: ${count} out of the last ${n} datapoints [${listed}] ${count === 1 ? 'was' : 'were'} ${words} ` +
      `the threshold (${shown(alarm.Threshold)})${note} (minimum ${datapoints(m)} for ${current} -> ALARM transition).`,
    reasonData,
  });
  const ok = (note = ''): Evaluation => ({
    value: 'OK',
    reason:
      `Threshold Crossed: ${evaluated.length === 0 ? 'no datapoints' : `${datapoints(evaluated.length)} [${listed}]`}${note} ` +
      `${evaluated.length === 1 ? 'was' : 'were'} not ${words} the threshold (${shown(alarm.Threshold)}) ` +
      `(minimum ${datapoints(m)} for ${current} -> ALARM transition).`,
    reasonData,
  });
  if (filled === 0 || treat === 'breaching' || treat === 'notBreaching') {
    const note =
      filled > 0
        ? ` (${filled} missing treated as ${treat === 'breaching' ? 'breaching' : 'not breaching'})`
        : '';
    return breaching >= m ? alarmed(breaching, note) : ok(note);
  }
  // `missing` or `ignore`, fewer than N real datapoints.
  if (evaluated.length === 0) {
    if (treat === 'ignore') return undefined;
    return {
      value: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${datapoints(n)} ${n === 1 ? 'was' : 'were'} unknown.`,
      reasonData,
    };
  }
  if (realBreaching >= m) return alarmed(realBreaching);
  if (treat === 'missing' && evaluated.length < m) {
    const lastN = points.slice(0, n);
    const oldestBreaching = lastN.filter(breachingPoint).at(-1);
    const notBreachingAfter = lastN.some(
      (p) => oldestBreaching && p.age < oldestBreaching.age && p.value !== undefined && !breachingPoint(p),
    );
    if (oldestBreaching && oldestBreaching.age >= m && !notBreachingAfter)
      return alarmed(realBreaching, ` (the other datapoints missing)`);
  }
  return evaluated.some((p) => !breachingPoint(p)) ? ok() : undefined;
}
