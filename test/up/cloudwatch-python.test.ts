/**
 * boto3 and aws-cli against `scones up`'s CloudWatch, configured by nothing but the printed
 * exports: botocore speaks Smithy RPC v2 CBOR to CloudWatch (test/up/python/cloudwatch_flow.py),
 * the JS SDK JSON 1.0 (test/up/cloudwatch.test.ts). Nothing leaves 127.0.0.1. Needs Python
 * (skips with the reason printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsOrSkip, resultOf, startUpWithPython, type UpWithPython } from './python-clients.ts';

let clients: UpWithPython | { skip: string } | undefined;

beforeAll(async () => {
  clients = await startUpWithPython('cloudwatch');
}, 600_000);
afterAll(async () => {
  if (clients && !('skip' in clients)) await clients.close();
});

describe('scones up CloudWatch with the Python clients', () => {
  it('boto3: metrics put and read back, an alarm to ALARM, errors by their code', async (context) => {
    const python = clientsOrSkip(clients, context);
    const result = resultOf((await python.exec('python', ['cloudwatch_flow.py'])).stdout);
    expect(result.endpointUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(result.metrics).toEqual(['Invocations']);
    expect(result.statistics).toHaveLength(1);
    expect(result.statistics[0]).toMatchObject({ sampleCount: 5, sum: 9.5, maximum: 4.5 });
    expect(result.metricData).toEqual({ values: [9.5], timestampIsDatetime: true });
    expect(result.alarm).toMatchObject({ state: 'ALARM', updatedIsDatetime: true });
    expect(result.alarm.reason).toMatch(/^Threshold Crossed: 1 out of the last 2 datapoints \[9\.5 /);
    expect(result.error).toEqual({ code: 'ResourceNotFound', status: 404 });
    expect(python.egress).toEqual([]);
  }, 120_000);

  it('aws cloudwatch describe-alarms and list-metrics print what boto3 put', async (context) => {
    const python = clientsOrSkip(clients, context);
    const { stdout } = await python.exec('aws', [
      'cloudwatch',
      'describe-alarms',
      '--alarm-name-prefix',
      'python-',
      '--output',
      'json',
    ]);
    const alarms = JSON.parse(stdout).MetricAlarms as { AlarmName: string; StateValue: string }[];
    expect(alarms.map((a) => [a.AlarmName, a.StateValue])).toEqual([['python-invocations', 'ALARM']]);
    const listed = JSON.parse(
      (
        await python.exec('aws', [
          'cloudwatch',
          'list-metrics',
          '--namespace',
          'Scones/Python',
          '--output',
          'json',
        ])
      ).stdout,
    ).Metrics as { MetricName: string }[];
    expect(listed.map((m) => m.MetricName)).toEqual(['Invocations']);
    expect(python.egress).toEqual([]);
  }, 120_000);
});
