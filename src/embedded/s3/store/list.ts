/** The paging and grouping rules of ListObjects(V2), over keys already in S3 order. */
import { compareKeys } from './keys.ts';
import type { ListPage, ListQuery } from './types.ts';

/** Index of the first key above `bound` (or at it, unless `exclusive`), by binary search. */
function firstIndex(sorted: string[], bound: string, exclusive: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareKeys(sorted[middle] as string, bound);
    if (order < 0 || (exclusive && order === 0)) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function listKeys(sorted: string[], query: ListQuery): ListPage {
  const { prefix, delimiter, maxKeys, after } = query;
  // Keys with a given prefix are contiguous in S3 order, starting at the prefix itself.
  const start =
    compareKeys(after, prefix) >= 0 ? firstIndex(sorted, after, true) : firstIndex(sorted, prefix, false);
  const page: ListPage = { keys: [], commonPrefixes: [], isTruncated: false, last: undefined };
  // S3 answers max-keys=0 with an empty, untruncated page, whatever the bucket holds.
  if (maxKeys === 0) return page;
  for (let i = start; i < sorted.length; i++) {
    const key = sorted[i] as string;
    if (!key.startsWith(prefix)) break;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const commonPrefix = cut >= 0 ? key.slice(0, cut + delimiter.length) : undefined;
    // Keys under a common prefix already reported (on this page or the previous one) are folded in it.
    if (commonPrefix !== undefined && (commonPrefix === page.last || commonPrefix === after)) continue;
    if (page.keys.length + page.commonPrefixes.length >= maxKeys) {
      page.isTruncated = true;
      break;
    }
    if (commonPrefix !== undefined) page.commonPrefixes.push(commonPrefix);
    else page.keys.push(key);
    page.last = commonPrefix ?? key;
  }
  return page;
}
