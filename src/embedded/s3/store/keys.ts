/**
 * Keys as S3 orders them and as the store names their files: an injective, path-safe file name
 * per key (no separator, no `.`/`..`, no leading dot, so no key reaches outside its bucket
 * folder), and S3's listing order (UTF-8 bytes).
 */
import { createHash } from 'node:crypto';

/** Keep file names under common 255-byte limits; longer keys are stored under a hash. */
const MAX_FILE_NAME_LENGTH = 200;

/** Injective, path-safe file name for a key: no separators, no `.`/`..`, no leading dot. */
export function fileNameForKey(key: string): string {
  const encoded = encodeURIComponent(key).replace(/^\./, '%2E');
  if (encoded.length <= MAX_FILE_NAME_LENGTH) return encoded;
  // `%H` never comes out of encodeURIComponent (H is not a hex digit), so no collision.
  return `%H${createHash('sha256').update(key).digest('hex')}`;
}

export function keyForFileName(name: string): string | undefined {
  try {
    return name.startsWith('%H') ? undefined : decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

/** Sorts UTF-16 code units in code point order (surrogates above U+E000-U+FFFF). */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** S3 lists keys in UTF-8 byte order, which is code point order (JS `<` differs above U+FFFF). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = a.charCodeAt(i) - b.charCodeAt(i);
    if (difference !== 0) return codePointRank(a.charCodeAt(i)) - codePointRank(b.charCodeAt(i));
  }
  return a.length - b.length;
}
