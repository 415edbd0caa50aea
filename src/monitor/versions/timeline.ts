/**
 * The rollout timeline from the retraining history: which version served when. The kit's original
 * model (`v0`) serves until the first rollout; each rollout (UpdateEndpoint / CreateEndpoint
 * called → the execution ended) is a window of its own, after which the candidate serves when it
 * was promoted and the previous version stays otherwise (rolled back, or failed).
 */
import type {
  ModelVersion,
  RegistryEntry,
  RetrainingExecution,
  RetrainingHistory,
  RolloutTimeline,
  TimelineEvent,
  TimelinePeriod,
} from './types.ts';

export const ORIGINAL: ModelVersion = {
  id: 'v0',
  label: 'v0 / original',
  status: 'not in the registry',
};

/** A package ARN's version: `arn:aws:sagemaker:<region>:<account>:model-package/<group>/<n>`. */
export function versionOfArn(arn: string): number | undefined {
  const match = /\/(\d+)$/.exec(arn);
  return match ? Number(match[1]) : undefined;
}

class VersionBook {
  readonly versions: ModelVersion[] = [{ ...ORIGINAL }];
  readonly #byArn = new Map<string, ModelVersion>();
  readonly #byModelData = new Map<string, ModelVersion>();

  constructor(registry: readonly RegistryEntry[]) {
    for (const entry of [...registry].sort((a, b) => a.version - b.version)) {
      this.#add({
        id: `v${entry.version}`,
        label: `v${entry.version}`,
        status: entry.status,
        modelPackageArn: entry.arn,
        modelPackageVersion: entry.version,
      });
    }
  }

  #add(version: ModelVersion): ModelVersion {
    this.versions.push(version);
    if (version.modelPackageArn) this.#byArn.set(version.modelPackageArn, version);
    return version;
  }

  /** The candidate of an execution: by its package in the registry, else by the ARN's number. */
  candidate(execution: RetrainingExecution): ModelVersion | undefined {
    const arn = execution.candidateArn;
    if (!arn) return undefined;
    let version = this.#byArn.get(arn);
    if (!version) {
      const n = versionOfArn(arn);
      const id = n === undefined ? execution.name : `v${n}`;
      version =
        this.versions.find((v) => v.id === id) ??
        this.#add({
          id,
          label: id,
          status: execution.outcome === 'rejected' ? 'Rejected' : 'not listed in the registry',
          modelPackageArn: arn,
          ...(n === undefined ? {} : { modelPackageVersion: n }),
        });
    }
    version.execution ??= execution.name;
    if (execution.candidateModelData) {
      version.modelData ??= execution.candidateModelData;
      this.#byModelData.set(execution.candidateModelData, version);
    }
    return version;
  }

  byModelData(modelData: string | undefined): ModelVersion | undefined {
    return modelData === undefined ? undefined : this.#byModelData.get(modelData);
  }
}

export function buildTimeline(history: RetrainingHistory): RolloutTimeline {
  const book = new VersionBook(history.registry);
  const notes: string[] = [];
  const executions = [...history.executions].sort((a, b) => a.startMs - b.startMs);
  // Candidates first, so a later execution's serving model data finds its version.
  const candidates = new Map(executions.map((e) => [e.name, book.candidate(e)]));
  const periods: TimelinePeriod[] = [];
  const events: TimelineEvent[] = [];
  let serving = book.versions[0] as ModelVersion;
  let cursor: number | null = null;
  const rollouts = executions
    .filter((e) => e.rolloutStartMs !== undefined)
    .sort((a, b) => (a.rolloutStartMs as number) - (b.rolloutStartMs as number));
  for (const execution of rollouts) {
    const candidate = candidates.get(execution.name);
    if (!candidate) {
      notes.push(`${execution.name} updated the endpoint but names no candidate: left out of the timeline`);
      continue;
    }
    let start = execution.rolloutStartMs as number;
    if (cursor === null || start > cursor) {
      periods.push({ kind: 'serving', versionId: serving.id, fromMs: cursor, toMs: start });
    } else {
      notes.push(`${execution.name}'s rollout began before the previous one ended: two rollouts at once`);
      start = cursor;
    }
    // What the execution saw serving wins over the chain (a rollout made by hand in between).
    const before = book.byModelData(execution.servingModelData) ?? serving;
    const end = execution.stopMs ?? null;
    const outcome = execution.status === 'RUNNING' ? 'running' : execution.outcome;
    periods.push({
      kind: 'rollout',
      fromVersionId: before.id,
      toVersionId: candidate.id,
      fromMs: start,
      toMs: end,
      outcome,
      execution: execution.name,
      startSource: execution.rolloutStartSource ?? 'history',
    });
    serving = outcome === 'promoted' ? candidate : before;
    cursor = end;
    if (end === null) break;
  }
  if (cursor !== null || periods.length === 0) {
    periods.push({ kind: 'serving', versionId: serving.id, fromMs: cursor, toMs: null });
  }
  for (const execution of executions) {
    if (execution.stopMs === undefined) continue;
    const candidate = candidates.get(execution.name);
    events.push({
      timeMs: execution.stopMs,
      outcome: execution.outcome,
      versionId: candidate?.id ?? '–',
      execution: execution.name,
    });
    if (execution.outcome === 'unknown') {
      notes.push(`${execution.name} (${execution.status}) has no outcome in its output`);
    }
  }
  return { versions: book.versions, periods, events, notes };
}
