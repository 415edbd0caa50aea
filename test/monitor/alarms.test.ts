import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALARM_THRESHOLDS,
  evaluateAlarms,
  parseAlarmThresholds,
} from '../../src/monitor/alarms/alarms.ts';
import type { EvaluatedWindow } from '../../src/monitor/alarms/types.ts';

const T0 = Date.parse('2026-11-26T10:00:00Z');

function window(i: number, figures: Partial<EvaluatedWindow> & { inferences: number }): EvaluatedWindow {
  return {
    startMs: T0 + i * 60_000,
    endMs: T0 + (i + 1) * 60_000,
    inBaseline: false,
    meanConfidence: 0.93,
    shareBelowThreshold: 0.1,
    drift: { confidence: 0.05, classMix: 0.03 },
    quality: { labels: 0, accuracy: null },
    ...figures,
  };
}

const baseline = { inferences: 500, meanConfidence: 0.93 };
const byName = (alarms: ReturnType<typeof evaluateAlarms>) =>
  Object.fromEntries(alarms.map((a) => [a.name, a]));

describe('alarm rules', () => {
  it('has the defaults the issue names', () => {
    expect(DEFAULT_ALARM_THRESHOLDS).toEqual({
      'low-confidence-share': 0.4,
      'mean-confidence-drop': 0.1,
      accuracy: 0.85,
      'confidence-drift': 0.2,
      'class-mix-drift': 0.2,
    });
  });

  it('are all OK on a steady stream, with the figures they looked at', () => {
    const windows = [
      window(0, { inferences: 500, inBaseline: true }),
      window(1, { inferences: 400, quality: { labels: 30, accuracy: 0.9 } }),
      window(2, { inferences: 400, shareBelowThreshold: 0.4, meanConfidence: 0.84 }),
    ];
    const alarms = byName(evaluateAlarms(windows, baseline, { labels: 30, accuracy: 0.9 }));
    expect(Object.values(alarms).map((a) => a.state)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
    // 0.4 is not over 0.4; a drop of 0.09 is not over 0.1.
    expect(alarms['low-confidence-share']).toMatchObject({ value: 0.4, evaluated: 3, breaching: 0 });
    expect(alarms['mean-confidence-drop']?.value).toBeCloseTo(0.09, 12);
    expect(alarms.accuracy).toMatchObject({ value: 0.9, evaluated: 1 });
    expect(alarms['confidence-drift']).toMatchObject({ value: 0.05, evaluated: 2 });
  });

  it('go to ALARM on the worst window and say where and on how much data', () => {
    const windows = [
      window(0, { inferences: 500, inBaseline: true }),
      window(1, { inferences: 300, shareBelowThreshold: 0.45, meanConfidence: 0.8 }),
      window(2, {
        inferences: 250,
        shareBelowThreshold: 0.62,
        meanConfidence: 0.75,
        drift: { confidence: 0.31, classMix: 0.22 },
        quality: { labels: 25, accuracy: 0.72 },
      }),
    ];
    const alarms = byName(evaluateAlarms(windows, baseline, { labels: 25, accuracy: 0.72 }));
    expect(alarms['low-confidence-share']).toMatchObject({
      state: 'ALARM',
      value: 0.62,
      breaching: 2,
      evaluated: 3,
    });
    expect(alarms['low-confidence-share']?.evidence).toBe(
      '2 of 3 windows over 0.4; worst 2026-11-26 10:02 UTC window: 0.620 on 250 inferences',
    );
    expect(alarms['low-confidence-share']?.window).toEqual({
      start: '2026-11-26T10:02:00.000Z',
      end: '2026-11-26T10:03:00.000Z',
      samples: 250,
    });
    expect(alarms['mean-confidence-drop']).toMatchObject({ state: 'ALARM', breaching: 2 });
    expect(alarms['mean-confidence-drop']?.value).toBeCloseTo(0.18, 12);
    expect(alarms.accuracy).toMatchObject({ state: 'ALARM', value: 0.72, comparison: '<' });
    expect(alarms['confidence-drift']).toMatchObject({ state: 'ALARM', value: 0.31, breaching: 1 });
    expect(alarms['class-mix-drift']).toMatchObject({ state: 'ALARM', value: 0.22 });
  });

  it('ignore windows too small to mean anything, and say so when nothing was evaluated', () => {
    const windows = [
      window(0, { inferences: 19, inBaseline: true, shareBelowThreshold: 1 }),
      window(1, {
        inferences: 150,
        drift: { confidence: 0.9, classMix: 0.9 },
        quality: { labels: 19, accuracy: 0 },
      }),
    ];
    const alarms = byName(
      evaluateAlarms(windows, { inferences: 19, meanConfidence: 0.93 }, { labels: 19, accuracy: 0 }),
    );
    // The 19-inference window's 100 % is not judged; the 150-inference one's 10 % is.
    expect(alarms['low-confidence-share']).toMatchObject({ state: 'OK', value: 0.1, evaluated: 1 });
    expect(alarms.accuracy).toMatchObject({ state: 'OK', value: null, evaluated: 0 });
    expect(alarms.accuracy?.evidence).toBe(
      'not evaluated: fewer than 20 ground-truth labels joined in the range',
    );
    expect(alarms['confidence-drift']).toMatchObject({ state: 'OK', value: null });
    expect(alarms['confidence-drift']?.evidence).toMatch(/needs 200 inferences/);
  });

  it('judge accuracy over the whole range when labels are too sparse for any one window', () => {
    const windows = [0, 1, 2, 3].map((i) =>
      window(i, { inferences: 100, quality: { labels: 6, accuracy: 0.5 } }),
    );
    const alarms = byName(evaluateAlarms(windows, baseline, { labels: 24, accuracy: 0.75 }));
    expect(alarms.accuracy).toMatchObject({ state: 'ALARM', value: 0.75, evaluated: 1, breaching: 1 });
    expect(alarms.accuracy?.evidence).toBe('0.750 over the whole range (24 labels; no single window has 20)');
  });

  it('take thresholds and minimums from the settings', () => {
    const windows = [window(0, { inferences: 30, shareBelowThreshold: 0.3 })];
    const strict = byName(
      evaluateAlarms(
        windows,
        baseline,
        { labels: 0, accuracy: null },
        { thresholds: { 'low-confidence-share': 0.25 } },
      ),
    );
    expect(strict['low-confidence-share']).toMatchObject({ state: 'ALARM', threshold: 0.25 });
    const picky = byName(
      evaluateAlarms(
        windows,
        baseline,
        { labels: 0, accuracy: null },
        { minimums: { windowInferences: 31 } },
      ),
    );
    expect(picky['low-confidence-share']).toMatchObject({ state: 'OK', value: null });
  });

  it('parse --alarm settings and name what is wrong', () => {
    expect(parseAlarmThresholds(['accuracy=0.9', 'class-mix-drift=0.3'])).toEqual({
      accuracy: 0.9,
      'class-mix-drift': 0.3,
    });
    expect(() => parseAlarmThresholds(['accuracy'])).toThrow(/<rule>=<threshold>/);
    expect(() => parseAlarmThresholds(['latency=3'])).toThrow(/rule one of low-confidence-share/);
    expect(() => parseAlarmThresholds(['accuracy=high'])).toThrow(/from 0 to 1; got "high"/);
  });
});
