/**
 * Alarm rules: named, with configurable thresholds, evaluated on every window that holds enough
 * data for the figure to mean something (CloudWatch would call a window a datapoint). A rule is
 * in ALARM when any evaluated window breaches it; its value is the worst window's, and its
 * evidence says which window, on how much data, and how many windows breached.
 *
 * Defaults (issue 12): share below the routing threshold over 40 %; mean confidence down 0.1 from
 * the baseline; accuracy under 85 % on at least 20 labels; drift (Jensen-Shannon distance, see
 * statistics/statistics.ts) over 0.2 for the confidence histogram and the predicted class mix.
 * Small windows are noise, so each rule has a minimum: 20 inferences for the confidence rules, 20
 * labels for accuracy, 200 inferences in the window and in the baseline for drift (simulated on
 * a steady stream, the JS distance of 200 against 800 inferences stays under 0.15 in 99 % of
 * windows; with 50 it passes 0.2 often). Labels are sparse (people review only what the model
 * doubts), so when no single window has enough, accuracy is judged over the whole range.
 */
import { formatTime } from '../format.ts';
import {
  ALARM_NAMES,
  type AlarmMinimums,
  type AlarmName,
  type AlarmResult,
  type AlarmThresholds,
  type BaselineFigures,
  type EvaluatedWindow,
  type RangeQuality,
} from './types.ts';

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  'low-confidence-share': 0.4,
  'mean-confidence-drop': 0.1,
  accuracy: 0.85,
  'confidence-drift': 0.2,
  'class-mix-drift': 0.2,
};

export const DEFAULT_ALARM_MINIMUMS: AlarmMinimums = {
  windowInferences: 20,
  labels: 20,
  driftInferences: 200,
};

interface Measure {
  value: number;
  samples: number;
}

interface Rule {
  name: AlarmName;
  comparison: '>' | '<';
  description: (threshold: number) => string;
  /** What the figure is measured on, for evidence ("inferences", "labels"). */
  unit: string;
  measure: (window: EvaluatedWindow, baseline: BaselineFigures, min: AlarmMinimums) => Measure | undefined;
  /** Why nothing was evaluated. */
  unevaluated: (min: AlarmMinimums) => string;
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)} %`;

/** Drift of one distribution of a window from the baseline's, judged on enough inferences on both sides. */
function driftRule(name: AlarmName, what: string, pick: (w: EvaluatedWindow) => number | null): Rule {
  return {
    name,
    comparison: '>',
    unit: 'inferences',
    description: (t) => `Jensen-Shannon distance of a window's ${what} from the baseline's over ${t}`,
    measure: (w, b, min) => {
      const value = pick(w);
      if (w.inBaseline || value === null) return undefined;
      if (w.inferences < min.driftInferences || b.inferences < min.driftInferences) return undefined;
      return { value, samples: w.inferences };
    },
    unevaluated: (min) => `needs ${min.driftInferences} inferences in the baseline and in a later window`,
  };
}

const RULES: Rule[] = [
  {
    name: 'low-confidence-share',
    comparison: '>',
    unit: 'inferences',
    description: (t) => `share of inferences below the routing threshold over ${pct(t)} in a window`,
    measure: (w, _b, min) =>
      w.inferences >= min.windowInferences && w.shareBelowThreshold !== null
        ? { value: w.shareBelowThreshold, samples: w.inferences }
        : undefined,
    unevaluated: (min) => `no window has ${min.windowInferences} inferences`,
  },
  {
    name: 'mean-confidence-drop',
    comparison: '>',
    unit: 'inferences',
    description: (t) => `mean confidence of a window more than ${t} below the baseline's`,
    measure: (w, b, min) =>
      !w.inBaseline &&
      w.inferences >= min.windowInferences &&
      w.meanConfidence !== null &&
      b.meanConfidence !== null
        ? { value: b.meanConfidence - w.meanConfidence, samples: w.inferences }
        : undefined,
    unevaluated: (min) => `no window after the baseline has ${min.windowInferences} inferences`,
  },
  {
    name: 'accuracy',
    comparison: '<',
    unit: 'labels',
    description: (t) => `accuracy on ground-truth labels under ${pct(t)}`,
    measure: (w, _b, min) =>
      w.quality.labels >= min.labels && w.quality.accuracy !== null
        ? { value: w.quality.accuracy, samples: w.quality.labels }
        : undefined,
    unevaluated: (min) => `fewer than ${min.labels} ground-truth labels joined in the range`,
  },
  driftRule('confidence-drift', 'confidence histogram', (w) => w.drift.confidence),
  driftRule('class-mix-drift', 'predicted class mix', (w) => w.drift.classMix),
];

const fixed = (x: number) => (Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));

function breaches(rule: Rule, value: number, threshold: number): boolean {
  return rule.comparison === '>' ? value > threshold : value < threshold;
}

export function evaluateAlarms(
  windows: readonly EvaluatedWindow[],
  baseline: BaselineFigures,
  range: RangeQuality,
  settings: { thresholds?: Partial<AlarmThresholds>; minimums?: Partial<AlarmMinimums> } = {},
): AlarmResult[] {
  const thresholds = { ...DEFAULT_ALARM_THRESHOLDS, ...settings.thresholds };
  const min = { ...DEFAULT_ALARM_MINIMUMS, ...settings.minimums };
  const widthMs = windows.length
    ? (windows[0] as EvaluatedWindow).endMs - (windows[0] as EvaluatedWindow).startMs
    : 0;
  return RULES.map((rule) => {
    const threshold = thresholds[rule.name];
    const measured = windows.flatMap((w) => {
      const m = rule.measure(w, baseline, min);
      return m ? [{ window: w, ...m }] : [];
    });
    const base = {
      name: rule.name,
      threshold,
      comparison: rule.comparison,
      description: rule.description(threshold),
    };
    if (
      measured.length === 0 &&
      rule.name === 'accuracy' &&
      range.labels >= min.labels &&
      range.accuracy !== null
    ) {
      const state = breaches(rule, range.accuracy, threshold) ? 'ALARM' : 'OK';
      return {
        ...base,
        state,
        value: range.accuracy,
        evaluated: 1,
        breaching: state === 'ALARM' ? 1 : 0,
        evidence: `${fixed(range.accuracy)} over the whole range (${range.labels} labels; no single window has ${min.labels})`,
      };
    }
    if (measured.length === 0) {
      return {
        ...base,
        state: 'OK',
        value: null,
        evaluated: 0,
        breaching: 0,
        evidence: `not evaluated: ${rule.unevaluated(min)}`,
      };
    }
    const worst = measured.reduce((a, b) =>
      (rule.comparison === '>' ? b.value > a.value : b.value < a.value) ? b : a,
    );
    const breaching = measured.filter((m) => breaches(rule, m.value, threshold)).length;
    const where = `${formatTime(worst.window.startMs, widthMs)} window: ${fixed(worst.value)} on ${worst.samples} ${rule.unit}`;
    const evidence =
      breaching > 0
        ? `${breaching} of ${measured.length} ${windowsWord(measured.length)} ${rule.comparison === '>' ? 'over' : 'under'} ${threshold}; worst ${where}`
        : `${measured.length} ${windowsWord(measured.length)} evaluated, none ${rule.comparison === '>' ? 'over' : 'under'} ${threshold}; ${rule.comparison === '>' ? 'highest' : 'lowest'} ${where}`;
    return {
      ...base,
      state: breaching > 0 ? 'ALARM' : 'OK',
      value: worst.value,
      evaluated: measured.length,
      breaching,
      evidence,
      window: {
        start: new Date(worst.window.startMs).toISOString(),
        end: new Date(worst.window.endMs).toISOString(),
        samples: worst.samples,
      },
    };
  });
}

/** Parses `name=value` alarm threshold settings (`--alarm accuracy=0.9`). */
export function parseAlarmThresholds(settings: readonly string[]): Partial<AlarmThresholds> {
  const thresholds: Partial<AlarmThresholds> = {};
  for (const setting of settings) {
    const [name, raw, ...rest] = setting.split('=');
    if (!ALARM_NAMES.includes(name as AlarmName) || raw === undefined || rest.length) {
      throw new RangeError(
        `--alarm takes <rule>=<threshold> with rule one of ${ALARM_NAMES.join(', ')}; got "${setting}"`,
      );
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new RangeError(`--alarm ${name}: the threshold must be a number from 0 to 1; got "${raw}"`);
    }
    thresholds[name as AlarmName] = value;
  }
  return thresholds;
}

const windowsWord = (count: number) => (count === 1 ? 'window' : 'windows');
