/**
 * The file-system calls through which the local S3 store writes, and nothing else: small enough
 * that a test can put a failing one in its place (a disk that fills up mid-body, a rename that
 * fails) without filling a real disk. Reads go straight to `node:fs`.
 */
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { appendFile, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A file open for writing: sequential writes, then a stat (to identify it), then close. */
export interface WritableFile {
  write(data: Uint8Array): Promise<unknown>;
  stat(): Promise<{ ino: number; mtimeMs: number }>;
  close(): Promise<void>;
}

export interface StoreFileSystem {
  /** Creates (or truncates) `path` for writing. */
  create(path: string): Promise<WritableFile>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** Appends to `path`, creating it if need be (the object index's lines). */
  appendFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<unknown>;
}

export const NODE_FILE_SYSTEM: StoreFileSystem = {
  create: (path) => open(path, 'w'),
  writeFile: (path, data) => writeFile(path, data),
  appendFile: (path, data) => appendFile(path, data),
  rename,
  rm,
  mkdir,
};

/**
 * The same calls, made without leaving the calling thread: for the local S3 in its worker thread
 * (s3-thread-worker.ts). Each call above is a round trip to libuv's thread pool, two thread
 * wake-ups; a small PUT makes eight (create, write, stat, close, the index line's open, write and
 * close, the rename), and on a busy 2-core machine those wake-ups, not the calls' own ~0.5 ms of
 * kernel time, were most of a PUT's latency. In a thread of its own a blocking call holds up only
 * that server's other requests, for no longer than the call. Failures still arrive as rejections.
 */
export const BLOCKING_FILE_SYSTEM: StoreFileSystem = {
  create: async (path) => {
    const fd = openSync(path, 'w');
    return {
      write: async (data) => {
        for (let written = 0; written < data.length; ) written += writeSync(fd, data, written);
      },
      stat: async () => fstatSync(fd),
      close: async () => closeSync(fd),
    };
  },
  writeFile: async (path, data) => writeFileSync(path, data),
  appendFile: async (path, data) => appendFileSync(path, data),
  rename: async (from, to) => renameSync(from, to),
  rm: async (path, options) => rmSync(path, options),
  mkdir: async (path, options) => mkdirSync(path, options),
};

/** Folder (directly under the data folder) of bodies being received; never a valid bucket name. */
export const TEMP_DIR = '.tmp';

export function temporaryPath(root: string): string {
  return join(root, TEMP_DIR, `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`);
}

/** Writes `data` to a fresh file and returns its identity; the file is removed if anything fails. */
export async function writeNewFile(
  files: StoreFileSystem,
  path: string,
  data: Uint8Array,
): Promise<{ ino: number; mtimeMs: number }> {
  let file: WritableFile | undefined;
  try {
    file = await files.create(path);
    if (data.length > 0) await file.write(data);
    const { ino, mtimeMs } = await file.stat();
    await file.close();
    return { ino, mtimeMs };
  } catch (error) {
    await file?.close().catch(() => undefined);
    await files.rm(path, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Replaces `path` in one step (write a sibling, rename over): readers see the old or the new. */
export async function writeAtomically(
  files: StoreFileSystem,
  path: string,
  data: string | Uint8Array,
): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await files.writeFile(temporary, data);
    await files.rename(temporary, path);
  } catch (error) {
    await files.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Runs tasks of one id one after another (writes of one key, of one part), others in parallel. */
export class WriteQueue {
  readonly #pending = new Map<string, Promise<unknown>>();

  async run(id: string, task: () => Promise<void>): Promise<void> {
    const done = (this.#pending.get(id) ?? Promise.resolve()).then(task);
    const tail = done.catch(() => undefined);
    this.#pending.set(id, tail);
    try {
      await done;
    } finally {
      if (this.#pending.get(id) === tail) this.#pending.delete(id);
    }
  }
}
