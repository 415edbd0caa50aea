/**
 * Folder-backed object store behind the local S3 server. Every write lands on disk before it is
 * acknowledged (so a restart, or another tool reading the folder, sees staged data); the index of
 * every object and the bodies of small ones stay in memory so small reads cost no file system call.
 *
 * Layout: `<root>/<bucket>/<encoded key>` holds the raw bytes (open a staged PNG directly),
 * `<root>/<bucket>/.meta/index.jsonl` the objects' metadata (object-index.ts; data folders of
 * older versions have one `.meta/<encoded key>.json` per object, read once and folded into it),
 * `<root>/<bucket>/.bucket.json` the bucket's region (and LocationConstraint when it differs); `<root>/.tmp/` bodies being received, `<root>/.uploads/` multipart uploads.
 * One server process per folder: the memory index does not watch for other writers. Files dropped
 * into a bucket folder by hand are picked up at start with a computed ETag.
 *
 * Atomicity: a body is complete in a temporary file before it replaces the object's file by a
 * rename, and the index records the identity (inode) of the file each object version lives in. A
 * reader opens the file and checks that identity, so it reads one whole version with its own
 * metadata even while writers replace it; writers of one key are serialized, the last one wins whole.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBucket } from './bucket-load.ts';
import {
  BUCKET_FILE,
  DEFAULT_CONTENT_TYPE,
  DEFAULT_REGION,
  INDEX_FILE,
  META_DIR,
  toSeconds,
} from './layout.ts';
import type { BodyLimits, FileIdentity, ReceivedBody } from './types.ts';

export { DEFAULT_CONTENT_TYPE, DEFAULT_REGION } from './layout.ts';

import {
  NODE_FILE_SYSTEM,
  type StoreFileSystem,
  TEMP_DIR,
  temporaryPath,
  WriteQueue,
  writeAtomically,
  writeNewFile,
} from './files.ts';
import { compareKeys, fileNameForKey } from './keys.ts';
import { type IndexedObject, ObjectIndexJournal } from './object-index.ts';
import type { ObjectAttributes, ObjectRead, StoredBucket, StoredObject } from './types.ts';

/** Bodies up to this size are kept in memory (received, cached); larger ones stream from disk. */
export const MAX_CACHED_OBJECT_BYTES = 1 << 20;
const MAX_CACHED_TOTAL_BYTES = 256 << 20;
export const BUCKET_NAME_PATTERN = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function md5Hex(body: Uint8Array): string {
  return createHash('md5').update(body).digest('hex');
}

export class ObjectStore {
  readonly root: string;
  readonly files: StoreFileSystem;
  readonly buckets = new Map<string, StoredBucket>();
  readonly #bodies = new Map<string, { object: StoredObject; body: Buffer }>();
  readonly #writes = new WriteQueue();
  #cachedBytes = 0;

  constructor(root: string, files: StoreFileSystem = NODE_FILE_SYSTEM) {
    this.root = root;
    this.files = files;
  }

  bodyLimits(maxBytes: number): BodyLimits {
    return { root: this.root, files: this.files, maxBytes, memoryBytes: MAX_CACHED_OBJECT_BYTES };
  }

  /** Loads every bucket folder and object index under the root; drops bodies left half-received. */
  async load(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await rm(join(this.root, TEMP_DIR), { recursive: true, force: true });
    await mkdir(join(this.root, TEMP_DIR));
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || !BUCKET_NAME_PATTERN.test(entry.name)) continue;
      this.buckets.set(entry.name, await loadBucket(this.root, this.files, entry.name));
    }
  }

  /** `locationConstraint`: the one it was created with, when that is not the region's name (`EU`). */
  async createBucket(
    name: string,
    region = DEFAULT_REGION,
    locationConstraint?: string,
  ): Promise<StoredBucket> {
    await this.files.mkdir(join(this.root, name, META_DIR), { recursive: true });
    const constraint = locationConstraint !== undefined && locationConstraint !== region;
    const bucket: StoredBucket = {
      name,
      created: new Date(),
      region,
      ...(constraint ? { locationConstraint } : {}),
      objects: new Map(),
      sortedKeys: [],
      index: new ObjectIndexJournal(this.files, join(this.root, name, META_DIR, INDEX_FILE)),
    };
    await writeAtomically(
      this.files,
      join(this.root, name, BUCKET_FILE),
      JSON.stringify({
        region,
        ...(constraint ? { locationConstraint } : {}),
        created: bucket.created.toISOString(),
      }),
    );
    this.buckets.set(name, bucket);
    return bucket;
  }

  async deleteBucket(name: string): Promise<void> {
    this.buckets.delete(name);
    await this.files.rm(join(this.root, name), { recursive: true, force: true });
  }

  /** Stores a small body given whole (tests, copies of small objects). */
  async putObject(
    bucketName: string,
    key: string,
    body: Buffer,
    attributes: Partial<ObjectAttributes> = {},
  ): Promise<StoredObject> {
    return this.commit(
      bucketName,
      key,
      { size: body.length, md5: md5Hex(body), buffer: body },
      md5Hex(body),
      {
        contentType: DEFAULT_CONTENT_TYPE,
        headers: {},
        metadata: {},
        ...attributes,
      },
    );
  }

  /**
   * Makes a received body the object `key`, replacing any previous version in one step. The
   * body's temporary file is consumed (renamed or removed) whatever happens.
   */
  async commit(
    bucketName: string,
    key: string,
    body: ReceivedBody,
    etag: string,
    attributes: ObjectAttributes,
    /**
     * Conditional writes: checked against the object being replaced inside the key's write lock,
     * so of two concurrent `If-None-Match: *` writers exactly one succeeds (a check before the lock
     * lets both pass).
     */
    precondition?: (existing: StoredObject | undefined) => void,
  ): Promise<StoredObject> {
    const bucket = this.#bucket(bucketName);
    let temporary = body.file?.path;
    try {
      let identity: FileIdentity | undefined = body.file;
      if (!identity) {
        temporary = temporaryPath(this.root);
        identity = await writeNewFile(this.files, temporary, body.buffer ?? Buffer.alloc(0));
      }
      const { lastModified, ...rest } = attributes;
      const object: StoredObject = {
        key,
        size: body.size,
        etag,
        lastModified: toSeconds(lastModified ?? new Date()),
        ...rest,
        file: { ino: identity.ino, mtimeMs: identity.mtimeMs },
      };
      const dataPath = join(this.root, bucketName, fileNameForKey(key));
      const source = temporary as string;
      await this.#serialized(bucketName, key, async () => {
        const previous = bucket.objects.get(key);
        precondition?.(previous);
        // The index line first: a full disk fails here, before anything is replaced.
        await bucket.index.append({ put: object as unknown as IndexedObject }, bucket.objects.size + 1);
        try {
          await this.files.rename(source, dataPath);
        } catch (error) {
          // The line describes a file that never arrived: say what the key holds instead.
          await bucket.index
            .append(
              previous ? { put: previous as unknown as IndexedObject } : { delete: key },
              bucket.objects.size,
            )
            .catch(() => undefined);
          throw error;
        }
        temporary = undefined;
        if (!previous) bucket.sortedKeys = undefined;
        bucket.objects.set(key, object);
        if (body.buffer) this.#cacheBody(bucketName, object, body.buffer);
        else this.#uncacheBody(`${bucketName}/${key}`);
      });
      return object;
    } finally {
      if (temporary) await this.files.rm(temporary, { force: true }).catch(() => undefined);
    }
  }

  /**
   * The object's metadata and body as one consistent pair, or undefined when there is none: the
   * file opened is checked to be the one the metadata describes (see the opening comment).
   */
  async openObject(bucketName: string, key: string): Promise<ObjectRead | undefined> {
    const bucket = this.#bucket(bucketName);
    for (let attempt = 0; attempt < 10; attempt++) {
      const object = bucket.objects.get(key);
      if (!object) return undefined;
      const cached = this.#bodies.get(`${bucketName}/${key}`);
      if (cached?.object === object) return { object, body: cached.body };
      let handle: FileHandle;
      try {
        handle = await open(join(this.root, bucketName, fileNameForKey(key)), 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted or replaced meanwhile
        throw error;
      }
      let handedOver = false;
      try {
        if ((await handle.stat()).ino !== object.file.ino) continue; // a newer version: look again
        if (object.size > MAX_CACHED_OBJECT_BYTES) {
          handedOver = true; // the caller streams from it and closes it
          return { object, handle };
        }
        const body = await handle.readFile();
        if (bucket.objects.get(key) === object) this.#cacheBody(bucketName, object, body);
        return { object, body };
      } finally {
        if (!handedOver) await handle.close();
      }
    }
    throw new Error(`object ${bucketName}/${key} kept changing while it was read`);
  }

  /** Removes the object; resolves to what was removed, or undefined when there was nothing. */
  async deleteObject(bucketName: string, key: string): Promise<StoredObject | undefined> {
    const bucket = this.#bucket(bucketName);
    let removed: StoredObject | undefined;
    await this.#serialized(bucketName, key, async () => {
      removed = bucket.objects.get(key);
      if (!removed) return;
      bucket.objects.delete(key);
      bucket.sortedKeys = undefined;
      this.#uncacheBody(`${bucketName}/${key}`);
      // The file first: a crash before the line leaves an index entry without a file, dropped at start.
      await this.files.rm(join(this.root, bucketName, fileNameForKey(key)), { force: true });
      await bucket.index.append({ delete: key }, bucket.objects.size);
    });
    return removed;
  }

  /** Runs writes to one key one after another, so the files and the index agree on the last one. */
  #serialized(bucketName: string, key: string, write: () => Promise<void>): Promise<void> {
    return this.#writes.run(`${bucketName}/${key}`, write);
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

  #cacheBody(bucketName: string, object: StoredObject, body: Buffer): void {
    const cacheKey = `${bucketName}/${object.key}`;
    this.#uncacheBody(cacheKey);
    if (body.length > MAX_CACHED_OBJECT_BYTES) return;
    // Evict oldest first (Map keeps insertion order) until the new body fits.
    for (const [oldest] of this.#bodies) {
      if (this.#cachedBytes + body.length <= MAX_CACHED_TOTAL_BYTES) break;
      this.#uncacheBody(oldest);
    }
    this.#bodies.set(cacheKey, { object, body });
    this.#cachedBytes += body.length;
  }

  #uncacheBody(cacheKey: string): void {
    const previous = this.#bodies.get(cacheKey);
    if (!previous) return;
    this.#bodies.delete(cacheKey);
    this.#cachedBytes -= previous.body.length;
  }
}
