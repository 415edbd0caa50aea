/**
 * Alarm evaluation with a fake clock: M out of N, each TreatMissingData mode, each comparison
 * operator, and the state changes the service's listeners hear (evaluation and SetAlarmState).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AlarmDefinition,
  type AlarmStateChange,
  type AlarmStateValue,
  breaches,
  type CloudWatchService,
  createCloudWatchService,
  evaluateAlarm,
  type StoredDatum,
} from '../../../src/embedded/cloudwatch/index.ts';

const MINUTE = 60_000;
/** A minute boundary; the alarm's periods end here. */
const NOW = Date.UTC(2026, 11, 7, 9, 0, 0);

function alarm(overrides: Partial<AlarmDefinition> = {}): AlarmDefinition {
  return {
    AlarmName: 'a',
    ActionsEnabled: true,
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    Namespace: 'Test',
    MetricName: 'Errors',
    Dimensions: [],
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 3,
    Threshold: 5,
    ComparisonOperator: 'GreaterThanThreshold',
    ...overrides,
  };
}

/**
 * Datapoints of the last periods, oldest first: a number is that period's one value, `undefined`
 * a missing period. `series([1, undefined, 9])` is 3, 2 and 1 minutes before NOW.
 */
function series(values: (number | undefined)[]): StoredDatum[] {
  return values.flatMap((value, i) =>
    value === undefined ? [] : [{ t: NOW - (values.length - i) * MINUTE + 1000, values: [value] }],
  );
}

const stateOf = (
  definition: AlarmDefinition,
  values: (number | undefined)[],
  current: AlarmStateValue = 'OK',
) => evaluateAlarm(definition, series(values), NOW, current)?.value;

describe('comparison operators', () => {
  it.each([
    ['GreaterThanThreshold', 5, false],
    ['GreaterThanThreshold', 6, true],
    ['GreaterThanOrEqualToThreshold', 5, true],
    ['GreaterThanOrEqualToThreshold', 4.99, false],
    ['LessThanThreshold', 5, false],
    ['LessThanThreshold', 4, true],
    ['LessThanOrEqualToThreshold', 5, true],
    ['LessThanOrEqualToThreshold', 5.01, false],
  ] as const)('%s with %d against 5: breaching %s', (operator, value, breaching) => {
    expect(breaches(operator, value, 5)).toBe(breaching);
    const definition = alarm({ ComparisonOperator: operator, EvaluationPeriods: 1 });
    expect(stateOf(definition, [value])).toBe(breaching ? 'ALARM' : 'OK');
  });
});

describe('M out of N', () => {
  const twoOfThree = alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });

  it('goes to ALARM with M breaching datapoints among N, not with fewer', () => {
    expect(stateOf(twoOfThree, [9, 1, 9])).toBe('ALARM');
    expect(stateOf(twoOfThree, [9, 9, 1])).toBe('ALARM');
    expect(stateOf(twoOfThree, [1, 1, 9])).toBe('OK');
  });

  it('needs all N when DatapointsToAlarm is not given', () => {
    expect(stateOf(alarm(), [9, 9, 1])).toBe('OK');
    expect(stateOf(alarm(), [9, 9, 9])).toBe('ALARM');
  });

  it('looks only at the last N complete periods: older breaches and the current period do not count', () => {
    const data = [
      ...series([9, 9, 1, 1, 1]),
      { t: NOW + 10_000, values: [99] }, // the period in progress
    ];
    expect(evaluateAlarm(twoOfThree, data, NOW, 'OK')?.value).toBe('OK');
  });

  it('aggregates the period with the alarm statistic (Sum of many small values breaches, their Average does not)', () => {
    const data: StoredDatum[] = [{ t: NOW - MINUTE + 1, values: [2, 2, 2] }];
    expect(evaluateAlarm(alarm({ EvaluationPeriods: 1 }), data, NOW, 'OK')?.value).toBe('ALARM');
    expect(evaluateAlarm(alarm({ EvaluationPeriods: 1, Statistic: 'Average' }), data, NOW, 'OK')?.value).toBe(
      'OK',
    );
  });

  it('names the datapoints and the threshold in StateReason and StateReasonData', () => {
    const result = evaluateAlarm(twoOfThree, series([9, 1, 8]), NOW, 'OK');
    expect(result?.reason).toMatch(
      /^Threshold Crossed: 2 out of the last 3 datapoints \[8\.0 \(07\/12\/26 08:59:00\), 1\.0 .*, 9\.0 .*\] were greater than the threshold \(5\.0\)/,
    );
    expect(result?.reason).toContain('OK -> ALARM transition');
    const data = JSON.parse(result?.reasonData ?? '{}');
    expect(data).toMatchObject({ version: '1.0', statistic: 'Sum', period: 60, threshold: 5 });
    expect(data.recentDatapoints).toEqual([8, 1, 9]);
  });
});

/**
 * The user guide's two tables ("How alarm state is evaluated when data is missing"): the five
 * most recent periods, oldest first (0 not breaching, X breaching, - missing), and the state for
 * MISSING, IGNORE, BREACHING, NOT BREACHING; `retain` keeps the current state.
 */
const TABLES: [m: number, data: string, states: [string, string, string, string]][] = [
  [3, '0 - X - X', ['OK', 'OK', 'OK', 'OK']],
  [3, '0 - - - -', ['OK', 'OK', 'OK', 'OK']],
  [3, '- - - - -', ['INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK']],
  [3, '0 X X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
  [3, '- - X - -', ['ALARM', 'retain', 'ALARM', 'OK']],
  [2, '0 - X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
  [2, '0 0 X 0 X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
  [2, '0 - X - -', ['OK', 'OK', 'ALARM', 'OK']],
  [2, '- - - - 0', ['OK', 'OK', 'ALARM', 'OK']],
  [2, '- - - X -', ['ALARM', 'retain', 'ALARM', 'OK']],
];
const TREATMENTS = ['missing', 'ignore', 'breaching', 'notBreaching'] as const;

describe('EvaluateLowSampleCountPercentile', () => {
  const p90 = (lowSamples?: 'evaluate' | 'ignore') =>
    alarm({
      Statistic: undefined,
      ExtendedStatistic: 'p90',
      EvaluationPeriods: 1,
      ...(lowSamples ? { EvaluateLowSampleCountPercentile: lowSamples } : {}),
    });
  // p90 needs 10 / (1 - 0.9) = 100 samples.
  const few: StoredDatum[] = [{ t: NOW - MINUTE + 1, values: [9, 9, 9] }];
  const many: StoredDatum[] = [{ t: NOW - MINUTE + 1, values: Array.from({ length: 100 }, () => 9) }];

  it('evaluates a percentile over few samples by default, keeps the state with ignore', () => {
    expect(evaluateAlarm(p90(), few, NOW, 'OK')?.value).toBe('ALARM');
    expect(evaluateAlarm(p90('evaluate'), few, NOW, 'OK')?.value).toBe('ALARM');
    expect(evaluateAlarm(p90('ignore'), few, NOW, 'OK')).toBeUndefined();
    expect(evaluateAlarm(p90('ignore'), many, NOW, 'OK')?.value).toBe('ALARM');
  });
});

describe("TreatMissingData: the user guide's tables (N = 3, evaluation range 5)", () => {
  const cases = TABLES.flatMap(([m, data, states]) =>
    TREATMENTS.map((treat, i) => [m, data, treat, states[i] as string] as const),
  );
  it.each(cases)('%i of 3, %s, %s: %s', (m, data, treat, expected) => {
    const values = data.split(' ').map((c) => (c === '-' ? undefined : c === 'X' ? 9 : 1));
    const definition = alarm({ EvaluationPeriods: 3, DatapointsToAlarm: m, TreatMissingData: treat });
    for (const current of ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const) {
      const state = stateOf(definition, values, current);
      expect(state ?? 'retain').toBe(expected);
    }
  });

  it('waits rather than alarms on a lone recent breach with missing data (`- - - - X`, 3 of 3)', () => {
    const definition = alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    expect(stateOf(definition, [undefined, undefined, undefined, undefined, 9], 'OK')).toBeUndefined();
    expect(
      stateOf(definition, [undefined, undefined, undefined, undefined, 9], 'INSUFFICIENT_DATA'),
    ).toBeUndefined();
  });

  it('says how many missing datapoints were filled, and with what', () => {
    const definition = alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'breaching' });
    const result = evaluateAlarm(
      definition,
      series([undefined, undefined, undefined, undefined, 1]),
      NOW,
      'OK',
    );
    expect(result?.value).toBe('ALARM');
    expect(result?.reason).toContain('(2 missing treated as breaching)');
    expect(evaluateAlarm(definition, [], NOW, 'OK')?.reason).toContain('(3 missing treated as breaching)');
    const missing = alarm({ EvaluationPeriods: 3 });
    expect(evaluateAlarm(missing, [], NOW, 'OK')?.reason).toBe(
      'Insufficient Data: 3 datapoints were unknown.',
    );
  });
});

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
