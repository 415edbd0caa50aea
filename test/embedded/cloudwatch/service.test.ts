/**
 * The service with a fake clock and the timer off: alarms evaluated on demand as the clock moves,
 * the listeners, alarm history, SetAlarmState, ingest, and the journal (restart, retention,
 * rewriting while running).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AlarmStateChange,
  type CloudWatchService,
  createCloudWatchService,
} from '../../../src/embedded/cloudwatch/index.ts';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 7, 9, 0, 0);

describe('the service: a fake clock, the timer off, listeners', () => {
  let dir: string;
  let clock = NOW;
  let service: CloudWatchService;
  const changes: AlarmStateChange[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scones-cloudwatch-'));
    clock = NOW;
    changes.length = 0;
    service = await createCloudWatchService({ dataDir: dir, now: () => clock, evaluationIntervalMs: 0 });
    service.onStateChange((change) => changes.push(change));
  });

  afterEach(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  const put = (value: number, at: number) =>
    service.call('PutMetricData', {
      Namespace: 'Test',
      MetricData: [
        {
          MetricName: 'Errors',
          Value: value,
          Timestamp: at / 1000,
          Dimensions: [{ Name: 'Fn', Value: 'f' }],
        },
      ],
    });
  const describeAlarm = async () =>
    (
      (await service.call('DescribeAlarms', { AlarmNames: ['errors'] })) as {
        MetricAlarms: Record<string, unknown>[];
      }
    ).MetricAlarms[0];

  it('evaluates on demand as the clock moves: INSUFFICIENT_DATA, ALARM, OK, each change heard once', async () => {
    await service.call('PutMetricAlarm', {
      AlarmName: 'errors',
      Namespace: 'Test',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'Fn', Value: 'f' }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 1,
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:alerts'],
    });
    // Created, then evaluated at once: no data, treated as not breaching.
    expect((await describeAlarm())?.StateValue).toBe('OK');
    expect(changes.map((c) => c.state.value)).toEqual(['OK']);
    await put(2, NOW + 5_000);
    await put(2, NOW + 6_000);
    clock = NOW + MINUTE + 1;
    service.evaluateAlarms();
    const alarmed = await describeAlarm();
    expect(alarmed?.StateValue).toBe('ALARM');
    expect(alarmed?.StateReason).toMatch(/^Threshold Crossed: 1 out of the last 2 datapoints \[4\.0 /);
    expect(alarmed?.StateUpdatedTimestamp).toBe((NOW + MINUTE + 1) / 1000);
    service.evaluateAlarms(); // no change, nothing heard
    expect(changes.map((c) => c.state.value)).toEqual(['OK', 'ALARM']);
    expect(changes[1]).toMatchObject({
      alarmName: 'errors',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors',
      previousState: { value: 'OK' },
      configuration: { AlarmActions: ['arn:aws:sns:us-east-1:000000000000:alerts'] },
    });
    // Still ALARM while the breaching minute is in the evaluation range (N + 2 periods) and the
    // missing ones are filled as not breaching: 1 of 2 breaches (the guide's re-evaluation note).
    clock = NOW + 3 * MINUTE + 1;
    service.evaluateAlarms();
    expect((await describeAlarm())?.StateValue).toBe('ALARM');
    clock = NOW + 5 * MINUTE + 1; // out of the range: two missing, not breaching
    service.evaluateAlarms();
    expect((await describeAlarm())?.StateValue).toBe('OK');
    expect(changes.map((c) => c.state.value)).toEqual(['OK', 'ALARM', 'OK']);
    const history = (await service.call('DescribeAlarmHistory', { AlarmName: 'errors' })) as {
      AlarmHistoryItems: { HistoryItemType: string; HistorySummary: string; HistoryData: string }[];
    };
    expect(history.AlarmHistoryItems.map((item) => item.HistorySummary)).toEqual([
      'Alarm updated from ALARM to OK',
      'Alarm updated from OK to ALARM',
      'Alarm updated from INSUFFICIENT_DATA to OK',
      'Alarm "errors" created',
    ]);
    expect(JSON.parse(history.AlarmHistoryItems[1]?.HistoryData ?? '{}')).toMatchObject({
      oldState: { stateValue: 'OK' },
      newState: { stateValue: 'ALARM', stateReasonData: { recentDatapoints: [4] } },
    });
    const page = (await service.call('DescribeAlarmHistory', {
      HistoryItemType: 'StateUpdate',
      ScanBy: 'TimestampAscending',
      MaxRecords: 2,
    })) as { AlarmHistoryItems: { HistorySummary: string }[]; NextToken?: string };
    expect(page.AlarmHistoryItems.map((item) => item.HistorySummary)).toEqual([
      'Alarm updated from INSUFFICIENT_DATA to OK',
      'Alarm updated from OK to ALARM',
    ]);
    expect(page.NextToken).toBeDefined();
  });

  it('takes AWS/ namespaces from inside the kit (ingest), which the API refuses', async () => {
    const dimensions = [
      { Name: 'EndpointName', Value: 'e' },
      { Name: 'VariantName', Value: 'AllTraffic' },
    ];
    await expect(
      service.call('PutMetricData', {
        Namespace: 'AWS/SageMaker',
        MetricData: [{ MetricName: 'Invocations', Value: 1 }],
      }),
    ).rejects.toMatchObject({ code: 'InvalidParameterValueException' });
    service.ingest('AWS/SageMaker', [
      {
        MetricName: 'Invocation5XXErrors',
        Dimensions: dimensions,
        Value: 3,
        Timestamp: new Date(NOW - 30_000),
      },
    ]);
    expect(() => service.ingest('AWS/SageMaker', [{ MetricName: 'Invocations' }])).toThrow(/Value/);
    await service.call('PutMetricAlarm', {
      AlarmName: 'errors',
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect((await describeAlarm())?.StateValue).toBe('ALARM');
  });

  it('SetAlarmState sets the state until the next evaluation, and survives a restart', async () => {
    await service.call('PutMetricAlarm', {
      AlarmName: 'errors',
      Namespace: 'Test',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 3,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect((await describeAlarm())?.StateValue).toBe('INSUFFICIENT_DATA');
    await service.call('SetAlarmState', { AlarmName: 'errors', StateValue: 'ALARM', StateReason: 'testing' });
    expect(await describeAlarm()).toMatchObject({ StateValue: 'ALARM', StateReason: 'testing' });
    expect(changes.at(-1)?.state).toMatchObject({ value: 'ALARM', reason: 'testing' });
    await service.close();
    service = await createCloudWatchService({ dataDir: dir, now: () => clock, evaluationIntervalMs: 0 });
    expect(await describeAlarm()).toMatchObject({ StateValue: 'ALARM', StateReason: 'testing' });
    service.evaluateAlarms();
    expect((await describeAlarm())?.StateValue).toBe('INSUFFICIENT_DATA');
  });

  it('rewrites its journal while running, from the file: bounded, nothing counted twice', async () => {
    await service.close();
    const options = {
      dataDir: dir,
      now: () => clock,
      evaluationIntervalMs: 0,
      retentionMs: 10 * MINUTE,
      compactAfterLines: 20,
    };
    service = await createCloudWatchService(options);
    // 60 puts a minute apart: the journal is rewritten several times, older minutes dropped.
    for (let minute = 0; minute < 60; minute++) {
      clock = NOW + minute * MINUTE;
      await put(1, clock - 1000);
      if (minute % 7 === 0) await service.flush();
    }
    await service.flush();
    const lines = (await readFile(path.join(dir, 'journal.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(21 + 1);
    const count = async () => {
      const answer = (await service.call('GetMetricStatistics', {
        Namespace: 'Test',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'Fn', Value: 'f' }],
        StartTime: (clock - 60 * MINUTE) / 1000,
        EndTime: (clock + MINUTE) / 1000,
        Period: 3600,
        Statistics: ['SampleCount'],
      })) as { Datapoints: { SampleCount: number }[] };
      return answer.Datapoints.reduce((total, d) => total + d.SampleCount, 0);
    };
    const before = await count();
    expect(before).toBe(10);
    await service.close();
    service = await createCloudWatchService(options);
    expect(await count()).toBe(before);
  });

  it('keeps datapoints for the retention window only, across a restart too', async () => {
    await service.close();
    service = await createCloudWatchService({
      dataDir: dir,
      now: () => clock,
      evaluationIntervalMs: 0,
      retentionMs: 10 * MINUTE,
    });
    await put(1, NOW - 9 * MINUTE);
    await put(1, NOW - MINUTE);
    const sum = async () => {
      const answer = (await service.call('GetMetricStatistics', {
        Namespace: 'Test',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'Fn', Value: 'f' }],
        StartTime: (NOW - 60 * MINUTE) / 1000,
        EndTime: (NOW + 60 * MINUTE) / 1000,
        Period: 3600,
        Statistics: ['SampleCount'],
      })) as { Datapoints: { SampleCount: number }[] };
      return answer.Datapoints.reduce((total, d) => total + d.SampleCount, 0);
    };
    expect(await sum()).toBe(2);
    await service.close();
    clock = NOW + 5 * MINUTE;
    service = await createCloudWatchService({
      dataDir: dir,
      now: () => clock,
      evaluationIntervalMs: 0,
      retentionMs: 10 * MINUTE,
    });
    expect(await sum()).toBe(1);
  });
});
