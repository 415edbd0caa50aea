/**
 * Folder-backed object store behind the local S3 server. Every write lands on disk before it is
 * acknowledged (so a restart, or another tool reading the folder, sees staged data); the index of
 * every object and the bodies of small ones stay in memory so reads cost no file system call.
 *
 * Layout: `<root>/<bucket>/<encoded key>` holds the raw bytes (open a staged PNG directly) and
 * `<root>/<bucket>/.meta/<encoded key>.json` its metadata. One server process per folder: the
 * memory index does not watch for other writers. Files dropped into a bucket folder by hand are
 * picked up at start with a computed ETag.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredObject {
  key: string;
  size: number;
  /** MD5 hex of the body, without quotes. */
  md5: string;
  lastModified: Date;
  contentType: string;
  /** Standard headers S3 stores and returns as given (cache-control, content-encoding, ...). */
  headers: Record<string, string>;
  /** User metadata, keys without the `x-amz-meta-` prefix, lower case. */
  metadata: Record<string, string>;
}

export interface StoredBucket {
  name: string;
  created: Date;
  objects: Map<string, StoredObject>;
  /** Keys in S3's (UTF-8 binary) order, rebuilt lazily after a key is added or removed. */
  sortedKeys: string[] | undefined;
}

const META_DIR = '.meta';
/** What S3 records for an object stored without a Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
/** Bodies above this size are read from disk on each GET instead of being cached. */
const MAX_CACHED_OBJECT_BYTES = 1 << 20;
const MAX_CACHED_TOTAL_BYTES = 256 << 20;
/** Keep file names under common 255-byte limits; longer keys are stored under a hash. */
const MAX_FILE_NAME_LENGTH = 200;

export const BUCKET_NAME_PATTERN = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Injective, path-safe file name for a key: no separators, no `.`/`..`, no leading dot. */
export function fileNameForKey(key: string): string {
  const encoded = encodeURIComponent(key).replace(/^\./, '%2E');
  if (encoded.length <= MAX_FILE_NAME_LENGTH) return encoded;
  // `%H` never comes out of encodeURIComponent (H is not a hex digit), so no collision.
  return `%H${createHash('sha256').update(key).digest('hex')}`;
}

function keyForFileName(name: string): string | undefined {
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

export function md5Hex(body: Buffer): string {
  return createHash('md5').update(body).digest('hex');
}

async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

export class ObjectStore {
  readonly root: string;
  readonly buckets = new Map<string, StoredBucket>();
  readonly #bodies = new Map<string, Buffer>();
  readonly #pendingWrites = new Map<string, Promise<unknown>>();
  #cachedBytes = 0;

  constructor(root: string) {
    this.root = root;
  }

  /** Loads every bucket folder and object index under the root. */
  async load(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (entry.isDirectory() && BUCKET_NAME_PATTERN.test(entry.name)) await this.#loadBucket(entry.name);
    }
  }

  async #loadBucket(name: string): Promise<void> {
    const directory = join(this.root, name);
    const created = (await stat(directory)).birthtime;
    const bucket: StoredBucket = { name, created, objects: new Map(), sortedKeys: undefined };
    this.buckets.set(name, bucket);
    await mkdir(join(directory, META_DIR), { recursive: true });
    const metaFiles = await readdir(join(directory, META_DIR));
    await Promise.all(
      metaFiles
        .filter((file) => file.endsWith('.json'))
        .map(async (file) => {
          const raw = JSON.parse(await readFile(join(directory, META_DIR, file), 'utf8'));
          bucket.objects.set(raw.key, { ...raw, lastModified: new Date(raw.lastModified) });
        }),
    );
    // Files copied into the bucket folder by hand become objects too.
    const indexed = new Set([...bucket.objects.keys()].map(fileNameForKey));
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith('.') || entry.name.endsWith('.tmp')) continue;
      const key = keyForFileName(entry.name);
      if (key === undefined || indexed.has(entry.name)) continue;
      const body = await readFile(join(directory, entry.name));
      const { mtime } = await stat(join(directory, entry.name));
      await this.putObject(name, key, body, { contentType: DEFAULT_CONTENT_TYPE, lastModified: mtime });
    }
  }

  async createBucket(name: string): Promise<StoredBucket> {
    await mkdir(join(this.root, name, META_DIR), { recursive: true });
    const bucket: StoredBucket = { name, created: new Date(), objects: new Map(), sortedKeys: [] };
    this.buckets.set(name, bucket);
    return bucket;
  }

  async deleteBucket(name: string): Promise<void> {
    this.buckets.delete(name);
    await rm(join(this.root, name), { recursive: true, force: true });
  }

  async putObject(
    bucketName: string,
    key: string,
    body: Buffer,
    attributes: {
      contentType?: string;
      headers?: Record<string, string>;
      metadata?: Record<string, string>;
      lastModified?: Date;
    } = {},
  ): Promise<StoredObject> {
    const bucket = this.#bucket(bucketName);
    const object: StoredObject = {
      key,
      size: body.length,
      md5: md5Hex(body),
      // S3 keeps second precision: Last-Modified and If-Modified-Since compare at that grain.
      lastModified: new Date(Math.floor((attributes.lastModified ?? new Date()).getTime() / 1000) * 1000),
      contentType: attributes.contentType ?? DEFAULT_CONTENT_TYPE,
      headers: attributes.headers ?? {},
      metadata: attributes.metadata ?? {},
    };
    const fileName = fileNameForKey(key);
    const directory = join(this.root, bucketName);
    await this.#serialized(bucketName, key, async () => {
      await writeAtomically(join(directory, fileName), body);
      await writeAtomically(join(directory, META_DIR, `${fileName}.json`), JSON.stringify(object));
      if (!bucket.objects.has(key)) bucket.sortedKeys = undefined;
      bucket.objects.set(key, object);
      this.#cacheBody(bucketName, key, body);
    });
    return object;
  }

  /**
   * The object's metadata and body as one consistent pair, or undefined when there is none. A
   * body read from disk is only used (and cached) if no write replaced the object meanwhile.
   */
  async readObject(
    bucketName: string,
    key: string,
  ): Promise<{ object: StoredObject; body: Buffer } | undefined> {
    const bucket = this.#bucket(bucketName);
    for (let attempt = 0; attempt < 5; attempt++) {
      const object = bucket.objects.get(key);
      if (!object) return undefined;
      const cached = this.#bodies.get(`${bucketName}/${key}`);
      if (cached) return { object, body: cached };
      let body: Buffer;
      try {
        body = await readFile(join(this.root, bucketName, fileNameForKey(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted or replaced meanwhile
        throw error;
      }
      if (bucket.objects.get(key) !== object) continue;
      this.#cacheBody(bucketName, key, body);
      return { object, body };
    }
    throw new Error(`object ${bucketName}/${key} kept changing while it was read`);
  }

  async deleteObject(bucketName: string, key: string): Promise<void> {
    const bucket = this.#bucket(bucketName);
    await this.#serialized(bucketName, key, async () => {
      if (!bucket.objects.delete(key)) return;
      bucket.sortedKeys = undefined;
      this.#uncacheBody(`${bucketName}/${key}`);
      const fileName = fileNameForKey(key);
      await Promise.all([
        rm(join(this.root, bucketName, fileName), { force: true }),
        rm(join(this.root, bucketName, META_DIR, `${fileName}.json`), { force: true }),
      ]);
    });
  }

  /** Runs writes to one key one after another, so the files and the index agree on the last one. */
  async #serialized(bucketName: string, key: string, write: () => Promise<void>): Promise<void> {
    const id = `${bucketName}/${key}`;
    const done = (this.#pendingWrites.get(id) ?? Promise.resolve()).then(write);
    const tail = done.catch(() => undefined);
    this.#pendingWrites.set(id, tail);
    try {
      await done;
    } finally {
      if (this.#pendingWrites.get(id) === tail) this.#pendingWrites.delete(id);
    }
  }

  sortedKeys(bucket: StoredBucket): string[] {
    if (!bucket.sortedKeys) {
      bucket.sortedKeys = [...bucket.objects.keys()].sort(compareKeys);
    }
    return bucket.sortedKeys;
  }

  #bucket(name: string): StoredBucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new Error(`bucket ${name} does not exist`);
    return bucket;
  }

  #cacheBody(bucketName: string, key: string, body: Buffer): void {
    const cacheKey = `${bucketName}/${key}`;
    this.#uncacheBody(cacheKey);
    if (body.length > MAX_CACHED_OBJECT_BYTES) return;
    // Evict oldest first (Map keeps insertion order) until the new body fits.
    for (const [oldest] of this.#bodies) {
      if (this.#cachedBytes + body.length <= MAX_CACHED_TOTAL_BYTES) break;
      this.#uncacheBody(oldest);
    }
    this.#bodies.set(cacheKey, body);
    this.#cachedBytes += body.length;
  }

  #uncacheBody(cacheKey: string): void {
    const previous = this.#bodies.get(cacheKey);
    if (!previous) return;
    this.#bodies.delete(cacheKey);
    this.#cachedBytes -= previous.length;
  }
}
