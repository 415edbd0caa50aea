/** What a deploy did (or, in plan mode, would do) to each resource, and how it is printed. */

export type ResourceKind =
  | 'bucket'
  | 'role'
  | 'function'
  | 'state-machine'
  | 'bucket-events'
  | 'topic'
  | 'subscription'
  | 'event-rule'
  | 'alarm';
export type Change = 'create' | 'update' | 'none';

export interface ResourceChange {
  kind: ResourceKind;
  name: string;
  arn: string;
  change: Change;
  /** What differs, e.g. `code`, `environment`, `tags`; empty when nothing does. */
  reasons: string[];
}

export type ProgressLog = (line: string) => void;

const PAST: Record<Change, string> = { create: 'created', update: 'updated', none: 'unchanged' };
const FUTURE: Record<Change, string> = { create: 'would create', update: 'would update', none: 'unchanged' };

export function describeChange(change: ResourceChange, planned: boolean): string {
  const verb = (planned ? FUTURE : PAST)[change.change];
  const why = change.reasons.length > 0 ? ` (${change.reasons.join(', ')})` : '';
  return `${verb.padEnd(12)} ${change.kind.padEnd(13)} ${change.name}${why}`;
}

export function summarize(changes: ResourceChange[], planned: boolean): string {
  const count = (change: Change) => changes.filter((c) => c.change === change).length;
  if (count('create') + count('update') === 0) {
    return `${changes.length} resources, nothing to change`;
  }
  const verbs = planned ? FUTURE : PAST;
  return `${changes.length} resources: ${count('create')} ${verbs.create}, ${count('update')} ${verbs.update}, ${count('none')} unchanged`;
}

/** Tags missing from, or different on, a resource. */
export function missingTags(wanted: Record<string, string>, actual: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(wanted).filter(([key, value]) => actual[key] !== value));
}
