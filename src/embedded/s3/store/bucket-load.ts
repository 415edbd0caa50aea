/**
 * Reading one bucket folder of the local S3 store at start: its region, its object index
 * (object-index.ts, with the per-object metadata files of older data folders folded in), each
 * object checked against its data file, and files dropped into the folder by hand indexed with a
 * computed ETag. The index is then rewritten to what was kept.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoreFileSystem } from './files.ts';
import { fileNameForKey, keyForFileName } from './keys.ts';
import {
  BUCKET_FILE,
  DEFAULT_CONTENT_TYPE,
  DEFAULT_REGION,
  INDEX_FILE,
  META_DIR,
  toSeconds,
} from './layout.ts';
import { type IndexedObject, ObjectIndexJournal, replayIndex } from './object-index.ts';
import type { FileIdentity, StoredBucket, StoredObject } from './types.ts';

export async function loadBucket(root: string, files: StoreFileSystem, name: string): Promise<StoredBucket> {
  const directory = join(root, name);
  const saved = await readFile(join(directory, BUCKET_FILE), 'utf8').then(
    (text) => JSON.parse(text) as { region: string; locationConstraint?: unknown; created: string },
    () => undefined,
  );
  const created = saved ? new Date(saved.created) : (await stat(directory)).birthtime;
  const region = saved?.region ?? DEFAULT_REGION;
  // Folders written before the constraint was kept have none: their constraint is their region.
  const constraint = saved?.locationConstraint;
  const index = new ObjectIndexJournal(files, join(directory, META_DIR, INDEX_FILE));
  const bucket: StoredBucket = {
    name,
    created,
    region,
    ...(typeof constraint === 'string' ? { locationConstraint: constraint } : {}),
    objects: new Map(),
    sortedKeys: undefined,
    index,
  };
  await mkdir(join(directory, META_DIR), { recursive: true });
  const legacyFiles = (await readdir(join(directory, META_DIR))).filter((file) => file.endsWith('.json'));
  const legacy = await Promise.all(
    legacyFiles.map(
      async (file) => JSON.parse(await readFile(join(directory, META_DIR, file), 'utf8')) as IndexedObject,
    ),
  );
  const lines = await index.read();
  await Promise.all(
    [...replayIndex(legacy, lines)].map(async ([key, versions]) => {
      const data = await stat(join(directory, fileNameForKey(key))).catch(() => undefined);
      if (!data) return; // deleted, or never renamed into place
      // The newest version whose file identity matches the file on disk: a crash between the
      // index line and the rename leaves a newer line for a file that never arrived. A data file
      // replaced behind the index's back (by hand) matches none and is indexed afresh below.
      const raw = versions.findLast(
        (version) =>
          version.size === data.size &&
          (!version.file || (version.file as FileIdentity).mtimeMs === data.mtimeMs),
      );
      if (!raw) return;
      const object = {
        ...raw,
        etag: raw.etag ?? raw.md5,
        lastModified: new Date(raw.lastModified as string),
        file: { ino: data.ino, mtimeMs: data.mtimeMs },
      } as StoredObject;
      delete (object as { md5?: string }).md5;
      bucket.objects.set(object.key, object);
    }),
  );
  const indexed = new Set([...bucket.objects.keys()].map(fileNameForKey));
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.') || entry.name.endsWith('.tmp')) continue;
    const key = keyForFileName(entry.name);
    if (key === undefined || indexed.has(entry.name)) continue;
    const path = join(directory, entry.name);
    const data = await stat(path);
    const md5 = createHash('md5');
    for await (const chunk of createReadStream(path)) md5.update(chunk as Buffer);
    bucket.objects.set(key, {
      key,
      size: data.size,
      etag: md5.digest('hex'),
      lastModified: toSeconds(data.mtime),
      contentType: DEFAULT_CONTENT_TYPE,
      headers: {},
      metadata: {},
      file: { ino: data.ino, mtimeMs: data.mtimeMs },
    });
  }
  // One clean file: what was kept, older per-object files folded in (then removed).
  if (legacyFiles.length > 0 || lines.length !== bucket.objects.size) {
    await index.rewrite([...bucket.objects.values()] as unknown as IndexedObject[]);
    await Promise.all(legacyFiles.map((file) => files.rm(join(directory, META_DIR, file), { force: true })));
  }
  return bucket;
}
