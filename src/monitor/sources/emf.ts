/**
 * CloudWatch Embedded Metric Format, the structured log lines the Lambdas' Powertools Metrics
 * print and CloudWatch turns into metrics
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 *
 *   {"_aws": {"Timestamp": 1764151205000, "CloudWatchMetrics": [{"Namespace": "Scones",
 *     "Dimensions": [["service", "route"]], "Metrics": [{"Name": "Decisions", "Unit": "Count"}]}]},
 *    "service": "filter-inferences", "route": "manual-review", "Decisions": 1}
 *
 * Values are top-level members named like the metric (a number, or an array of up to 100);
 * dimension values are top-level strings. Read generically, so whatever the Lambdas publish shows
 * up in the report. Locally the lines are in `<data dir>/logs/*.jsonl`, mixed with Logger lines
 * (no `_aws`), which are passed over.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { LineSplitter } from './s3-lines.ts';

export interface MetricDatapoint {
  timeMs: number;
  namespace: string;
  name: string;
  unit: string;
  dimensions: Record<string, string>;
  values: number[];
}

interface Directive {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

const valuesOf = (raw: unknown): number[] => {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
};

/** The metrics of one log line; undefined when the line is not EMF (a Logger line, text). */
export function parseEmfLine(line: string): MetricDatapoint[] | undefined {
  if (!line.includes('"_aws"')) return undefined;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  const aws = record?._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || !Array.isArray(aws.CloudWatchMetrics) || typeof aws.Timestamp !== 'number') return undefined;
  const datapoints: MetricDatapoint[] = [];
  for (const directive of aws.CloudWatchMetrics as Directive[]) {
    if (typeof directive?.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    // One datapoint per metric, with every dimension any set names (a metric is published once
    // per dimension set; counting it once per set would count it twice).
    const dimensions: Record<string, string> = {};
    for (const set of Array.isArray(directive.Dimensions) ? directive.Dimensions : []) {
      for (const key of Array.isArray(set) ? set : []) {
        if (typeof key === 'string' && typeof record[key] === 'string')
          dimensions[key] = record[key] as string;
      }
    }
    for (const metric of directive.Metrics as { Name?: unknown; Unit?: unknown }[]) {
      if (typeof metric?.Name !== 'string') continue;
      const values = valuesOf(record[metric.Name]);
      if (values.length === 0) continue;
      datapoints.push({
        timeMs: aws.Timestamp,
        namespace: directive.Namespace,
        name: metric.Name,
        unit: typeof metric.Unit === 'string' ? metric.Unit : 'None',
        dimensions,
        values,
      });
    }
  }
  return datapoints;
}

export interface MetricLogsRead {
  files: number;
  /** EMF lines read. */
  lines: number;
}

async function jsonlFiles(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && entry.name.endsWith('.jsonl'))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Streams every `*.jsonl` under `directory` (none yet is no error) and hands over the EMF metrics. */
export async function readMetricLogs(
  directory: string,
  onDatapoint: (datapoint: MetricDatapoint) => void,
): Promise<MetricLogsRead> {
  const files = await jsonlFiles(directory);
  const read: MetricLogsRead = { files: files.length, lines: 0 };
  const counts = { bytes: 0, oversized: 0 };
  for (const file of files) {
    const splitter = new LineSplitter((line) => {
      const datapoints = parseEmfLine(line);
      if (!datapoints) return;
      read.lines++;
      for (const datapoint of datapoints) onDatapoint(datapoint);
    }, counts);
    for await (const chunk of createReadStream(file)) splitter.push(chunk as Buffer);
    splitter.end();
  }
  return read;
}
