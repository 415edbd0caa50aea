/** Key layout of a staged dataset (shared by staging and by readers of staged data). */

/** Where staging puts the dataset unless told otherwise. */
export const DEFAULT_PREFIX = 'datasets/cifar-100';

export const STAGED_SPLITS = ['train', 'validation', 'test'] as const;
export type StagedSplit = (typeof STAGED_SPLITS)[number];

/** `a/b/` for `a/b`, `/a/b/` or `a/b/`; '' for the bucket root. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed ? `${trimmed}/` : '';
}

/** Channel prefix of the images of a split, e.g. `datasets/cifar-100/train/`. */
export function channelPrefix(base: string, split: StagedSplit): string {
  return `${base}${split}/`;
}

/** Channel prefix of a split's manifest, e.g. `datasets/cifar-100/train_lst/`. */
export function manifestPrefix(base: string, split: StagedSplit): string {
  return `${base}${split}_lst/`;
}

/** Manifest key, e.g. `datasets/cifar-100/train_lst/train.lst`. */
export function manifestKey(base: string, split: StagedSplit): string {
  return `${manifestPrefix(base, split)}${split}.lst`;
}
