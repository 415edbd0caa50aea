/**
 * Deterministic, stratified hold-out of a validation split from the training records. Each record
 * is ranked by SHA-256 of `<seed>:<sourceIndex>`; per class the lowest round(fraction x n) ranks go
 * to validation. The choice depends only on the seed and the record's own index, so staging and an
 * in-memory trainer pick exactly the same images, whatever order the records arrive in.
 */
import { createHash } from 'node:crypto';
import { CifarError } from './cifar-errors.ts';

export const DEFAULT_VALIDATION_FRACTION = 0.1;
export const DEFAULT_SEED = 'scones';

export interface HoldOutItem {
  classIndex: number;
  sourceIndex: number;
}

export function holdOutValidation<T extends HoldOutItem>(
  records: readonly T[],
  fraction: number = DEFAULT_VALIDATION_FRACTION,
  seed: string | number = DEFAULT_SEED,
): { train: T[]; validation: T[] } {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new CifarError(`validation fraction must be at least 0 and below 1; got ${fraction}`);
  }
  const rank = (item: T) => createHash('sha256').update(`${seed}:${item.sourceIndex}`).digest('hex');
  const byClass = new Map<number, { item: T; rank: string }[]>();
  for (const item of records) {
    const group = byClass.get(item.classIndex) ?? [];
    group.push({ item, rank: rank(item) });
    byClass.set(item.classIndex, group);
  }
  const heldOut = new Set<T>();
  for (const group of byClass.values()) {
    group.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    for (const { item } of group.slice(0, Math.round(group.length * fraction))) heldOut.add(item);
  }
  return {
    train: records.filter((item) => !heldOut.has(item)),
    validation: records.filter((item) => heldOut.has(item)),
  };
}
