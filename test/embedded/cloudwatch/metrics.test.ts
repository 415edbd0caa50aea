/**
 * The metric operations without HTTP: PutMetricData's rules, ListMetrics' filters and pages,
 * GetMetricStatistics' limits and statistics, GetMetricData's pages.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudWatchService, createCloudWatchService } from '../../../src/embedded/cloudwatch/index.ts';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 7, 9, 0, 0);
let dir: string;
let service: CloudWatchService;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scones-cloudwatch-metrics-'));
  service = await createCloudWatchService({ dataDir: dir, now: () => NOW, evaluationIntervalMs: 0 });
  for (let minute = 1; minute <= 10; minute++)
    await service.call('PutMetricData', {
      Namespace: 'App',
      MetricData: [
        {
          MetricName: 'Latency',
          Dimensions: [{ Name: 'Fn', Value: 'a' }],
          Value: minute,
          Timestamp: (NOW - minute * MINUTE) / 1000,
        },
        {
          MetricName: 'Latency',
          Dimensions: [
            { Name: 'Fn', Value: 'b' },
            { Name: 'Az', Value: 'x' },
          ],
          Value: minute * 10,
          Timestamp: (NOW - minute * MINUTE) / 1000,
        },
      ],
    });
});
afterAll(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

const rejects = (action: string, input: unknown) => expect(service.call(action, input)).rejects;

describe('PutMetricData', () => {
  it.each([
    [
      'no namespace',
      { MetricData: [{ MetricName: 'M', Value: 1 }] },
      'MissingRequiredParameterException',
      /The parameter Namespace is required/,
    ],
    [
      'an AWS/ namespace',
      { Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'M', Value: 1 }] },
      'InvalidParameterValueException',
      /Namespace/,
    ],
    [
      'no value',
      { Namespace: 'N', MetricData: [{ MetricName: 'M' }] },
      'MissingRequiredParameterException',
      /Value/,
    ],
    [
      'Value and StatisticValues',
      {
        Namespace: 'N',
        MetricData: [
          { MetricName: 'M', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } },
        ],
      },
      'InvalidParameterCombinationException',
      /mutually exclusive/,
    ],
    [
      'Counts not matching Values',
      { Namespace: 'N', MetricData: [{ MetricName: 'M', Values: [1, 2], Counts: [1] }] },
      'InvalidParameterValueException',
      /same size/,
    ],
    [
      'a null among Values',
      { Namespace: 'N', MetricData: [{ MetricName: 'M', Values: [1, null] }] },
      'InvalidParameterValueException',
      /Values\.member\.2/,
    ],
    [
      'a value out of range',
      { Namespace: 'N', MetricData: [{ MetricName: 'M', Value: 1e200 }] },
      'InvalidParameterValueException',
      /1\.174271e\+108/,
    ],
    [
      'a timestamp 3 weeks old',
      {
        Namespace: 'N',
        MetricData: [{ MetricName: 'M', Value: 1, Timestamp: (NOW - 21 * 86_400_000) / 1000 }],
      },
      'InvalidParameterValueException',
      /two weeks/,
    ],
    [
      'a StorageResolution of 5',
      { Namespace: 'N', MetricData: [{ MetricName: 'M', Value: 1, StorageResolution: 5 }] },
      'InvalidParameterValueException',
      /1 or 60/,
    ],
    [
      '31 dimensions',
      {
        Namespace: 'N',
        MetricData: [
          {
            MetricName: 'M',
            Value: 1,
            Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' })),
          },
        ],
      },
      'ValidationException',
      /less than or equal to 30/,
    ],
    [
      'an unknown unit',
      { Namespace: 'N', MetricData: [{ MetricName: 'M', Value: 1, Unit: 'Parsecs' }] },
      'ValidationException',
      /enum value set/,
    ],
  ])('refuses %s', async (_name, input, code, message) => {
    await rejects('PutMetricData', input).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('takes nothing from a request with one bad datum', async () => {
    await rejects('PutMetricData', {
      Namespace: 'Partial',
      MetricData: [{ MetricName: 'Good', Value: 1 }, { MetricName: 'Bad' }],
    }).toBeDefined();
    expect(await service.call('ListMetrics', { Namespace: 'Partial' })).toEqual({ Metrics: [] });
  });
});

describe('ListMetrics', () => {
  it('filters by dimension name, and by name and value', async () => {
    const byName = (await service.call('ListMetrics', {
      Namespace: 'App',
      Dimensions: [{ Name: 'Az' }],
    })) as { Metrics: unknown[] };
    expect(byName.Metrics).toEqual([
      {
        Namespace: 'App',
        MetricName: 'Latency',
        Dimensions: [
          { Name: 'Az', Value: 'x' },
          { Name: 'Fn', Value: 'b' },
        ],
      },
    ]);
    const byValue = (await service.call('ListMetrics', { Dimensions: [{ Name: 'Fn', Value: 'a' }] })) as {
      Metrics: unknown[];
    };
    expect(byValue.Metrics).toHaveLength(1);
    await rejects('ListMetrics', { NextToken: 'nope' }).toMatchObject({ code: 'InvalidNextToken' });
  });
});

describe('GetMetricStatistics', () => {
  const base = {
    Namespace: 'App',
    MetricName: 'Latency',
    Dimensions: [{ Name: 'Fn', Value: 'a' }],
    StartTime: (NOW - 10 * MINUTE) / 1000,
    EndTime: NOW / 1000,
  };

  it('aggregates per aligned period', async () => {
    const answer = (await service.call('GetMetricStatistics', {
      ...base,
      Period: 300,
      Statistics: ['Sum', 'SampleCount', 'Average'],
      ExtendedStatistics: ['p90'],
    })) as {
      Datapoints: Record<string, unknown>[];
    };
    expect(answer.Datapoints).toEqual([
      {
        Timestamp: (NOW - 10 * MINUTE) / 1000,
        Sum: 40,
        SampleCount: 5,
        Average: 8,
        Unit: 'None',
        ExtendedStatistics: { p90: 10 },
      },
      {
        Timestamp: (NOW - 5 * MINUTE) / 1000,
        Sum: 15,
        SampleCount: 5,
        Average: 3,
        Unit: 'None',
        ExtendedStatistics: { p90: 5 },
      },
    ]);
  });

  it('refuses more than 1,440 datapoints, bad periods, unknown statistics, no statistics', async () => {
    await rejects('GetMetricStatistics', {
      ...base,
      StartTime: (NOW - 2 * 86_400_000) / 1000,
      Period: 60,
      Statistics: ['Sum'],
    }).toMatchObject({
      code: 'InvalidParameterCombinationException',
      message: expect.stringMatching(/exceeds the limit of 1440/),
    });
    await rejects('GetMetricStatistics', { ...base, Period: 90, Statistics: ['Sum'] }).toMatchObject({
      code: 'InvalidParameterValueException',
    });
    await rejects('GetMetricStatistics', { ...base, Period: 60, Statistics: ['Median'] }).toMatchObject({
      code: 'InvalidParameterValueException',
    });
    await rejects('GetMetricStatistics', { ...base, Period: 60 }).toMatchObject({
      code: 'MissingRequiredParameterException',
    });
    await rejects('GetMetricStatistics', {
      ...base,
      EndTime: base.StartTime,
      Period: 60,
      Statistics: ['Sum'],
    }).toMatchObject({
      code: 'InvalidParameterValueException',
    });
  });
});

describe('GetMetricData', () => {
  const query = (id: string, fn: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'App',
        MetricName: 'Latency',
        Dimensions: [{ Name: 'Fn', Value: fn }, ...(fn === 'b' ? [{ Name: 'Az', Value: 'x' }] : [])],
      },
      Period: 60,
      Stat: 'Maximum',
    },
  });
  type Page = {
    MetricDataResults: { Id: string; Values: number[]; StatusCode: string }[];
    NextToken?: string;
  };

  it('pages by MaxDatapoints across queries, newest first by default, with NextToken', async () => {
    const input = {
      StartTime: (NOW - 10 * MINUTE) / 1000,
      EndTime: NOW / 1000,
      MaxDatapoints: 7,
      MetricDataQueries: [query('a', 'a'), query('b', 'b')],
    };
    const values: Record<string, number[]> = { a: [], b: [] };
    let token: string | undefined;
    let pages = 0;
    do {
      const page = (await service.call('GetMetricData', {
        ...input,
        ...(token ? { NextToken: token } : {}),
      })) as Page;
      const count = page.MetricDataResults.reduce((n, r) => n + r.Values.length, 0);
      expect(count).toBeLessThanOrEqual(7);
      for (const result of page.MetricDataResults) values[result.Id]?.push(...result.Values);
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(values.a).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(values.b).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('omits queries with ReturnData false; refuses duplicate ids, bad ids, expressions', async () => {
    const input = { StartTime: (NOW - 10 * MINUTE) / 1000, EndTime: NOW / 1000 };
    const page = (await service.call('GetMetricData', {
      ...input,
      MetricDataQueries: [query('a', 'a'), { ...query('b', 'b'), ReturnData: false }],
    })) as Page;
    expect(page.MetricDataResults.map((r) => r.Id)).toEqual(['a']);
    await rejects('GetMetricData', {
      ...input,
      MetricDataQueries: [query('a', 'a'), query('a', 'b')],
    }).toMatchObject({ code: 'ValidationException' });
    await rejects('GetMetricData', { ...input, MetricDataQueries: [query('Upper', 'a')] }).toMatchObject({
      code: 'ValidationException',
    });
    await rejects('GetMetricData', {
      ...input,
      MetricDataQueries: [{ Id: 'e', Expression: 'SUM(METRICS())' }],
    }).toMatchObject({
      code: 'ValidationException',
      message: expect.stringMatching(/not supported by the local CloudWatch/),
    });
    await rejects('GetMetricData', {
      ...input,
      NextToken: Buffer.from('x').toString('base64url'),
      MetricDataQueries: [query('a', 'a')],
    }).toMatchObject({
      code: 'InvalidNextToken',
    });
  });
});

describe('PutMetricAlarm and SetAlarmState refuse what AWS refuses', () => {
  const alarm = {
    AlarmName: 'a',
    Namespace: 'App',
    MetricName: 'Latency',
    Statistic: 'Average',
    Period: 60,
    EvaluationPeriods: 2,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanThreshold',
  };

  it.each([
    ['DatapointsToAlarm over EvaluationPeriods', { DatapointsToAlarm: 3 }, 'ValidationException'],
    ['Statistic and ExtendedStatistic', { ExtendedStatistic: 'p99' }, 'InvalidParameterCombinationException'],
    ['an unknown statistic', { Statistic: 'Median' }, 'InvalidParameterValueException'],
    ['metric math', { Metrics: [{ Id: 'm', Expression: 'SUM(METRICS())' }] }, 'ValidationException'],
    [
      'an anomaly detection operator',
      { ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' },
      'ValidationException',
    ],
    ['an unknown operator', { ComparisonOperator: 'Bigger' }, 'ValidationException'],
    ['an unknown TreatMissingData', { TreatMissingData: 'sometimes' }, 'ValidationException'],
    ['a period of 90 s', { Period: 90 }, 'InvalidParameterValueException'],
    ['no threshold', { Threshold: undefined }, 'MissingRequiredParameterException'],
    ['a tag without a key', { Tags: [{ Value: 'v' }] }, 'MissingRequiredParameterException'],
    ['six alarm actions', { AlarmActions: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'ValidationException'],
  ])('refuses %s', async (_name, change, code) => {
    await rejects('PutMetricAlarm', { ...alarm, ...change }).toMatchObject({ code });
  });

  it('SetAlarmState: an unknown alarm, reason data that is not JSON', async () => {
    await rejects('SetAlarmState', { AlarmName: 'none', StateValue: 'OK', StateReason: 'r' }).toMatchObject({
      code: 'ResourceNotFound',
      status: 404,
    });
    await service.call('PutMetricAlarm', alarm);
    await rejects('SetAlarmState', {
      AlarmName: 'a',
      StateValue: 'OK',
      StateReason: 'r',
      StateReasonData: '{',
    }).toMatchObject({
      code: 'InvalidFormatFault',
    });
    await rejects('SetAlarmState', { AlarmName: 'a', StateValue: 'BROKEN', StateReason: 'r' }).toMatchObject({
      code: 'ValidationException',
    });
  });
});
