/**
 * Drift is caught (issue 12, item 5), on synthetic capture data: with the default rules, a
 * degrading stream (confidence falling, class mix shifting) puts alarms in ALARM and the same
 * stream without degradation puts none there. Both streams go through the real writers (data
 * capture files, ground truth objects, EMF lines) and the real readers.
 *
 * The end-to-end version runs `scones load --drift` against the trained model on the embedded
 * tier and then this same `runMonitor` over its data dir (or `scones monitor --fail-on-alarm`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MonitorResult, runMonitor } from '../../src/monitor/index.ts';
import { openDataDir, type SyntheticDataDir, syntheticDataDir, T0 } from './support/synthetic-data-dir.ts';

const STREAM = { count: 6000, startMs: T0, spanMs: 10 * 60_000, labelShare: 0.05 };
let clean: SyntheticDataDir;
let degrading: SyntheticDataDir;

async function runMonitorOver(dir: string): Promise<MonitorResult> {
  const opened = await openDataDir(dir);
  try {
    return await runMonitor({ sources: opened.sources, settings: { threshold: 0.8, range: {} } });
  } finally {
    await opened.close();
  }
}

/** Reports by data dir: the same data and settings give the same report, so each is made once. */
const reports = new Map<string, Promise<MonitorResult>>();
function monitorOf(dir: string): Promise<MonitorResult> {
  let report = reports.get(dir);
  if (!report) {
    report = runMonitorOver(dir);
    reports.set(dir, report);
  }
  return report;
}

beforeAll(async () => {
  [clean, degrading] = await Promise.all([
    syntheticDataDir({ ...STREAM, seed: 11 }),
    syntheticDataDir({ ...STREAM, seed: 12, driftOnset: 0.4 }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([clean?.remove(), degrading?.remove()]);
});

describe('drift detection with the default alarm rules', () => {
  it('reads both streams whole: every record, label and metric', async () => {
    const { report, context } = await monitorOf(clean.dir);
    expect(report.totals.inferences).toBe(6000);
    expect(report.totals.labels + report.totals.unusableLabels).toBe(clean.written.labels);
    // 30-s windows over 10 minutes: each holds enough for every rule, drift included.
    expect(report.windowMs).toBe(30_000);
    expect(report.windows).toHaveLength(20);
    expect(report.baseline.inferences).toBe(1500);
    expect(report.windows.reduce((sum, w) => sum + (w.metrics.decisions['manual-review'] ?? 0), 0)).toBe(
      report.windows.reduce((sum, w) => sum + w.belowThreshold, 0),
    );
    expect(context.notes).toEqual([]);
  }, 60_000);

  it('keeps every alarm OK on the steady stream, each evaluated on real windows', async () => {
    const { report } = await monitorOf(clean.dir);
    expect(report.alarms.filter((a) => a.state === 'ALARM')).toEqual([]);
    for (const alarm of report.alarms) {
      expect(alarm.evaluated, alarm.name).toBeGreaterThan(0);
      expect(alarm.value, alarm.name).not.toBeNull();
    }
  }, 60_000);

  it('puts the confidence and drift alarms in ALARM on the degrading stream, late in it', async () => {
    const { report } = await monitorOf(degrading.dir);
    const state = Object.fromEntries(report.alarms.map((a) => [a.name, a.state]));
    expect(state).toMatchObject({
      'low-confidence-share': 'ALARM',
      'mean-confidence-drop': 'ALARM',
      'confidence-drift': 'ALARM',
    });
    // The evidence points after the onset of the degradation (40 % into the stream).
    for (const alarm of report.alarms.filter((a) => a.state === 'ALARM')) {
      expect(Date.parse(alarm.window?.start ?? ''), alarm.name).toBeGreaterThan(T0 + 0.4 * STREAM.spanMs);
    }
  }, 60_000);
});
