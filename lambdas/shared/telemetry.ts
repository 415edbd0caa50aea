/**
 * Structured logs and metrics around a handler, with Powertools for AWS Lambda: JSON log records
 * (Logger) and CloudWatch Embedded Metric Format documents (Metrics), one JSON line each.
 *
 * Every line of an invocation carries its keys: `cold_start`, `function_name`,
 * `function_request_id` and, from the event, `inference_id`, `execution_name`, `s3_bucket`,
 * `s3_key`. A failure is logged (WARN when Step Functions retries it, else ERROR) and counted as
 * `Errors` by name, then rethrown unchanged. Metrics are published when the invocation ends.
 *
 * One Logger and one Metrics per handler, never per invocation (building them costs ~100 µs), and no
 * per-invocation state inside them: on Lambda one environment runs one invocation at a time, but
 * the embedded tier runs hundreds at once through the same handler. So the keys travel with each
 * log call, and metrics are gathered per invocation and serialized in one synchronous step.
 */

import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DIMENSION, METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../src/workflow/metrics.ts';
import { type LineSink, SinkLogger, stdoutSink } from './sink-logger.ts';

export { MetricUnit } from '@aws-lambda-powertools/metrics';
export type { LineSink } from './sink-logger.ts';

export type Environment = Record<string, string | undefined>;

export interface TelemetryOptions {
  /** Where the JSON lines go; default stdout, where Powertools writes on Lambda. */
  sink?: LineSink;
  /** POWERTOOLS_* and AWS_LAMBDA_* settings; default process.env. */
  env?: Environment;
}

/** The parts of the Lambda context object read here. */
export interface InvocationContext {
  functionName?: string;
  awsRequestId?: string;
}

export type MetricUnitName = (typeof MetricUnit)[keyof typeof MetricUnit];

/** What a handler may add to its invocation's record. */
export interface Invocation {
  /** Adds keys to every later log line and metric document of this invocation. */
  appendKeys(keys: Record<string, string>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  /** One metric value; `dimensions` beyond service and function_name put it in its own document. */
  metric(name: string, unit: MetricUnitName, value: number, dimensions?: Record<string, string>): void;
}

export type InstrumentedHandler<R> = (event: unknown, context?: InvocationContext) => Promise<R>;

/** Event fields that identify an invocation; strings only, cut to this length. */
const EVENT_KEYS = ['inference_id', 'execution_name', 's3_bucket', 's3_key'] as const;
const MAX_KEY_LENGTH = 1024;
/** Error names become a dimension: keep them to what a name looks like. */
const ERROR_NAME = /^[A-Za-z][\w.]{0,63}$/;

interface RecordedMetric {
  name: string;
  unit: MetricUnitName;
  value: number;
  dimensions?: Record<string, string>;
}

function truthy(value: string | undefined): boolean {
  return ['1', 'true', 'yes', 'on', 'y'].includes((value ?? '').trim().toLowerCase());
}

/** As Powertools decides: POWERTOOLS_METRICS_DISABLED when set, else off in POWERTOOLS_DEV mode. */
function metricsDisabled(env: Environment): boolean {
  return env.POWERTOOLS_METRICS_DISABLED !== undefined
    ? truthy(env.POWERTOOLS_METRICS_DISABLED)
    : truthy(env.POWERTOOLS_DEV);
}

/** Lambda reports a cold start for on-demand environments only (not provisioned or SnapStart). */
function coldStartsCount(env: Environment): boolean {
  const type = env.AWS_LAMBDA_INITIALIZATION_TYPE;
  return type === undefined || type === 'on-demand';
}

function keysOf(event: unknown): Record<string, string> {
  const keys: Record<string, string> = {};
  if (typeof event !== 'object' || event === null) return keys;
  for (const key of EVENT_KEYS) {
    const value = (event as Record<string, unknown>)[key];
    if (typeof value === 'string' && value !== '') keys[key] = value.slice(0, MAX_KEY_LENGTH);
  }
  return keys;
}

function errorNameOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && ERROR_NAME.test(name) ? name : 'Error';
}

/** Serializes the invocation's metrics into EMF documents: one per set of extra dimensions. */
function publish(
  metrics: Metrics,
  sink: LineSink,
  recorded: RecordedMetric[],
  dimensions: Record<string, string>,
  metadata: Record<string, string>,
): void {
  const documents = new Map<string, RecordedMetric[]>();
  for (const metric of recorded) {
    const group = JSON.stringify(metric.dimensions ?? {});
    documents.set(group, [...(documents.get(group) ?? []), metric]);
  }
  for (const [group, members] of documents) {
    try {
      metrics.addDimensions({ ...dimensions, ...(JSON.parse(group) as Record<string, string>) });
      for (const [key, value] of Object.entries(metadata)) metrics.addMetadata(key, value);
      for (const metric of members) metrics.addMetric(metric.name, metric.unit, metric.value);
      sink(JSON.stringify(metrics.serializeMetrics()));
    } finally {
      metrics.clearMetrics();
      metrics.clearDimensions();
      metrics.clearMetadata();
    }
  }
}

/**
 * Wraps `run` (parse, call the pure function, return) with logs and metrics. `state` names the
 * function in messages and is its `function_name` when no Lambda context says otherwise.
 */
export function instrument<R>(
  state: string,
  options: TelemetryOptions,
  run: (event: unknown, invocation: Invocation) => Promise<R>,
): InstrumentedHandler<R> {
  const env = options.env ?? process.env;
  const sink = options.sink ?? stdoutSink;
  const serviceName = env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME;
  const logLevel = env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL;
  const loggerOptions: ConstructorOptions = {
    serviceName,
    // Unset: Powertools reads POWERTOOLS_LOG_LEVEL itself (INFO by default); AWS_LAMBDA_LOG_LEVEL
    // (Lambda's advanced logging controls) wins over both, as Powertools documents.
    ...(logLevel ? { logLevel: logLevel.toUpperCase() as ConstructorOptions['logLevel'] } : {}),
  };
  const logger = new SinkLogger(sink, loggerOptions);
  const metrics = new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    serviceName,
    logger,
  });
  const disabled = metricsDisabled(env);
  let coldStart = coldStartsCount(env);

  return async (event, context) => {
    const cold = coldStart;
    coldStart = false;
    const functionName = context?.functionName || env.AWS_LAMBDA_FUNCTION_NAME || state;
    const keys: Record<string, unknown> = {
      cold_start: cold,
      function_name: functionName,
      ...(context?.awsRequestId ? { function_request_id: context.awsRequestId } : {}),
      ...keysOf(event),
    };
    const recorded: RecordedMetric[] = cold
      ? [{ name: METRIC.coldStart, unit: MetricUnit.Count, value: 1 }]
      : [];
    const invocation: Invocation = {
      appendKeys: (extra) => Object.assign(keys, extra),
      info: (message, attributes) => logger.info(message, { ...keys, ...attributes }),
      metric: (name, unit, value, dimensions) =>
        recorded.push({ name, unit, value, ...(dimensions ? { dimensions } : {}) }),
    };
    if (logger.shouldLogEvent()) logger.info('Lambda invocation event', { ...keys, event });
    try {
      return await run(event, invocation);
    } catch (error) {
      const name = errorNameOf(error);
      const retried = (error as { transient?: unknown } | null)?.transient === true;
      const attributes = { ...keys, error_name: name, error: error as Error };
      if (retried) logger.warn(`${state} failed: ${name} (Step Functions retries it)`, attributes);
      else logger.error(`${state} failed: ${name}`, attributes);
      recorded.push({
        name: METRIC.errors,
        unit: MetricUnit.Count,
        value: 1,
        dimensions: { [DIMENSION.error]: name },
      });
      throw error;
    } finally {
      if (!disabled && recorded.length > 0) {
        const metadata: Record<string, string> = {};
        for (const key of ['inference_id', 's3_key', 'function_request_id']) {
          if (typeof keys[key] === 'string') metadata[key] = keys[key] as string;
        }
        try {
          publish(metrics, sink, recorded, { [DIMENSION.functionName]: functionName }, metadata);
        } catch (error) {
          // Telemetry never changes an invocation's outcome; say what was lost.
          logger.error(`${state}: metrics not published`, { ...keys, error: error as Error });
        }
      }
    }
  };
}
