/**
 * The "Model versions" section as plain data: a row per version (what it answered, its accuracy on
 * the reviewed inferences, its mean confidence, its registry status, when it served) and a row per
 * rollout window, from the timeline and the figures attribution counted.
 */
import { accuracy, meanConfidence, rolloutKey } from './attribution.ts';
import { ORIGINAL } from './timeline.ts';
import type {
  ModelVersionsReport,
  RolloutTimeline,
  RolloutWindow,
  ServingPeriod,
  VersionFigures,
  VersionRow,
} from './types.ts';

const EMPTY: VersionFigures = { inferences: 0, confidenceSum: 0, reviewed: 0, correct: 0 };

const figuresOf = (figures: VersionFigures) => ({
  inferences: figures.inferences,
  reviewed: figures.reviewed,
  accuracy: accuracy(figures),
  meanConfidence: meanConfidence(figures),
});

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The section when no history was read: one line saying why. */
export function versionsNotShown(
  state: 'unavailable' | 'not-read',
  message: string,
  source: string | null = null,
): ModelVersionsReport {
  return {
    state,
    message,
    source,
    retrainings: 0,
    versions: [],
    rollouts: [],
    events: [],
    duringRollout: 0,
    notes: [],
  };
}

export function summarizeVersions(
  timeline: RolloutTimeline,
  figures: ReadonlyMap<string, VersionFigures>,
  retrainings: number,
  source: string,
  notes: readonly string[] = [],
): ModelVersionsReport {
  const serving = timeline.periods.filter((p): p is ServingPeriod => p.kind === 'serving');
  const windows = timeline.periods.filter((p): p is RolloutWindow => p.kind === 'rollout');
  const rollouts = windows.map((w) => ({
    execution: w.execution,
    fromVersion: w.fromVersionId,
    toVersion: w.toVersionId,
    fromMs: w.fromMs,
    toMs: w.toMs,
    outcome: w.outcome,
    startSource: w.startSource,
    ...figuresOf(figures.get(rolloutKey(w.execution)) ?? EMPTY),
  }));
  const duringRollout = rollouts.reduce((sum, r) => sum + r.inferences, 0);
  const base = {
    source,
    retrainings,
    rollouts,
    events: timeline.events,
    duringRollout,
    notes: [...notes, ...timeline.notes],
  };
  if (retrainings === 0) {
    const answered = (figures.get(ORIGINAL.id) ?? EMPTY).inferences;
    return {
      ...base,
      state: 'no-retraining',
      message: `No retraining has run: ${ORIGINAL.label} (the kit's model) answered all ${plural(answered, 'inference')}.`,
      versions: [],
    };
  }
  const versions: VersionRow[] = timeline.versions.map((version) => ({
    id: version.id,
    label: version.label,
    status: version.status,
    modelPackageArn: version.modelPackageArn ?? null,
    execution: version.execution ?? null,
    ...figuresOf(figures.get(version.id) ?? EMPTY),
    serving: serving
      .filter((p) => p.versionId === version.id)
      .map((p) => ({ fromMs: p.fromMs, toMs: p.toMs })),
  }));
  const promoted = timeline.events.filter((e) => e.outcome === 'promoted').length;
  const rolledBack = timeline.events.filter((e) => e.outcome === 'rolled-back').length;
  return {
    ...base,
    state: 'shown',
    message: `${plural(retrainings, 'retraining')} (${promoted} promoted, ${rolledBack} rolled back), ${plural(versions.length, 'version')}; inferences inside a rollout window: ${duringRollout.toLocaleString('en-US')} (counted for the window, not for either version).`,
    versions,
  };
}
