/**
 * Deterministic zip archives: entries sorted by path, one fixed timestamp, fixed Unix modes. The same
 * inputs give the same bytes, so a rebuild has the same CodeSha256 and a redeploy changes nothing.
 */
import { createHash } from 'node:crypto';
import { type Zippable, zipSync } from 'fflate';

/** Earliest time a zip (DOS) timestamp can hold; any fixed value would do. */
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');
const UNIX = 3;
const FILE_MODE = 0o100644;

export function deterministicZip(files: Map<string, Uint8Array>): Uint8Array {
  const entries: Zippable = {};
  for (const path of [...files.keys()].sort()) {
    entries[path] = [files.get(path) as Uint8Array, { mtime: FIXED_MTIME, os: UNIX, attrs: FILE_MODE << 16 }];
  }
  return zipSync(entries, { level: 9 });
}

/** Base64 SHA-256, the form Lambda reports as CodeSha256. */
export function codeSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}
