/**
 * Which version answered each inference. Blue and green both answer under the variant name
 * AllTraffic, so a capture record does not say: an inference is attributed by its time to the
 * version serving then, and one inside a rollout window to that window (both candidates named),
 * never to a guess. Counts only (bounded memory, whatever the capture's size).
 */
import type { AttributedInference, RolloutTimeline, TimelinePeriod, VersionFigures } from './types.ts';

/** The key of a rollout window in a tally: `rollout:<execution>`. */
export const rolloutKey = (execution: string) => `rollout:${execution}`;

/** The key a period's inferences are counted under: the version's id, or the rollout's key. */
export const periodKey = (period: TimelinePeriod) =>
  period.kind === 'serving' ? period.versionId : rolloutKey(period.execution);

const emptyFigures = (): VersionFigures => ({ inferences: 0, confidenceSum: 0, reviewed: 0, correct: 0 });

/** The period holding `timeMs` (periods are contiguous and in order: a binary search on starts). */
export function periodAt(timeline: RolloutTimeline, timeMs: number): TimelinePeriod | undefined {
  const { periods } = timeline;
  let lo = 0;
  let hi = periods.length - 1;
  let found: TimelinePeriod | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const period = periods[mid] as TimelinePeriod;
    if (period.fromMs === null || period.fromMs <= timeMs) {
      found = period;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found && found.toMs !== null && timeMs >= found.toMs) return undefined;
  return found;
}

/** Per-version figures, filled one inference at a time as the capture streams by. */
export class VersionTally {
  readonly timeline: RolloutTimeline;
  readonly byKey = new Map<string, VersionFigures>();
  /** Inferences that fell in no period (after a running rollout's open end cannot happen; kept for safety). */
  unattributed = 0;

  constructor(timeline: RolloutTimeline) {
    this.timeline = timeline;
  }

  add(inference: AttributedInference): void {
    const period = periodAt(this.timeline, inference.timeMs);
    if (!period) {
      this.unattributed++;
      return;
    }
    const key = periodKey(period);
    let figures = this.byKey.get(key);
    if (!figures) {
      figures = emptyFigures();
      this.byKey.set(key, figures);
    }
    figures.inferences++;
    figures.confidenceSum += inference.confidence;
    if (inference.correct !== undefined) {
      figures.reviewed++;
      if (inference.correct) figures.correct++;
    }
  }

  figuresOf(key: string): VersionFigures {
    return this.byKey.get(key) ?? emptyFigures();
  }
}

/** Timeline + inferences → figures per version id and per rollout window (`rollout:<execution>`). */
export function attributeInferences(
  timeline: RolloutTimeline,
  inferences: Iterable<AttributedInference>,
): Map<string, VersionFigures> {
  const tally = new VersionTally(timeline);
  for (const inference of inferences) tally.add(inference);
  return tally.byKey;
}

export const meanConfidence = (figures: VersionFigures) =>
  figures.inferences ? figures.confidenceSum / figures.inferences : null;

export const accuracy = (figures: VersionFigures) =>
  figures.reviewed ? figures.correct / figures.reviewed : null;
