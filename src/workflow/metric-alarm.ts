/**
 * A metric alarm put where it runs (the stack's CloudWatch), created or brought back to its
 * request: PutMetricAlarm replaces the whole configuration and CloudWatch then evaluates afresh,
 * so an alarm that already says what the request says is left alone, its state and history with it.
 */
import { isDeepStrictEqual } from 'node:util';

export interface CloudWatchCalls {
  call(action: string, input: Record<string, unknown>): Promise<unknown>;
}

export async function ensureMetricAlarm(
  cloudwatch: CloudWatchCalls,
  request: { AlarmName: string } & Record<string, unknown>,
): Promise<'created' | 'updated' | 'unchanged'> {
  const answer = (await cloudwatch.call('DescribeAlarms', { AlarmNames: [request.AlarmName] })) as {
    MetricAlarms?: Record<string, unknown>[];
  };
  const existing = answer.MetricAlarms?.find((alarm) => alarm.AlarmName === request.AlarmName);
  // Only what the request sets is compared: DescribeAlarms adds state, ARNs and defaults.
  if (existing && Object.entries(request).every(([key, value]) => isDeepStrictEqual(existing[key], value)))
    return 'unchanged';
  await cloudwatch.call('PutMetricAlarm', request);
  return existing ? 'updated' : 'created';
}
