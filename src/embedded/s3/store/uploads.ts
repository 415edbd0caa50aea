/**
 * Multipart uploads in progress, on disk so they survive a restart of the server:
 * `<root>/.uploads/<upload id>/upload.json` (bucket, key, the object's attributes) and, per part,
 * `<n>` (bytes) with `<n>.json` (ETag, size, checksum). A part is visible once its metadata is
 * renamed into place; one half-written when the server stopped is simply not there after a
 * restart. Completing concatenates the chosen parts into a temporary file that replaces the object
 * in one rename (ObjectStore.commit), so an upload is never half-visible as an object.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ChecksumAlgorithm,
  type ChecksumType,
  createHasher,
  type Hasher,
  type StoredChecksum,
} from '../protocol/checksums.ts';
import { s3Errors } from '../protocol/errors.ts';
import { temporaryPath, type WritableFile, WriteQueue, writeAtomically, writeNewFile } from './files.ts';
import type { ObjectStore } from './store.ts';
import type { FileIdentity, MultipartUpload, ReceivedBody, StoredObject, UploadPart } from './types.ts';

export const UPLOADS_DIR = '.uploads';
const UPLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export class UploadStore {
  readonly #store: ObjectStore;
  readonly #uploads = new Map<string, MultipartUpload>();
  readonly #writes = new WriteQueue();
  /** Completions in progress: a second Complete of the same upload meanwhile waits for the first. */
  readonly #completing = new Map<string, Promise<StoredObject>>();

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  get #root() {
    return join(this.#store.root, UPLOADS_DIR);
  }

  async load(): Promise<void> {
    await mkdir(this.#root, { recursive: true });
    for (const uploadId of await readdir(this.#root)) {
      const directory = join(this.#root, uploadId);
      const saved = await readFile(join(directory, 'upload.json'), 'utf8').catch(() => undefined);
      if (!saved || !this.#store.buckets.has(JSON.parse(saved).bucket)) {
        await this.#store.files.rm(directory, { recursive: true, force: true });
        continue;
      }
      const raw = JSON.parse(saved);
      const upload: MultipartUpload = { ...raw, initiated: new Date(raw.initiated), parts: new Map() };
      for (const name of await readdir(directory)) {
        if (!/^\d+\.json$/.test(name)) continue;
        const part = JSON.parse(await readFile(join(directory, name), 'utf8'));
        upload.parts.set(part.partNumber, { ...part, lastModified: new Date(part.lastModified) });
      }
      this.#uploads.set(uploadId, upload);
    }
  }

  async create(
    bucket: string,
    key: string,
    attributes: MultipartUpload['attributes'],
    checksum: { algorithm?: ChecksumAlgorithm; type?: ChecksumType },
  ): Promise<MultipartUpload> {
    const uploadId = randomBytes(36).toString('base64url');
    const upload: MultipartUpload = {
      uploadId,
      bucket,
      key,
      initiated: new Date(),
      attributes,
      ...(checksum.algorithm ? { checksumAlgorithm: checksum.algorithm, checksumType: checksum.type } : {}),
      parts: new Map(),
    };
    const directory = join(this.#root, uploadId);
    await this.#store.files.mkdir(directory, { recursive: true });
    const { parts: _, ...saved } = upload;
    await writeAtomically(this.#store.files, join(directory, 'upload.json'), JSON.stringify(saved));
    this.#uploads.set(uploadId, upload);
    return upload;
  }

  /** The upload, or NoSuchUpload when the id is unknown, malformed or belongs to another key. */
  get(bucket: string, key: string, uploadId: string): MultipartUpload {
    const upload = this.find(bucket, key, uploadId);
    if (!upload) throw s3Errors.noSuchUpload(uploadId);
    return upload;
  }

  /** The upload in progress, or undefined. */
  find(bucket: string, key: string, uploadId: string): MultipartUpload | undefined {
    const upload = UPLOAD_ID_PATTERN.test(uploadId) ? this.#uploads.get(uploadId) : undefined;
    return upload && upload.bucket === bucket && upload.key === key ? upload : undefined;
  }

  /**
   * The object a completed upload made, while it is still the key's current version (the id is
   * kept with it, in the object index, so this holds across restarts); undefined once the key was
   * overwritten or deleted, or for an id that never completed.
   */
  completedObject(bucket: string, key: string, uploadId: string): StoredObject | undefined {
    if (!UPLOAD_ID_PATTERN.test(uploadId)) return undefined;
    const object = this.#store.buckets.get(bucket)?.objects.get(key);
    return object?.uploadId === uploadId ? object : undefined;
  }

  /** Uploads of a bucket, in ListMultipartUploads order (key, then initiation time). */
  list(bucket: string): MultipartUpload[] {
    return [...this.#uploads.values()]
      .filter((upload) => upload.bucket === bucket)
      .sort((a, b) =>
        a.key === b.key ? a.initiated.getTime() - b.initiated.getTime() : a.key < b.key ? -1 : 1,
      );
  }

  /** Stores a part (replacing one of the same number); the body's temporary file is consumed. */
  async putPart(upload: MultipartUpload, partNumber: number, body: ReceivedBody): Promise<UploadPart> {
    const directory = join(this.#root, upload.uploadId);
    let temporary = body.file?.path;
    try {
      let identity: FileIdentity | undefined = body.file;
      if (!identity) {
        temporary = temporaryPath(this.#store.root);
        identity = await writeNewFile(this.#store.files, temporary, body.buffer ?? Buffer.alloc(0));
      }
      const part: UploadPart = {
        partNumber,
        size: body.size,
        etag: body.md5,
        lastModified: new Date(),
        ...(body.checksum ? { checksum: body.checksum } : {}),
        file: { ino: (identity as FileIdentity).ino, mtimeMs: (identity as FileIdentity).mtimeMs },
      };
      const source = temporary as string;
      await this.#writes.run(`${upload.uploadId}/${partNumber}`, async () => {
        if (!this.#uploads.has(upload.uploadId)) throw s3Errors.noSuchUpload(upload.uploadId);
        await this.#store.files.rename(source, join(directory, String(partNumber)));
        temporary = undefined;
        await writeAtomically(this.#store.files, join(directory, `${partNumber}.json`), JSON.stringify(part));
        upload.parts.set(partNumber, part);
      });
      return part;
    } finally {
      if (temporary) await this.#store.files.rm(temporary, { force: true }).catch(() => undefined);
    }
  }

  async abort(upload: MultipartUpload): Promise<void> {
    this.#uploads.delete(upload.uploadId);
    await this.#store.files.rm(join(this.#root, upload.uploadId), { recursive: true, force: true });
  }

  /**
   * Concatenates `parts` (already validated by the caller) into the object; the upload is gone
   * afterwards. `precondition` (conditional headers of the Complete request) is checked inside the
   * key's write lock. A second Complete of the same upload meanwhile (a client's retry after a
   * timeout) waits for the first and gets its object, `replayed`, when it names the same parts;
   * otherwise NoSuchUpload, as once the upload is gone.
   */
  async complete(
    upload: MultipartUpload,
    parts: UploadPart[],
    precondition?: (existing: StoredObject | undefined) => void,
  ): Promise<{ object: StoredObject; replayed: boolean }> {
    const etag = multipartEtag(parts.map((part) => part.etag));
    const pending = this.#completing.get(upload.uploadId);
    if (pending) {
      const object = await pending.catch(() => undefined);
      if (object?.etag === etag) return { object, replayed: true };
      // The first failed with the upload left in progress: this request may complete it.
      const retry =
        !object && this.#uploads.has(upload.uploadId) && this.#completing.get(upload.uploadId) !== pending;
      if (!retry) throw s3Errors.noSuchUpload(upload.uploadId);
      return this.complete(upload, parts, precondition);
    }
    if (!this.#uploads.has(upload.uploadId)) {
      // Completed (or aborted) while this request's body was read.
      const object = this.completedObject(upload.bucket, upload.key, upload.uploadId);
      if (object?.etag === etag) return { object, replayed: true };
      throw s3Errors.noSuchUpload(upload.uploadId);
    }
    const completion = this.#completeOnce(upload, parts, etag, precondition);
    this.#completing.set(upload.uploadId, completion);
    try {
      return { object: await completion, replayed: false };
    } finally {
      this.#completing.delete(upload.uploadId);
    }
  }

  async #completeOnce(
    upload: MultipartUpload,
    parts: UploadPart[],
    etag: string,
    precondition?: (existing: StoredObject | undefined) => void,
  ): Promise<StoredObject> {
    const { body, fullObject } = await this.#concatenate(upload, parts);
    const checksum = await uploadChecksum(upload, parts, fullObject);
    const object = await this.#store.commit(
      upload.bucket,
      upload.key,
      body,
      etag,
      {
        ...upload.attributes,
        parts: parts.map((part) => part.size),
        ...(checksum?.type === 'COMPOSITE'
          ? { partChecksums: parts.map((part) => part.checksum?.value ?? '') }
          : {}),
        ...(checksum ? { checksum } : {}),
        uploadId: upload.uploadId,
      },
      precondition,
    );
    await this.abort(upload);
    return object;
  }

  async #concatenate(upload: MultipartUpload, parts: UploadPart[]) {
    const path = temporaryPath(this.#store.root);
    const hasher =
      upload.checksumType === 'FULL_OBJECT'
        ? createHasher(upload.checksumAlgorithm as ChecksumAlgorithm)
        : undefined;
    let file: WritableFile | undefined;
    try {
      file = await this.#store.files.create(path);
      let size = 0;
      for (const part of parts) {
        const partPath = join(this.#root, upload.uploadId, String(part.partNumber));
        const handle = await open(partPath, 'r');
        try {
          if ((await handle.stat()).ino !== part.file.ino)
            throw s3Errors.invalidPart(part.partNumber, part.etag);
          for await (const chunk of handle.createReadStream({ autoClose: false, highWaterMark: 1 << 20 })) {
            hasher?.update(chunk as Buffer);
            await file.write(chunk as Buffer);
            size += (chunk as Buffer).length;
          }
        } finally {
          await handle.close();
        }
      }
      const { ino, mtimeMs } = await file.stat();
      await file.close();
      file = undefined;
      const body: ReceivedBody = { size, md5: '', file: { path, ino, mtimeMs } };
      return { body, fullObject: hasher };
    } catch (error) {
      await file?.close().catch(() => undefined);
      await this.#store.files.rm(path, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}

/** A multipart object's ETag, as S3 makes it: the MD5 of the parts' binary MD5s, then `-<number of parts>`. */
export function multipartEtag(partEtags: string[]): string {
  const md5s = Buffer.concat(partEtags.map((etag) => Buffer.from(etag, 'hex')));
  return `${createHash('md5').update(md5s).digest('hex')}-${partEtags.length}`;
}

/** The object's checksum: full-object (over the whole body) or composite (over the parts' checksums). */
async function uploadChecksum(
  upload: MultipartUpload,
  parts: UploadPart[],
  fullObject: Hasher | undefined,
): Promise<StoredChecksum | undefined> {
  const algorithm = upload.checksumAlgorithm;
  if (!algorithm) return undefined;
  if (fullObject)
    return { algorithm, type: 'FULL_OBJECT', value: (await fullObject.digest()).toString('base64') };
  const composite = createHasher(algorithm);
  for (const part of parts) {
    if (part.checksum?.algorithm !== algorithm) return undefined;
    composite.update(Buffer.from(part.checksum.value, 'base64'));
  }
  return {
    algorithm,
    type: 'COMPOSITE',
    value: `${(await composite.digest()).toString('base64')}-${parts.length}`,
  };
}
