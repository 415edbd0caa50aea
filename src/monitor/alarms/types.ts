/**
 * The alarm rules' names and the shapes they are judged on and report. The names are a value as
 * well (the CLI checks `--alarm NAME=VALUE` against them): the union type is derived from it.
 */

export const ALARM_NAMES = [
  'low-confidence-share',
  'mean-confidence-drop',
  'accuracy',
  'confidence-drift',
  'class-mix-drift',
] as const;

export type AlarmName = (typeof ALARM_NAMES)[number];

export type AlarmThresholds = Record<AlarmName, number>;

export interface AlarmMinimums {
  /** Inferences a window needs for the confidence rules. */
  windowInferences: number;
  /** Labels a window (or the range) needs for the accuracy rule. */
  labels: number;
  /** Inferences a window and the baseline need for the drift rules. */
  driftInferences: number;
}

/** What the rules read of a window (a WindowSummary, see ../types.ts). */
export interface EvaluatedWindow {
  startMs: number;
  endMs: number;
  inferences: number;
  inBaseline: boolean;
  meanConfidence: number | null;
  shareBelowThreshold: number | null;
  drift: { confidence: number | null; classMix: number | null };
  quality: { labels: number; accuracy: number | null };
}

export interface BaselineFigures {
  inferences: number;
  meanConfidence: number | null;
}

export interface RangeQuality {
  labels: number;
  accuracy: number | null;
}

export interface AlarmResult {
  name: AlarmName;
  state: 'OK' | 'ALARM';
  /** The worst evaluated figure; null when nothing could be evaluated. */
  value: number | null;
  threshold: number;
  /** ALARM when the value is above (`>`) or below (`<`) the threshold. */
  comparison: '>' | '<';
  description: string;
  evidence: string;
  evaluated: number;
  breaching: number;
  /** The window the value comes from (absent for the whole range or when nothing was evaluated). */
  window?: { start: string; end: string; samples: number };
}
