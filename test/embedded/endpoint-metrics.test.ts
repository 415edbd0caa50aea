/** SageMaker's endpoint metrics from the fleet's invocations: summed per endpoint and variant, as SageMaker sends them. */
import { describe, expect, it } from 'vitest';
import { EndpointMetrics } from '../../src/embedded/sagemaker-runtime/index.ts';

describe('EndpointMetrics', () => {
  it('sums invocations, 4xx, 5xx and latency per endpoint and variant, then starts again', () => {
    const metrics = new EndpointMetrics();
    const at = new Date('2026-12-07T09:00:00Z');
    for (const [variantName, status, latencyUs] of [
      ['Blue', 200, 900],
      ['Blue', 200, 1100],
      ['Blue', 400, 50],
      ['Green', 500, 2000],
    ] as const)
      metrics.record({ endpointName: 'ep', variantName, status, latencyUs });
    // No variant answered (a refused TargetVariant): nothing to count it under.
    metrics.record({ endpointName: 'ep', variantName: '', status: 400, latencyUs: 10 });

    const datums = metrics.drain(at);
    const find = (variant: string, name: string) =>
      datums.find((datum) => datum.MetricName === name && datum.Dimensions.some((d) => d.Value === variant))
        ?.StatisticValues;
    expect(find('Blue', 'Invocations')).toEqual({ SampleCount: 3, Sum: 3, Minimum: 1, Maximum: 1 });
    expect(find('Blue', 'Invocation4XXErrors')).toEqual({ SampleCount: 3, Sum: 1, Minimum: 0, Maximum: 1 });
    expect(find('Blue', 'Invocation5XXErrors')).toEqual({ SampleCount: 3, Sum: 0, Minimum: 0, Maximum: 0 });
    expect(find('Blue', 'ModelLatency')).toEqual({ SampleCount: 3, Sum: 2050, Minimum: 50, Maximum: 1100 });
    expect(find('Green', 'Invocation5XXErrors')).toEqual({ SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 });
    expect(datums.every((datum) => datum.Timestamp === at)).toBe(true);
    expect(datums.find((d) => d.MetricName === 'ModelLatency')?.Unit).toBe('Microseconds');
    expect(datums[0]?.Dimensions.map((d) => d.Name)).toEqual(['EndpointName', 'VariantName']);
    expect(metrics.drain(at)).toEqual([]);
  });
});
