/**
 * PutMetricData with the API reference's rules: a namespace not starting with `AWS/`; at most
 * 1,000 datums; each with exactly one of `Value`, `Values` (at most 150, `Counts` of the same
 * length) or `StatisticValues`; values within CloudWatch's range (no NaN or infinities);
 * timestamps at most two weeks old and two hours ahead; `StorageResolution` 1 or 60.
 */
import {
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  MissingRequiredParameterException,
} from './errors.ts';
import type { CloudWatchState } from './state.ts';
import type { MetricId, StoredDatum } from './types.ts';
import { STANDARD_UNITS } from './units.ts';
import {
  asInput,
  dimensions,
  type Input,
  int,
  list,
  num,
  object,
  oneOf,
  str,
  timestamp,
} from './validation.ts';

const TWO_WEEKS_MS = 14 * 86_400_000;
const TWO_HOURS_MS = 2 * 3_600_000;
const MAX_DATUMS = 1000;
const MAX_VALUES = 150;
/** CloudWatch rejects values whose magnitude is outside this range (zero aside). */
const MAX_MAGNITUDE = 1.174271e108;
const MIN_MAGNITUDE = 8.51592e-109;

function checkValue(value: number, member: string): number {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude > MAX_MAGNITUDE || magnitude < MIN_MAGNITUDE))
    throw new InvalidParameterValueException(
      `The value ${value} for parameter ${member} is invalid: values must be within 8.515920e-109 and 1.174271e+108 in magnitude, or 0.`,
    );
  return value;
}

function datumOf(
  entry: Input,
  member: string,
  now: number,
): { metricName: string; dims: MetricId['dimensions']; datum: StoredDatum } {
  const metricName = str(entry, 'MetricName', 1, 255, true);
  const dims = dimensions(entry);
  const t = timestamp(entry, 'Timestamp') ?? now;
  if (t < now - TWO_WEEKS_MS || t > now + TWO_HOURS_MS)
    throw new InvalidParameterValueException(
      `The parameter ${member}.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.`,
    );
  const unit = oneOf(entry, 'Unit', STANDARD_UNITS);
  const resolution = int(entry, 'StorageResolution', 1);
  if (resolution !== undefined && resolution !== 1 && resolution !== 60)
    throw new InvalidParameterValueException(`The parameter ${member}.StorageResolution must be 1 or 60.`);
  const value = num(entry, 'Value');
  const values = list(entry, 'Values', MAX_VALUES);
  const counts = list(entry, 'Counts', MAX_VALUES);
  const set = entry.StatisticValues;
  const given = [value !== undefined, values !== undefined, set !== undefined && set !== null].filter(
    Boolean,
  ).length;
  if (given > 1)
    throw new InvalidParameterCombinationException(
      `The parameters ${member}.Value, ${member}.Values and ${member}.StatisticValues are mutually exclusive and you specified more than one.`,
    );
  if (given === 0)
    throw new MissingRequiredParameterException(
      `One of the parameters ${member}.Value, ${member}.Values or ${member}.StatisticValues is required.`,
    );
  const base = { t, ...(unit ? { unit } : {}) };
  if (value !== undefined)
    return { metricName, dims, datum: { ...base, values: [checkValue(value, `${member}.Value`)] } };
  if (values !== undefined) {
    if (counts !== undefined && counts.length !== values.length)
      throw new InvalidParameterValueException(
        `The parameters ${member}.Values and ${member}.Counts must be of the same size.`,
      );
    const numbers = values.map((v, i) => {
      const at = `${member}.Values.member.${i + 1}`;
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new InvalidParameterValueException(`The value ${String(v)} for parameter ${at} is invalid.`);
      return checkValue(v, at);
    });
    const weights = counts?.map((c, i) => {
      const count = typeof c === 'number' && Number.isFinite(c) ? c : undefined;
      if (count === undefined || count < 0)
        throw new InvalidParameterValueException(
          `The value for parameter ${member}.Counts.member.${i + 1} must be a non-negative number.`,
        );
      return count;
    });
    return { metricName, dims, datum: { ...base, values: numbers, ...(weights ? { counts: weights } : {}) } };
  }
  const stats = object(set, `${member}.StatisticValues`);
  const required = (name: string) => {
    const v = num(stats, name);
    if (v === undefined)
      throw new MissingRequiredParameterException(
        `The parameter ${member}.StatisticValues.${name} is required.`,
      );
    return checkValue(v, `${member}.StatisticValues.${name}`);
  };
  const statistics = {
    SampleCount: required('SampleCount'),
    Sum: required('Sum'),
    Minimum: required('Minimum'),
    Maximum: required('Maximum'),
  };
  if (statistics.SampleCount <= 0 || statistics.Minimum > statistics.Maximum)
    throw new InvalidParameterValueException(
      `The parameter ${member}.StatisticValues must have a positive SampleCount and a Minimum no greater than its Maximum.`,
    );
  return { metricName, dims, datum: { ...base, stats: statistics } };
}

/**
 * `awsNamespace`: whether `AWS/...` is taken (the kit's own services publishing as AWS's do, e.g.
 * `AWS/SageMaker`); the API refuses it, as AWS does.
 */
export function putMetricData(
  state: CloudWatchState,
  raw: unknown,
  now: number,
  awsNamespace = false,
): Record<string, never> {
  const input = asInput(raw);
  const namespace = str(input, 'Namespace', 1, 255, true);
  if (namespace.startsWith(':') || (!awsNamespace && namespace.startsWith('AWS/')))
    throw new InvalidParameterValueException(`The value ${namespace} for parameter Namespace is invalid.`);
  const data = list(input, 'MetricData', MAX_DATUMS);
  if (data === undefined || data.length === 0)
    throw new MissingRequiredParameterException('The parameter MetricData is required.');
  // Every datum is checked before any is taken: a bad one refuses the whole request, as on AWS.
  const byMetric = new Map<string, { metric: MetricId; data: StoredDatum[] }>();
  for (const [i, item] of data.entries()) {
    const member = `MetricData.member.${i + 1}`;
    const { metricName, dims, datum } = datumOf(object(item, member), member, now);
    const metric = { namespace, metricName, dimensions: dims };
    const key = JSON.stringify(metric);
    const entry = byMetric.get(key) ?? { metric, data: [] };
    entry.data.push(datum);
    byMetric.set(key, entry);
  }
  for (const { metric, data: taken } of byMetric.values())
    state.record({ kind: 'data', metric, data: taken });
  return {};
}
