/**
 * An alarm's evaluation, as CloudWatch documents it: the last `EvaluationPeriods` (N) complete
 * periods of `Period` seconds before `now` (aligned on multiples of the period), each a datapoint
 * of the alarm's statistic that breaches the threshold under `ComparisonOperator`, does not, or is
 * missing. The alarm is in ALARM when at least `DatapointsToAlarm` (M, default N) of the N breach.
 * Missing datapoints follow `TreatMissingData`: `breaching` / `notBreaching` count as such;
 * `missing` (the default) leaves them out, and when all N are missing the state is
 * INSUFFICIENT_DATA; `ignore` leaves them out too, and when all N are missing the state stays as
 * it is. With some datapoints present and fewer than M breaching, the state is OK.
 */
import { statisticsByPeriod, statisticValue } from './statistics.ts';
import type { AlarmDefinition, AlarmStateValue, ComparisonOperator, StoredDatum } from './types.ts';

export interface Evaluation {
  value: AlarmStateValue;
  reason: string;
  reasonData: string;
}

type Point = { t: number; value: number; sampleCount: number } | { t: number; value?: undefined };

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
 * The state the alarm's data puts it in at `now`, with the reason; undefined when it stays as it
 * is (`ignore` with every datapoint missing).
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
  const first = end - n * periodMs;
  const statistic = alarm.Statistic ?? alarm.ExtendedStatistic ?? 'Average';
  const relevant = alarm.Unit === undefined ? data : data.filter((d) => (d.unit ?? 'None') === alarm.Unit);
  // Newest first, as StateReason lists them.
  const byPeriod = statisticsByPeriod(relevant, first, end, periodMs);
  const points: Point[] = [];
  for (let t = end - periodMs; t >= first; t -= periodMs) {
    const statistics = byPeriod.get(t);
    const value = statistics && statisticValue(statistics, statistic);
    points.push(
      value === undefined || statistics === undefined
        ? { t }
        : { t, value, sampleCount: statistics.SampleCount },
    );
  }
  const present = points.filter(
    (p): p is Point & { value: number; sampleCount: number } => p.value !== undefined,
  );
  const missing = n - present.length;
  const treat = alarm.TreatMissingData ?? 'missing';
  const breachingPresent = present.filter((p) =>
    breaches(alarm.ComparisonOperator, p.value, alarm.Threshold),
  ).length;
  const breaching = breachingPresent + (treat === 'breaching' ? missing : 0);
  const reasonData = JSON.stringify({
    version: '1.0',
    queryDate: isoDate(now),
    startDate: isoDate(first),
    ...(alarm.Statistic ? { statistic: alarm.Statistic } : { extendedStatistic: statistic }),
    ...(alarm.Unit ? { unit: alarm.Unit } : {}),
    period: alarm.Period,
    recentDatapoints: present.map((p) => p.value),
    threshold: alarm.Threshold,
    evaluatedDatapoints: present.map((p) => ({
      timestamp: isoDate(p.t),
      sampleCount: p.sampleCount,
      value: p.value,
    })),
  });
  if (present.length === 0 && (treat === 'missing' || treat === 'ignore')) {
    if (treat === 'ignore') return undefined;
    return {
      value: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${datapoints(n)} ${n === 1 ? 'was' : 'were'} unknown.`,
      reasonData,
    };
  }
  const listed = present.map((p) => `${shown(p.value)} (${reasonDate(p.t)})`).join(', ');
  const words = WORDS[alarm.ComparisonOperator];
  if (breaching >= m) {
    const counted = treat === 'breaching' && missing > 0 ? ` (${missing} missing treated as breaching)` : '';
    return {
      value: 'ALARM',
      reason:
        `Threshold Crossed: ${breaching} out of the last ${n} datapoints [${listed}] ${breaching === 1 ? 'was' : 'were'} ${words} ` +
        `the threshold (${shown(alarm.Threshold)})${counted} (minimum ${datapoints(m)} for ${current} -> ALARM transition).`,
      reasonData,
    };
  }
  return {
    value: 'OK',
    reason:
      `Threshold Crossed: ${present.length === 0 ? `no datapoints (${missing} missing treated as not breaching)` : `${datapoints(present.length)} [${listed}]`} ` +
      `${present.length === 1 ? 'was' : 'were'} not ${words} the threshold (${shown(alarm.Threshold)}) ` +
      `(minimum ${datapoints(m)} for ALARM, ${breaching} breaching).`,
    reasonData,
  };
}
