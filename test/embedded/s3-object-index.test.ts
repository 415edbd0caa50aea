/**
 * The store's object index on disk (s3-object-index.ts): what a restart reads back, what a crash
 * between an index line and its rename leaves, and data folders of the per-object metadata layout.
 */
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileNameForKey, ObjectStore } from '../../src/embedded/s3/index.ts';

const BUCKET = 'index-bucket';
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'scones-s3-index-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function reopened(): Promise<ObjectStore> {
  const store = new ObjectStore(root);
  await store.load();
  return store;
}

const indexLines = async () =>
  (await readFile(join(root, BUCKET, '.meta', 'index.jsonl'), 'utf8')).trim().split('\n').filter(Boolean);

describe('local S3 object index', () => {
  it('reads back every object with its attributes after a restart; deletions stay deleted', async () => {
    const store = await reopened();
    await store.createBucket(BUCKET);
    await store.putObject(BUCKET, 'a.png', Buffer.from('first'), {
      contentType: 'image/png',
      metadata: { label: 'bicycle' },
      headers: { 'cache-control': 'no-cache' },
    });
    await store.putObject(BUCKET, 'a.png', Buffer.from('second version'), { contentType: 'image/png' });
    await store.putObject(BUCKET, 'gone.txt', Buffer.from('bye'));
    await store.deleteObject(BUCKET, 'gone.txt');
    expect(await indexLines()).toHaveLength(4); // one line per change, no file per object

    const restarted = await reopened();
    const objects = restarted.buckets.get(BUCKET)?.objects;
    expect([...(objects?.keys() ?? [])]).toEqual(['a.png']);
    expect(objects?.get('a.png')).toMatchObject({ size: 14, contentType: 'image/png', metadata: {} });
    const read = await restarted.openObject(BUCKET, 'a.png');
    expect(read && 'body' in read ? read.body.toString() : undefined).toBe('second version');
    expect(await indexLines()).toHaveLength(1); // compacted at start: the last line per key
  });

  it('keeps the previous version when a line was written but its file never renamed into place (a crash)', async () => {
    const store = await reopened();
    await store.createBucket(BUCKET);
    const kept = await store.putObject(BUCKET, 'k.png', Buffer.from('kept'), { contentType: 'image/png' });
    // The crash: the index says a new version of another size and time; the file is the old one.
    const newer = { ...kept, size: 99, etag: 'f'.repeat(32), file: { ino: 1, mtimeMs: 1 } };
    await appendFile(
      join(root, BUCKET, '.meta', 'index.jsonl'),
      `${JSON.stringify({ put: newer })}\n{"put": {"key`,
    );
    const restarted = await reopened();
    expect(restarted.buckets.get(BUCKET)?.objects.get('k.png')).toMatchObject({
      size: 4,
      etag: kept.etag,
      contentType: 'image/png',
    });
  });

  it('folds the per-object metadata files of an older data folder into the index, then removes them', async () => {
    const directory = join(root, BUCKET);
    await mkdir(join(directory, '.meta'), { recursive: true });
    const file = fileNameForKey('old/one.png');
    await writeFile(join(directory, file), 'old bytes');
    const data = await stat(join(directory, file));
    await writeFile(
      join(directory, '.meta', `${file}.json`),
      JSON.stringify({
        key: 'old/one.png',
        size: 9,
        md5: '0'.repeat(32),
        lastModified: new Date(0).toISOString(),
        contentType: 'image/png',
        headers: {},
        metadata: { source: 'v1' },
        file: { ino: data.ino, mtimeMs: data.mtimeMs },
      }),
    );
    const store = await reopened();
    expect(store.buckets.get(BUCKET)?.objects.get('old/one.png')).toMatchObject({
      etag: '0'.repeat(32),
      contentType: 'image/png',
      metadata: { source: 'v1' },
    });
    expect((await readdir(join(directory, '.meta'))).sort()).toEqual(['index.jsonl']);
    const again = await reopened();
    expect(again.buckets.get(BUCKET)?.objects.get('old/one.png')?.metadata).toEqual({ source: 'v1' });
  });
});
