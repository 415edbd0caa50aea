/**
 * Alarm evaluation at a fixed time: each comparison operator, M out of N, the user guide's tables
 * of TreatMissingData, EvaluateLowSampleCountPercentile. (The service around it: service.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  type AlarmDefinition,
  type AlarmStateValue,
  breaches,
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
