/**
 * The kinds of `scones load --drift` and their parser (drift.ts does the degrading). A module of
 * its own, free of sharp, so that the CLI's option help can list the kinds without loading it.
 */
export const DRIFT_KINDS = ['brightness', 'noise', 'blur', 'occlusion'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export class DriftError extends Error {
  override name = 'DriftError';
}

export function parseDriftKind(value: string): DriftKind {
  if ((DRIFT_KINDS as readonly string[]).includes(value)) return value as DriftKind;
  throw new DriftError(`--drift must be one of ${DRIFT_KINDS.join(', ')}; got "${value}"`);
}
