/** aws-cli v1 (from `.venv`, pinned in requirements-emulators.txt) against the local S3 server. */
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { md5, patterned } from '../embedded/s3-helpers.ts';
import { withPythonClients } from './python-clients.ts';

const BUCKET = 'cli-bucket';

describe('aws-cli v1 against the local S3 server', () => {
  const python = withPythonClients([BUCKET]);
  const cli = (context: TestContext) => python.get(context);

  it('copies a 40 MB file up and back byte-identical (default multipart settings)', async (context) => {
    const { aws, folder } = cli(context);
    const body = patterned(40_000_000, 1);
    await writeFile(join(folder, 'big.bin'), body);
    await aws(['s3', 'cp', join(folder, 'big.bin'), `s3://${BUCKET}/big.bin`, '--no-progress']);
    const head = JSON.parse(await aws(['s3api', 'head-object', '--bucket', BUCKET, '--key', 'big.bin']));
    // 8 MB default threshold and chunk size: five parts.
    expect(head.ETag).toMatch(/-5"$/);
    expect(head.ContentLength).toBe(body.length);
    await aws(['s3', 'cp', `s3://${BUCKET}/big.bin`, join(folder, 'back.bin'), '--no-progress']);
    expect(md5(await readFile(join(folder, 'back.bin')))).toBe(md5(body));
  }, 120_000);

  it('syncs a folder, and a second sync uploads nothing', async (context) => {
    const { aws, folder } = cli(context);
    const tree = join(folder, 'tree');
    await mkdir(join(tree, 'sub'), { recursive: true });
    // Files older than the upload: S3's LastModified has second precision, so a file written in
    // the same second as its upload looks newer to `sync` (on S3 as here).
    const past = new Date(Date.now() - 10_000);
    for (const name of ['a.txt', 'b.bin', 'sub/c.txt']) {
      await writeFile(join(tree, name), `content of ${name}`);
      await utimes(join(tree, name), past, past);
    }
    const first = await aws(['s3', 'sync', tree, `s3://${BUCKET}/tree/`, '--no-progress']);
    expect(first.match(/^upload:/gm)).toHaveLength(3);
    const second = await aws(['s3', 'sync', tree, `s3://${BUCKET}/tree/`, '--no-progress']);
    expect(second.trim()).toBe('');
    const listing = await aws(['s3', 'ls', `s3://${BUCKET}/tree/`, '--recursive']);
    expect(listing).toContain('tree/sub/c.txt');
  }, 60_000);

  it('presigns a URL that a plain HTTP GET can use, until it expires', async (context) => {
    const { aws, folder } = cli(context);
    await writeFile(join(folder, 'shared.txt'), 'shared by URL');
    await aws(['s3', 'cp', join(folder, 'shared.txt'), `s3://${BUCKET}/shared.txt`]);
    const presign = async (seconds: number) =>
      (await aws(['s3', 'presign', `s3://${BUCKET}/shared.txt`, '--expires-in', String(seconds)])).trim();
    const [url, short] = await Promise.all([presign(60), presign(1)]);
    const got = await fetch(url);
    expect([got.status, await got.text()]).toEqual([200, 'shared by URL']);
    await new Promise((done) => setTimeout(done, 2100));
    const expired = await fetch(short);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
  }, 60_000);

  it('lists object versions and removes a prefix recursively', async (context) => {
    const { aws, folder } = cli(context);
    // Each aws-cli start costs a second or two: the three uploads run at once.
    await Promise.all(
      ['1', '2', '3'].map(async (name) => {
        await writeFile(join(folder, name), name);
        await aws(['s3', 'cp', join(folder, name), `s3://${BUCKET}/doomed/${name}`]);
      }),
    );
    const versions = JSON.parse(
      await aws(['s3api', 'list-object-versions', '--bucket', BUCKET, '--prefix', 'doomed/']),
    );
    expect(
      versions.Versions.map((v: { Key: string; VersionId: string; IsLatest: boolean }) => [
        v.Key,
        v.VersionId,
        v.IsLatest,
      ]),
    ).toEqual([
      ['doomed/1', 'null', true],
      ['doomed/2', 'null', true],
      ['doomed/3', 'null', true],
    ]);
    const removed = await aws(['s3', 'rm', `s3://${BUCKET}/doomed/`, '--recursive']);
    expect(removed.match(/^delete:/gm)).toHaveLength(3);
    expect((await aws(['s3', 'ls', `s3://${BUCKET}/doomed/`, '--recursive']).catch(() => '')).trim()).toBe(
      '',
    );
  }, 60_000);

  it('s3api: a repeated complete-multipart-upload succeeds with the same ETag; get-object --part-number', async (context) => {
    const { aws, folder } = cli(context);
    const key = 'parts/by-cli.bin';
    const [head, tail] = [patterned(5 * 1024 * 1024, 21), patterned(777, 22)];
    const contents = [head, tail];
    const { UploadId } = JSON.parse(
      await aws(['s3api', 'create-multipart-upload', '--bucket', BUCKET, '--key', key]),
    );
    const parts = await Promise.all(
      contents.map(async (content, index) => {
        await writeFile(join(folder, `part${index + 1}`), content);
        const sent = JSON.parse(
          await aws([
            's3api',
            'upload-part',
            '--bucket',
            BUCKET,
            '--key',
            key,
            '--upload-id',
            UploadId,
            '--part-number',
            String(index + 1),
            '--body',
            join(folder, `part${index + 1}`),
          ]),
        );
        return { PartNumber: index + 1, ETag: sent.ETag };
      }),
    );
    await writeFile(join(folder, 'parts.json'), JSON.stringify({ Parts: parts }));
    const completeArgs = ['s3api', 'complete-multipart-upload', '--bucket', BUCKET, '--key', key];
    const completeWith = async () =>
      JSON.parse(
        await aws([
          ...completeArgs,
          '--upload-id',
          UploadId,
          '--multipart-upload',
          `file://${join(folder, 'parts.json')}`,
        ]),
      );
    const first = await completeWith();
    expect(first.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    // The client retries after a lost answer: S3 answers the same, the upload does not fail.
    expect(await completeWith()).toEqual(first);

    const got = JSON.parse(
      await aws([
        's3api',
        'get-object',
        '--bucket',
        BUCKET,
        '--key',
        key,
        '--part-number',
        '2',
        join(folder, 'part2.out'),
      ]),
    );
    const size = head.length + tail.length;
    expect([got.PartsCount, got.ContentLength, got.ContentRange]).toEqual([
      2,
      777,
      `bytes ${head.length}-${size - 1}/${size}`,
    ]);
    expect(md5(await readFile(join(folder, 'part2.out')))).toBe(md5(tail));
    const beyond = await aws([
      's3api',
      'get-object',
      '--bucket',
      BUCKET,
      '--key',
      key,
      '--part-number',
      '3',
      join(folder, 'part3.out'),
    ]).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(beyond).toContain('(InvalidPartNumber)');
    expect(beyond).toContain('The requested partnumber is not satisfiable');
  }, 60_000);
});
