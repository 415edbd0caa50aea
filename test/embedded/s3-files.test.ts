/**
 * The local S3 store's two file systems (s3-files.ts): the promise-based one of the in-thread
 * server and the blocking one of the server in its worker thread do the same thing, and both
 * report a failure as a rejected promise (the store chains `.catch` on them), never a throw.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BLOCKING_FILE_SYSTEM,
  NODE_FILE_SYSTEM,
  type StoreFileSystem,
  writeAtomically,
  writeNewFile,
} from '../../src/embedded/s3/store/files.ts';

const FILE_SYSTEMS: [string, StoreFileSystem][] = [
  ['promise-based (in-thread server)', NODE_FILE_SYSTEM],
  ['blocking (worker-thread server)', BLOCKING_FILE_SYSTEM],
];

describe.each(FILE_SYSTEMS)('local S3 file system: %s', (_, files) => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 's3-files-test-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('creates a file from sequential writes and identifies it by its inode', async () => {
    const path = join(directory, 'body');
    const file = await files.create(path);
    await file.write(Buffer.from('hello '));
    await file.write(new Uint8Array(Buffer.from('world')));
    const identity = await file.stat();
    await file.close();
    expect(await readFile(path, 'utf8')).toBe('hello world');
    const onDisk = await stat(path);
    expect(identity.ino).toBe(onDisk.ino);
    expect(identity.mtimeMs).toBe(onDisk.mtimeMs);
    // create truncates an existing file
    const again = await files.create(path);
    await again.write(Buffer.from('x'));
    await again.close();
    expect(await readFile(path, 'utf8')).toBe('x');
  });

  it('writes, appends (creating the file), renames, makes folders and removes', async () => {
    await files.appendFile(join(directory, 'index.jsonl'), '{"a":1}\n');
    await files.appendFile(join(directory, 'index.jsonl'), '{"b":2}\n');
    expect(await readFile(join(directory, 'index.jsonl'), 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    await files.writeFile(join(directory, 'whole'), 'text');
    await files.writeFile(join(directory, 'bytes'), new Uint8Array([1, 2, 3]));
    expect([...(await readFile(join(directory, 'bytes')))]).toEqual([1, 2, 3]);
    await files.rename(join(directory, 'whole'), join(directory, 'renamed'));
    expect(await readFile(join(directory, 'renamed'), 'utf8')).toBe('text');
    await files.mkdir(join(directory, 'a', 'b'), { recursive: true });
    await writeFile(join(directory, 'a', 'b', 'c'), 'deep');
    await files.rm(join(directory, 'a'), { recursive: true, force: true });
    await files.rm(join(directory, 'renamed'));
    await files.rm(join(directory, 'missing'), { force: true });
    await expect(stat(join(directory, 'a'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(directory, 'renamed'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports every failure as a rejection with the system error code', async () => {
    const missing = join(directory, 'no-such-folder', 'file');
    // Each call returns a promise even when it fails at once: the store chains .catch on them.
    const calls = {
      create: () => files.create(missing),
      writeFile: () => files.writeFile(missing, 'x'),
      appendFile: () => files.appendFile(missing, 'x'),
      rename: () => files.rename(missing, join(directory, 'elsewhere')),
      rm: () => files.rm(missing),
    };
    for (const [name, call] of Object.entries(calls)) {
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = call();
      }, name).not.toThrow();
      await expect(pending, name).rejects.toMatchObject({ code: 'ENOENT' });
    }
    await files.mkdir(join(directory, 'once'));
    await expect(files.mkdir(join(directory, 'once'))).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('serves writeNewFile and writeAtomically, which leave nothing behind on failure', async () => {
    const identity = await writeNewFile(files, join(directory, 'new'), Buffer.from('payload'));
    expect(identity.ino).toBe((await stat(join(directory, 'new'))).ino);
    await writeAtomically(files, join(directory, 'bucket.json'), '{"region":"us-east-1"}');
    expect(await readFile(join(directory, 'bucket.json'), 'utf8')).toBe('{"region":"us-east-1"}');
    await expect(
      writeNewFile(files, join(directory, 'missing', 'new'), Buffer.from('x')),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(writeAtomically(files, join(directory, 'missing', 'x.json'), '{}')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
