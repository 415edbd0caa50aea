/**
 * Reading metrics: ListMetrics (filters by namespace, name and dimensions, pages of 500),
 * GetMetricStatistics (at most 1,440 datapoints, standard and percentile statistics) and
 * GetMetricData (MetricStat queries; metric math `Expression`s are refused by name), with periods
 * aligned on multiples of the period from the epoch, as CloudWatch aligns them.
 */
import {
  InvalidNextToken,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  MissingRequiredParameterException,
  ValidationException,
} from './errors.ts';
import { type CloudWatchState, type MetricSeries, metricKey } from './state.ts';
import { isPercentile, isStandardStatistic, statisticsByPeriod, statisticValue } from './statistics.ts';
import type { MetricId, PeriodStatistics } from './types.ts';
import { STANDARD_UNITS } from './units.ts';
import {
  asInput,
  decodeToken,
  dimensions,
  encodeToken,
  type Input,
  int,
  list,
  object,
  oneOf,
  str,
  timestamp,
} from './validation.ts';

const LIST_PAGE = 500;
const MAX_STATISTICS_DATAPOINTS = 1440;
const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;
const METRIC_ID = /^[a-z][a-zA-Z0-9_]*$/;

/** A period CloudWatch takes: 1, 5, 10, 30 (high resolution) or a multiple of 60 seconds. */
export function checkPeriod(period: number, member: string): void {
  if (![1, 5, 10, 30].includes(period) && period % 60 !== 0)
    throw new InvalidParameterValueException(
      `The parameter ${member} must be 1, 5, 10, 30, or a multiple of 60.`,
    );
}

/** The statistics of `series` per period (aligned on the epoch) in [start, end), periods with data only. */
export function periodsOf(
  series: MetricSeries | undefined,
  start: number,
  end: number,
  periodMs: number,
  unit?: string,
): { t: number; statistics: PeriodStatistics; unit: string }[] {
  if (!series) return [];
  const data = unit === undefined ? series.data : series.data.filter((d) => (d.unit ?? 'None') === unit);
  return [...statisticsByPeriod(data, start, end, periodMs)].map(([t, statistics]) => ({
    t,
    statistics,
    unit: unit ?? data.find((d) => d.t >= t && d.t < t + periodMs)?.unit ?? 'None',
  }));
}

function metricOf(input: Input, namespaceRequired: boolean): MetricId {
  return {
    namespace: str(input, 'Namespace', 1, 255, namespaceRequired as true),
    metricName: str(input, 'MetricName', 1, 255, true),
    dimensions: dimensions(input),
  };
}

export function listMetrics(state: CloudWatchState, raw: unknown, now: number) {
  const input = asInput(raw);
  const namespace = str(input, 'Namespace', 1, 255);
  const metricName = str(input, 'MetricName', 1, 255);
  const filters = (list(input, 'Dimensions', 10) ?? []).map((item, i) => {
    const filter = object(item, `Dimensions.member.${i + 1}`);
    return { Name: str(filter, 'Name', 1, 255, true), Value: str(filter, 'Value', 1, 1024) };
  });
  const recently = oneOf(input, 'RecentlyActive', ['PT3H']);
  const token = str(input, 'NextToken', 0, 4096);
  const matching = [...state.metrics.entries()]
    .filter(([, series]) => {
      const { metric } = series;
      if (namespace !== undefined && metric.namespace !== namespace) return false;
      if (metricName !== undefined && metric.metricName !== metricName) return false;
      if (recently && series.lastPut < now - 3 * 3_600_000) return false;
      return filters.every((f) =>
        metric.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)),
      );
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const after = token === undefined ? undefined : decodeToken(token);
  const from = after === undefined ? 0 : matching.findIndex(([key]) => key > after);
  const start = from < 0 ? matching.length : from;
  const slice = matching.slice(start, start + LIST_PAGE);
  const more = start + LIST_PAGE < matching.length;
  return {
    Metrics: slice.map(([, { metric }]) => ({
      Namespace: metric.namespace,
      MetricName: metric.metricName,
      Dimensions: metric.dimensions,
    })),
    ...(more ? { NextToken: encodeToken((slice.at(-1) as [string, MetricSeries])[0]) } : {}),
  };
}

function window(input: Input): { start: number; end: number } {
  const start = timestamp(input, 'StartTime', true) as number;
  const end = timestamp(input, 'EndTime', true) as number;
  if (start >= end)
    throw new InvalidParameterValueException(
      'The parameter StartTime must be less than the parameter EndTime.',
    );
  return { start, end };
}

export function getMetricStatistics(state: CloudWatchState, raw: unknown) {
  const input = asInput(raw);
  const metric = metricOf(input, true);
  const { start, end } = window(input);
  const period = int(input, 'Period', 1);
  if (period === undefined) throw new MissingRequiredParameterException('The parameter Period is required.');
  checkPeriod(period, 'Period');
  const statistics = (list(input, 'Statistics', 5) ?? []).map(String);
  const extended = (list(input, 'ExtendedStatistics', 10) ?? []).map(String);
  if (statistics.length === 0 && extended.length === 0)
    throw new MissingRequiredParameterException(
      'Either the parameter Statistics or ExtendedStatistics is required.',
    );
  for (const name of statistics)
    if (!isStandardStatistic(name))
      throw new InvalidParameterValueException(
        `The parameter Statistics contains ${name}; valid values are SampleCount, Average, Sum, Minimum, Maximum.`,
      );
  for (const name of extended)
    if (!isPercentile(name))
      throw new InvalidParameterValueException(
        `The parameter ExtendedStatistics contains ${name}; the local CloudWatch serves percentiles p0.0 to p100.`,
      );
  const requested = Math.ceil((end - Math.floor(start / (period * 1000)) * period * 1000) / (period * 1000));
  if (requested > MAX_STATISTICS_DATAPOINTS)
    throw new InvalidParameterCombinationException(
      `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  const unit = oneOf(input, 'Unit', STANDARD_UNITS);
  const periods = periodsOf(state.metrics.get(metricKey(metric)), start, end, period * 1000, unit);
  return {
    Label: metric.metricName,
    Datapoints: periods.map(({ t, statistics: stats, unit: datapointUnit }) => {
      const percentiles = Object.fromEntries(
        extended.flatMap((name) => {
          const value = statisticValue(stats, name);
          return value === undefined ? [] : [[name, value]];
        }),
      );
      return {
        Timestamp: t / 1000,
        ...Object.fromEntries(statistics.map((name) => [name, statisticValue(stats, name)])),
        Unit: datapointUnit,
        ...(extended.length > 0 ? { ExtendedStatistics: percentiles } : {}),
      };
    }),
  };
}

interface Query {
  id: string;
  label: string;
  metric: MetricId;
  periodMs: number;
  stat: string;
  unit?: string;
  returnData: boolean;
}

function queryOf(item: unknown, i: number): Query {
  const member = `MetricDataQueries.member.${i + 1}`;
  const entry = object(item, member);
  const id = str(entry, 'Id', 1, 255, true);
  if (!METRIC_ID.test(id))
    throw new ValidationException(
      `The value ${id} for parameter ${member}.Id is invalid: it must start with a lowercase letter and hold only letters, digits and underscores.`,
    );
  if (entry.Expression !== undefined && entry.Expression !== null)
    throw new ValidationException(
      `${member}.Expression: metric math and Metrics Insights expressions are not supported by the local CloudWatch; use MetricStat.`,
    );
  if (entry.MetricStat === undefined || entry.MetricStat === null)
    throw new MissingRequiredParameterException(`The parameter ${member}.MetricStat is required.`);
  const stat = object(entry.MetricStat, `${member}.MetricStat`);
  const metric = metricOf(object(stat.Metric, `${member}.MetricStat.Metric`), true);
  const period = int(stat, 'Period', 1);
  if (period === undefined)
    throw new MissingRequiredParameterException(`The parameter ${member}.MetricStat.Period is required.`);
  checkPeriod(period, `${member}.MetricStat.Period`);
  const statName = str(stat, 'Stat', 1, 255, true);
  if (!isStandardStatistic(statName) && !isPercentile(statName))
    throw new InvalidParameterValueException(
      `The value ${statName} for parameter ${member}.MetricStat.Stat is invalid: the local CloudWatch serves SampleCount, Average, Sum, Minimum, Maximum and pNN.`,
    );
  const unit = oneOf(stat, 'Unit', STANDARD_UNITS);
  const label = str(entry, 'Label', 0, 2048) ?? `${metric.metricName}`;
  return {
    id,
    label,
    metric,
    periodMs: period * 1000,
    stat: statName,
    ...(unit ? { unit } : {}),
    returnData: entry.ReturnData !== false,
  };
}

export function getMetricData(state: CloudWatchState, raw: unknown) {
  const input = asInput(raw);
  const items = list(input, 'MetricDataQueries', MAX_QUERIES);
  if (!items || items.length === 0)
    throw new MissingRequiredParameterException('The parameter MetricDataQueries is required.');
  const queries = items.map(queryOf);
  const ids = new Set<string>();
  for (const query of queries) {
    if (ids.has(query.id))
      throw new ValidationException(`The values for parameter id in MetricDataQueries are not unique.`);
    ids.add(query.id);
  }
  const { start, end } = window(input);
  const descending =
    (oneOf(input, 'ScanBy', ['TimestampDescending', 'TimestampAscending']) ?? 'TimestampDescending') ===
    'TimestampDescending';
  const maxDatapoints = int(input, 'MaxDatapoints', 1) ?? DEFAULT_MAX_DATAPOINTS;
  const token = str(input, 'NextToken', 0, 4096);
  const skip = token === undefined ? 0 : Number(decodeToken(token));
  if (!Number.isSafeInteger(skip) || skip < 0) throw new InvalidNextToken();
  // The datapoints of every query in one order (query by query); a page is a slice of it.
  let position = 0;
  let more = false;
  const results = queries
    .filter((query) => query.returnData)
    .map((query) => {
      const points = periodsOf(
        state.metrics.get(metricKey(query.metric)),
        start,
        end,
        query.periodMs,
        query.unit,
      ).flatMap(({ t, statistics }) => {
        const value = statisticValue(statistics, query.stat);
        return value === undefined ? [] : [{ t, value }];
      });
      if (descending) points.reverse();
      const from = Math.max(0, skip - position);
      const room = Math.max(0, skip + maxDatapoints - position);
      const taken = points.slice(from, Math.min(points.length, room));
      if (from + taken.length < points.length) more = true;
      position += points.length;
      return {
        Id: query.id,
        Label: query.label,
        Timestamps: taken.map((p) => p.t / 1000),
        Values: taken.map((p) => p.value),
        StatusCode: from + taken.length < points.length ? 'PartialData' : 'Complete',
      };
    });
  return {
    MetricDataResults: results,
    Messages: [],
    ...(more ? { NextToken: encodeToken(String(skip + maxDatapoints)) } : {}),
  };
}
