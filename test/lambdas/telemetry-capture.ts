/**
 * Captures what an instrumented handler writes (Powertools log records and CloudWatch EMF
 * documents, one JSON line each) and reads it back the way CloudWatch would: a line with `_aws`
 * is a metric document, any other line a log record.
 */
import type { Environment, TelemetryOptions } from '../../lambdas/shared/telemetry.ts';

export interface EmfDocument extends Record<string, unknown> {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
}

export interface LogRecord extends Record<string, unknown> {
  level: string;
  message: string;
  timestamp: string;
  service: string;
}

/** One metric value as CloudWatch extracts it from a document. */
export interface MetricPoint {
  namespace: string;
  name: string;
  unit: string;
  value: unknown;
  dimensions: Record<string, string>;
  document: EmfDocument;
}

export function parseLines(lines: string[]): { logs: LogRecord[]; emf: EmfDocument[] } {
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    logs: parsed.filter((entry) => !('_aws' in entry)) as LogRecord[],
    emf: parsed.filter((entry) => '_aws' in entry) as EmfDocument[],
  };
}

/** Every metric value of the documents, with the dimension values each dimension set names. */
export function metricPoints(documents: EmfDocument[]): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const document of documents) {
    for (const directive of document._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        const dimensions = Object.fromEntries(set.map((name) => [name, String(document[name])]));
        for (const metric of directive.Metrics) {
          points.push({
            namespace: directive.Namespace,
            name: metric.Name,
            unit: metric.Unit,
            value: document[metric.Name],
            dimensions,
            document,
          });
        }
      }
    }
  }
  return points;
}

export interface CapturedTelemetry {
  options: TelemetryOptions;
  lines: string[];
  logs(): LogRecord[];
  emf(): EmfDocument[];
  points(name?: string): MetricPoint[];
  clear(): void;
}

/** `env` replaces process.env for the handler, so the test runner's environment never leaks in. */
export function captureTelemetry(env: Environment = {}): CapturedTelemetry {
  const lines: string[] = [];
  return {
    options: { sink: (line) => lines.push(line), env },
    lines,
    logs: () => parseLines(lines).logs,
    emf: () => parseLines(lines).emf,
    points: (name) => metricPoints(parseLines(lines).emf).filter((point) => !name || point.name === name),
    clear: () => {
      lines.length = 0;
    },
  };
}
