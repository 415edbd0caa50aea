/**
 * CloudWatch's embedded metric format (EMF): the metrics CloudWatch Logs extracts from a log event
 * that is an EMF document ("Specification: Embedded metric format",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html),
 * as PutMetricData datums by namespace:
 * - the event is one JSON object whose `_aws` member holds `Timestamp` (epoch milliseconds, the
 *   datums' time) and `CloudWatchMetrics`, a list of directives;
 * - a directive names a `Namespace`, `Dimensions` (dimension sets: lists of at most 30 root
 *   member names whose values are strings; an empty list, a metric without dimensions) and
 *   `Metrics` (at most 100: `Name`, a root member holding a number or up to 100 numbers; `Unit`,
 *   default None; `StorageResolution` 1 or 60, default 60);
 * - each metric is put once per dimension set.
 * A document that breaks these rules gives no metric at all: it stays a log line only, as on AWS
 * (which counts it in `AWS/Logs` `EMFValidationErrors`); its reason is returned to be reported.
 */
import type { MetricDatumInput } from './types.ts';
import { STANDARD_UNITS } from './units.ts';

const MAX_DIMENSIONS = 30;
const MAX_METRICS = 100;
const MAX_VALUES = 100;

export type EmfExtraction =
  /** Not an EMF document: no `_aws` member with `CloudWatchMetrics`. */
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'metrics'; byNamespace: Map<string, MetricDatumInput[]> };

class EmfInvalid extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(reason: string): never {
  throw new EmfInvalid(reason);
}

function dimensionsOf(root: Record<string, unknown>, set: unknown, where: string) {
  if (!Array.isArray(set)) fail(`${where} is not a list of dimension names`);
  if (set.length > MAX_DIMENSIONS) fail(`${where} has more than ${MAX_DIMENSIONS} dimensions`);
  return set.map((name, i) => {
    if (typeof name !== 'string') fail(`${where}[${i}] is not a string`);
    const value = root[name];
    if (typeof value !== 'string' || value === '')
      fail(`dimension ${name} of ${where} is not a non-empty string member of the document`);
    return { Name: name, Value: value };
  });
}

function valuesOf(root: Record<string, unknown>, name: string): number[] {
  const value = root[name];
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || values.length > MAX_VALUES)
    fail(`metric ${name} must have 1 to ${MAX_VALUES} values`);
  for (const item of values)
    if (typeof item !== 'number' || !Number.isFinite(item))
      fail(`metric ${name} is not a number or a list of numbers in the document`);
  return values as number[];
}

function datumsOfDirective(
  root: Record<string, unknown>,
  directive: unknown,
  where: string,
  timestamp: Date,
): { namespace: string; datums: MetricDatumInput[] } {
  if (!isObject(directive)) fail(`${where} is not an object`);
  const namespace = directive.Namespace;
  if (typeof namespace !== 'string' || namespace.length < 1 || namespace.length > 255)
    fail(`${where}.Namespace must be a string of 1 to 255 characters`);
  if (!Array.isArray(directive.Dimensions)) fail(`${where}.Dimensions must be a list of dimension sets`);
  const sets = directive.Dimensions.map((set, i) => dimensionsOf(root, set, `${where}.Dimensions[${i}]`));
  // No dimension set at all: the metric is put without dimensions.
  if (sets.length === 0) sets.push([]);
  if (!Array.isArray(directive.Metrics) || directive.Metrics.length > MAX_METRICS)
    fail(`${where}.Metrics must be a list of at most ${MAX_METRICS} metric definitions`);
  const datums: MetricDatumInput[] = [];
  for (const [i, metric] of directive.Metrics.entries()) {
    const at = `${where}.Metrics[${i}]`;
    if (!isObject(metric) || typeof metric.Name !== 'string' || metric.Name === '')
      fail(`${at} must be an object with a Name`);
    const unit = metric.Unit ?? 'None';
    if (typeof unit !== 'string' || !(STANDARD_UNITS as readonly string[]).includes(unit))
      fail(`${at}.Unit ${JSON.stringify(unit)} is not a CloudWatch unit`);
    const resolution = metric.StorageResolution ?? 60;
    if (resolution !== 1 && resolution !== 60) fail(`${at}.StorageResolution must be 1 or 60`);
    const values = valuesOf(root, metric.Name);
    for (const dimensions of sets)
      datums.push({
        MetricName: metric.Name,
        Dimensions: dimensions,
        Timestamp: timestamp,
        ...(values.length === 1 ? { Value: values[0] as number } : { Values: values }),
        Unit: unit,
        StorageResolution: resolution,
      });
  }
  return { namespace, datums };
}

/** The metrics of one log event (see the file's comment). */
export function emfMetrics(message: string): EmfExtraction {
  // Most log lines are not EMF: a cheap look before parsing.
  if (!message.includes('"_aws"')) return { kind: 'none' };
  let root: unknown;
  try {
    root = JSON.parse(message);
  } catch {
    return { kind: 'none' }; // not a JSON object: a plain log line
  }
  if (!isObject(root) || !isObject(root._aws) || root._aws.CloudWatchMetrics === undefined)
    return { kind: 'none' };
  try {
    const metadata = root._aws;
    const time = metadata.Timestamp;
    if (typeof time !== 'number' || !Number.isFinite(time) || time < 0)
      fail('_aws.Timestamp must be a number of epoch milliseconds');
    if (!Array.isArray(metadata.CloudWatchMetrics))
      fail('_aws.CloudWatchMetrics must be a list of directives');
    const byNamespace = new Map<string, MetricDatumInput[]>();
    for (const [i, directive] of metadata.CloudWatchMetrics.entries()) {
      const { namespace, datums } = datumsOfDirective(
        root,
        directive,
        `_aws.CloudWatchMetrics[${i}]`,
        new Date(time),
      );
      byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), ...datums]);
    }
    return { kind: 'metrics', byNamespace };
  } catch (error) {
    if (error instanceof EmfInvalid) return { kind: 'invalid', reason: error.message };
    throw error;
  }
}
