/**
 * The ResultWriter's files: keys under `<Prefix>/<map run id>/`, one JSON array per status and per
 * size limit (the next index takes the rest, as Step Functions does past 5 GB), the manifest's
 * sizes are the objects' sizes, and no file for a status without executions.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultFiles, resultKeyPrefix } from '../../src/embedded/stepfunctions/index.ts';
import type { ResultManifest, ResultRecord } from '../../src/workflow/batch-types.ts';
import { startTestServer, type TestServer } from '../embedded/s3-helpers.ts';
import { listKeys, readJson } from './helpers.ts';

const BUCKET = 'result-files';
const MAP_RUN =
  'arn:aws:states:us-east-1:000000000000:mapRun:batch/Things:11111111-2222-3333-4444-555555555555';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ buckets: [BUCKET] });
});
afterAll(async () => {
  await server?.close();
});

const record = (i: number): ResultRecord => ({
  ExecutionArn: `arn:aws:states:us-east-1:000000000000:execution:batch/Things:child-${i}`,
  Input: JSON.stringify({ s3_key: `images/${i}.png`, note: 'é'.repeat(i % 5) }),
  InputDetails: { Included: true },
  Status: 'SUCCEEDED',
});

describe('ResultWriter files', () => {
  it('puts the map run id under the prefix, adding the slash Step Functions adds', () => {
    expect(resultKeyPrefix('jobs', 'id')).toBe('jobs/id/');
    expect(resultKeyPrefix('jobs/', 'id')).toBe('jobs/id/');
    expect(resultKeyPrefix('', 'id')).toBe('id/');
  });

  it('starts a new index when a file would pass the size limit; every file is a whole JSON array', async () => {
    const files = await ResultFiles.open({ bucket: BUCKET, prefix: 'split' }, MAP_RUN, 2_000);
    for (let i = 0; i < 50; i++) files.add(i % 10 === 0 ? 'FAILED' : 'SUCCEEDED', record(i));
    const manifestKey = await files.finish(server.s3);
    expect(manifestKey).toBe('split/11111111-2222-3333-4444-555555555555/manifest.json');
    const manifest = await readJson<ResultManifest>(server.s3, BUCKET, manifestKey);
    expect(manifest.ResultFiles.PENDING).toEqual([]);
    expect(manifest.ResultFiles.FAILED.map((f) => f.Key.split('/').at(-1))).toEqual(['FAILED_0.json']);
    const succeeded = manifest.ResultFiles.SUCCEEDED;
    expect(succeeded.length).toBeGreaterThan(2);
    expect(succeeded.map((f) => f.Key.split('/').at(-1))).toEqual(
      succeeded.map((_, i) => `SUCCEEDED_${i}.json`),
    );
    const seen: string[] = [];
    for (const file of [...succeeded, ...manifest.ResultFiles.FAILED]) {
      expect(file.Size).toBeLessThanOrEqual(2_000);
      const head = await server.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: file.Key }));
      expect(head.ContentLength).toBe(file.Size);
      const records = await readJson<ResultRecord[]>(server.s3, BUCKET, file.Key);
      seen.push(...records.map((r) => JSON.parse(r.Input).s3_key as string));
    }
    expect(seen.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `images/${i}.png`).sort());
  });

  it('writes only the manifest for an empty Map Run', async () => {
    const files = await ResultFiles.open({ bucket: BUCKET, prefix: 'empty/' }, MAP_RUN);
    const manifestKey = await files.finish(server.s3);
    expect(await listKeys(server.s3, BUCKET, 'empty/')).toEqual([manifestKey]);
    expect(await readJson(server.s3, BUCKET, manifestKey)).toEqual({
      DestinationBucket: BUCKET,
      MapRunArn: MAP_RUN,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [] },
    });
  });

  it('fails with States.ResultWriterFailed when the bucket is not there', async () => {
    const files = await ResultFiles.open({ bucket: 'no-such-results', prefix: 'x' }, MAP_RUN);
    files.add('SUCCEEDED', record(1));
    await expect(files.finish(server.s3)).rejects.toMatchObject({ name: 'States.ResultWriterFailed' });
  });
});
