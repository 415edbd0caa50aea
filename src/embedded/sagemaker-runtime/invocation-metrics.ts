/**
 * The endpoint metrics SageMaker publishes to CloudWatch (namespace `AWS/SageMaker`, dimensions
 * `EndpointName` and `VariantName`, one datum a minute on AWS): `Invocations`,
 * `Invocation4XXErrors`, `Invocation5XXErrors` (counts) and `ModelLatency` (microseconds), from
 * the fleet's invocations. They are summed here per endpoint and variant and handed on once a
 * second as statistic sets, so a busy endpoint costs one datum per metric per second, not one per
 * request. The metrics service itself is the composition's to give (this folder knows none).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HostedEndpoint, InvocationAnswer } from './types.ts';

export const SAGEMAKER_METRICS_NAMESPACE = 'AWS/SageMaker';

/** One invocation as the fleet answered it. */
export interface InvocationRecord {
  endpointName: string;
  /** The variant that answered (empty when none did: a refused TargetVariant, say). */
  variantName: string;
  /** HTTP status the model returned (a ModelError's OriginalStatusCode), else of the answer. */
  status: number;
  /** Time the variant took to answer, in microseconds. */
  latencyUs: number;
}

/** A datum as CloudWatch's PutMetricData takes it. */
export interface EndpointMetricDatum {
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Timestamp: Date;
  Unit: string;
  StatisticValues: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
}

/** `served`, timed: every invocation is reported to `report` once answered. */
export function observedEndpoint(
  endpointName: string,
  served: HostedEndpoint,
  report: (record: InvocationRecord) => void,
): HostedEndpoint {
  return {
    async invoke(encodedName: string, headers: IncomingHttpHeaders, body: Buffer): Promise<InvocationAnswer> {
      const started = process.hrtime.bigint();
      const answer = await served.invoke(encodedName, headers, body);
      const latencyUs = Number((process.hrtime.bigint() - started) / 1000n);
      // A reset connection counts as 500, under no variant; else as the model answered (`served`).
      const answeredBy = answer === 'reset' ? undefined : answer.served;
      report({
        endpointName,
        variantName: answeredBy?.variantName ?? '',
        status: answeredBy?.modelStatus ?? (answer === 'reset' ? 500 : answer.status),
        latencyUs,
      });
      return answer;
    },
  };
}

interface Sums {
  count: number;
  errors4xx: number;
  errors5xx: number;
  latency: { count: number; sum: number; min: number; max: number };
}

/** Sums invocation records per endpoint and variant; `drain()` turns them into datums. */
export class EndpointMetrics {
  readonly #sums = new Map<string, Sums>();

  record(record: InvocationRecord): void {
    // An answer no variant gave (a refused request) has no variant to count it under.
    if (!record.variantName) return;
    const key = `${record.endpointName}\u0000${record.variantName}`;
    let sums = this.#sums.get(key);
    if (!sums) {
      sums = { count: 0, errors4xx: 0, errors5xx: 0, latency: { count: 0, sum: 0, min: Infinity, max: 0 } };
      this.#sums.set(key, sums);
    }
    sums.count++;
    if (record.status >= 400 && record.status < 500) sums.errors4xx++;
    if (record.status >= 500) sums.errors5xx++;
    const latency = sums.latency;
    latency.count++;
    latency.sum += record.latencyUs;
    latency.min = Math.min(latency.min, record.latencyUs);
    latency.max = Math.max(latency.max, record.latencyUs);
  }

  /** The datums of what was recorded since the last drain, stamped `now`. */
  drain(now = new Date()): EndpointMetricDatum[] {
    const datums: EndpointMetricDatum[] = [];
    for (const [key, sums] of this.#sums) {
      const [endpointName, variantName] = key.split('\u0000') as [string, string];
      const dimensions = [
        { Name: 'EndpointName', Value: endpointName },
        { Name: 'VariantName', Value: variantName },
      ];
      // As SageMaker sends them: each invocation is one sample, 1 when it counts (every one for
      // Invocations, a 4xx or 5xx answer for the error metrics), else 0. Sum is the count.
      const count = (MetricName: string, value: number): EndpointMetricDatum => ({
        MetricName,
        Dimensions: dimensions,
        Timestamp: now,
        Unit: 'None',
        StatisticValues: {
          SampleCount: sums.count,
          Sum: value,
          Minimum: value === sums.count ? 1 : 0,
          Maximum: value > 0 ? 1 : 0,
        },
      });
      datums.push(count('Invocations', sums.count));
      datums.push(count('Invocation4XXErrors', sums.errors4xx));
      datums.push(count('Invocation5XXErrors', sums.errors5xx));
      if (sums.latency.count > 0)
        datums.push({
          MetricName: 'ModelLatency',
          Dimensions: dimensions,
          Timestamp: now,
          Unit: 'Microseconds',
          StatisticValues: {
            SampleCount: sums.latency.count,
            Sum: sums.latency.sum,
            Minimum: sums.latency.min,
            Maximum: sums.latency.max,
          },
        });
    }
    this.#sums.clear();
    return datums;
  }
}
