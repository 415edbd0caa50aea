/**
 * The embedded engine's Distributed Map against AWS's documented behaviour, with hand-written
 * definitions over a local S3 (so the listing, the ItemSelector, the tolerated-failure rule, the
 * concurrency bound and the ResultWriter files are seen directly): every page of ListObjectsV2,
 * the item shape, `$$.Map.Item.*`, the Map Run ARN and the children's ARNs, the threshold as
 * "exceeded" (strictly above), counts, defaults and PENDING items, States.Runtime on bad settings.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../src/embedded/stepfunctions/index.ts';
import type { ResultManifest, ResultRecord } from '../../src/workflow/batch-types.ts';
import { startTestServer, type TestServer } from '../embedded/s3-helpers.ts';
import { listKeys, readJson } from './helpers.ts';

const BUCKET = 'dmap-bucket';
const RESULTS = 'dmap-results';
const ITEMS = 1_234; // two ListObjectsV2 pages
const ARN = 'arn:aws:states:us-east-1:000000000000';
const FN = `arn:aws:lambda:us-east-1:000000000000:function:item`;
let s3Server: TestServer;
let s3: S3Client;

beforeAll(async () => {
  s3Server = await startTestServer({ buckets: [BUCKET, RESULTS] });
  s3 = s3Server.s3;
  const keys = Array.from({ length: ITEMS }, (_, i) => `many/item-${String(i).padStart(5, '0')}.txt`);
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(
      keys.slice(i, i + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }))),
    );
  }
  for (const [i, key] of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].entries()) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `ten/${key}`, Body: String(i) }));
  }
}, 120_000);

afterAll(async () => {
  await s3Server?.close();
});

interface MapOptions {
  prefix?: string;
  map?: Record<string, unknown>;
  processor?: Record<string, unknown>;
  /** Items whose key ends with one of these fail (InvalidThing). */
  failing?: string[];
  delayMs?: number;
  catchThreshold?: boolean;
}

/** A batch-like definition: a Distributed Map over a prefix, each child one Lambda Task on the item's key. */
function engineFor(options: MapOptions = {}) {
  let running = 0;
  const stats = { maxRunning: 0, calls: 0 };
  const handler = async (event: { key: string }) => {
    stats.calls++;
    running++;
    stats.maxRunning = Math.max(stats.maxRunning, running);
    try {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (options.failing?.some((suffix) => event.key.endsWith(suffix))) {
        throw Object.assign(new Error(`${event.key} is not a thing`), { name: 'InvalidThing' });
      }
      return { key: event.key, length: event.key.length };
    } finally {
      running--;
    }
  };
  const definition = {
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        Label: 'Things',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:listObjectsV2',
          Parameters: { Bucket: BUCKET, 'Prefix.$': '$.prefix' },
        },
        ItemSelector: {
          'key.$': '$$.Map.Item.Value.Key',
          'index.$': '$$.Map.Item.Index',
          'item.$': '$$.Map.Item.Value',
          'batch.$': '$$.Execution.Name',
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: {
            Work: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: FN, 'Payload.$': '$' },
              ResultSelector: { 'result.$': '$.Payload', 'index.$': '$$.Execution.Input.index' },
              End: true,
            },
          },
          ...options.processor,
        },
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: { Bucket: RESULTS, 'Prefix.$': "States.Format('runs/{}', $$.Execution.Name)" },
        },
        ...(options.catchThreshold
          ? {
              Catch: [
                {
                  ErrorEquals: ['States.ExceedToleratedFailureThreshold'],
                  ResultPath: '$.failure',
                  Next: 'Handled',
                },
              ],
              Next: 'Done',
            }
          : { End: true }),
        ...options.map,
      },
      ...(options.catchThreshold ? { Handled: { Type: 'Pass', End: true }, Done: { Type: 'Succeed' } } : {}),
    },
  };
  // `map: { ItemReader: undefined }` removes a field.
  const fan = definition.States.Fan as Record<string, unknown>;
  for (const [field, value] of Object.entries(fan)) if (value === undefined) delete fan[field];
  const engine = new EmbeddedEngine({
    definition,
    functions: { [FN]: handler as never },
    clients: { s3 },
    stateMachineArn: `${ARN}:stateMachine:fanout`,
    retryDelayMs: 0,
  });
  return { engine, stats };
}

let runs = 0;
async function runMap(options: MapOptions & { input?: Record<string, unknown> } = {}) {
  const { engine, stats } = engineFor(options);
  const name = `run-${++runs}`;
  const record = await engine.run({ prefix: options.prefix ?? 'ten/', ...options.input }, name);
  const manifestKey = (await listKeys(s3, RESULTS, `runs/${name}/`)).find((key) =>
    key.endsWith('manifest.json'),
  );
  const manifest = manifestKey ? await readJson<ResultManifest>(s3, RESULTS, manifestKey) : undefined;
  const records = async (status: keyof ResultManifest['ResultFiles']) => {
    const all: ResultRecord[] = [];
    for (const file of manifest?.ResultFiles[status] ?? [])
      all.push(...(await readJson<ResultRecord[]>(s3, RESULTS, file.Key)));
    return all;
  };
  return { record, stats, name, manifestKey, manifest, records };
}

describe('Distributed Map in the embedded engine', () => {
  it('reads every ListObjectsV2 page: one child per object, in key order, items shaped as Step Functions shapes them', async () => {
    const { record, manifest, manifestKey, records, name } = await runMap({ prefix: 'many/' });
    expect(record.status).toBe('SUCCEEDED');
    const mapRunArn = (record.output as { MapRunArn: string }).MapRunArn;
    expect(mapRunArn).toMatch(new RegExp(`^${ARN}:mapRun:fanout/Things:[0-9a-f-]{36}$`));
    const mapRunId = mapRunArn.split(':').at(-1);
    expect(record.output).toEqual({
      MapRunArn: mapRunArn,
      ResultWriterDetails: { Bucket: RESULTS, Key: `runs/${name}/${mapRunId}/manifest.json` },
    });
    expect(manifestKey).toBe(`runs/${name}/${mapRunId}/manifest.json`);
    expect(manifest).toEqual({
      DestinationBucket: RESULTS,
      MapRunArn: mapRunArn,
      ResultFiles: {
        FAILED: [],
        PENDING: [],
        SUCCEEDED: [{ Key: `runs/${name}/${mapRunId}/SUCCEEDED_0.json`, Size: expect.any(Number) }],
      },
    });
    const succeeded = await records('SUCCEEDED');
    expect(succeeded).toHaveLength(ITEMS);
    const inputs = succeeded.map(
      (r) =>
        JSON.parse(r.Input) as { key: string; index: number; item: Record<string, unknown>; batch: string },
    );
    inputs.sort((a, b) => a.index - b.index);
    // Index follows S3's key order over both pages.
    expect(inputs.map((i) => i.key)).toEqual(
      Array.from({ length: ITEMS }, (_, i) => `many/item-${String(i).padStart(5, '0')}.txt`),
    );
    expect(inputs[0]?.batch).toBe(name);
    expect(Object.keys(inputs[0]?.item ?? {}).sort()).toEqual([
      'Etag',
      'Key',
      'LastModified',
      'Size',
      'StorageClass',
    ]);
    expect(inputs[0]?.item).toMatchObject({ Key: 'many/item-00000.txt', Size: 19, StorageClass: 'STANDARD' });
    expect(inputs[0]?.item.Etag).toMatch(/^"[0-9a-f]{32}"$/);
    // Epoch seconds, as in the ItemReader guide's example.
    expect(Math.abs((inputs[0]?.item.LastModified as number) - Date.now() / 1000)).toBeLessThan(600);
  }, 120_000);

  it('writes each child as DescribeExecution describes it, under the Map Run child ARNs', async () => {
    const { records, record } = await runMap({ failing: ['/c'], map: { ToleratedFailureCount: 1 } });
    expect(record.status).toBe('SUCCEEDED');
    const [ok] = (await records('SUCCEEDED')).filter((r) => JSON.parse(r.Input).key === 'ten/a');
    expect(Object.keys(ok as object)).toEqual([
      'ExecutionArn',
      'Input',
      'InputDetails',
      'Name',
      'Output',
      'OutputDetails',
      'RedriveCount',
      'RedriveStatus',
      'RedriveStatusReason',
      'StartDate',
      'StateMachineArn',
      'Status',
      'StopDate',
    ]);
    expect(ok).toMatchObject({
      ExecutionArn: `${ARN}:execution:fanout/Things:${ok?.Name}`,
      StateMachineArn: `${ARN}:stateMachine:fanout/Things`,
      InputDetails: { Included: true },
      OutputDetails: { Included: true },
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
      Status: 'SUCCEEDED',
    });
    expect(ok?.Name).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(ok?.Output ?? '')).toEqual({ result: { key: 'ten/a', length: 5 }, index: 0 });
    expect(new Date(ok?.StartDate ?? '').toISOString()).toBe(ok?.StartDate);
    const [failed] = await records('FAILED');
    expect(failed).toMatchObject({
      Error: 'InvalidThing',
      Status: 'FAILED',
      RedriveStatus: 'REDRIVABLE_BY_MAP_RUN',
    });
    expect(JSON.parse(failed?.Cause ?? '')).toMatchObject({
      errorType: 'InvalidThing',
      errorMessage: 'ten/c is not a thing',
    });
    expect(failed?.Output).toBeUndefined();
  });

  it('fails on one failure when no threshold is set (the default is zero)', async () => {
    const { record, manifest } = await runMap({ failing: ['/j'] });
    expect(record).toMatchObject({
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
      cause: 'The specified tolerated failure threshold was exceeded',
    });
    // The results are written all the same.
    expect(manifest?.ResultFiles.FAILED).toHaveLength(1);
  });

  it('tolerates a share equal to the percentage and fails above it (failed / total)', async () => {
    const at = await runMap({ failing: ['/b'], map: { ToleratedFailurePercentage: 10 } });
    expect(at.record.status).toBe('SUCCEEDED');
    const above = await runMap({ failing: ['/b', '/h'], map: { ToleratedFailurePercentage: 10 } });
    expect(above.record).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const all = await runMap({
      failing: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
      map: { ToleratedFailurePercentage: 100 },
    });
    expect(all.record.status).toBe('SUCCEEDED');
    expect(await all.records('FAILED')).toHaveLength(10);
  });

  it('applies a count above which the Map Run fails, and with both settings whichever is exceeded', async () => {
    expect((await runMap({ failing: ['/a', '/b'], map: { ToleratedFailureCount: 2 } })).record.status).toBe(
      'SUCCEEDED',
    );
    expect(
      (await runMap({ failing: ['/a', '/b', '/c'], map: { ToleratedFailureCount: 2 } })).record.error,
    ).toBe('States.ExceedToleratedFailureThreshold');
    const both = await runMap({
      failing: ['/a', '/b'],
      map: { ToleratedFailureCount: 5, ToleratedFailurePercentage: 10 },
    });
    expect(both.record.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('starts nothing more once the threshold is exceeded: the rest are PENDING results', async () => {
    const { record, records, stats } = await runMap({ failing: ['/a'], map: { MaxConcurrency: 1 } });
    expect(record.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(stats.calls).toBe(1);
    const pending = await records('PENDING');
    expect(pending.map((r) => JSON.parse(r.Input).key)).toEqual(
      ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((k) => `ten/${k}`),
    );
    expect(pending[0]).toEqual({ Input: expect.any(String), InputDetails: { Included: true } });
  });

  it('lets Catch handle States.ExceedToleratedFailureThreshold like any error', async () => {
    const { record } = await runMap({ failing: ['/a'], catchThreshold: true });
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toMatchObject({
      failure: {
        Error: 'States.ExceedToleratedFailureThreshold',
        Cause: 'The specified tolerated failure threshold was exceeded',
      },
    });
  });

  it('keeps at most MaxConcurrency children running (MaxConcurrencyPath from the input)', async () => {
    const { record, stats } = await runMap({
      prefix: 'many/item-0000',
      delayMs: 15,
      map: { MaxConcurrencyPath: '$.concurrency' },
      input: { concurrency: 3 },
    });
    expect(record.status).toBe('SUCCEEDED');
    expect(stats.calls).toBe(10);
    expect(stats.maxRunning).toBe(3);
  });

  it('fails with States.Runtime, as AWS words it, on settings that are not numbers in range (not catchable)', async () => {
    const bad = async (map: Record<string, unknown>, input: Record<string, unknown>) =>
      (await runMap({ map, input, catchThreshold: true })).record;
    expect(await bad({ MaxConcurrencyPath: '$.c' }, { c: 'NoNumber' })).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: expect.stringContaining(
        'The MaxConcurrencyPath field refers to value "NoNumber" which is not a valid integer: $.c',
      ),
    });
    expect(await bad({ ToleratedFailurePercentagePath: '$.p' }, { p: 100.1 })).toMatchObject({
      error: 'States.Runtime',
      cause: expect.stringContaining('ToleratedFailurePercentage must be between 0 and 100.'),
    });
    expect(await bad({ ToleratedFailurePercentagePath: '$.p' }, { p: {} })).toMatchObject({
      cause: expect.stringContaining(
        'The ToleratedFailurePercentagePath field refers to value "{}" which is not a valid float: $.p',
      ),
    });
    expect(await bad({ ToleratedFailureCountPath: '$.n' }, { n: -1 })).toMatchObject({
      cause: expect.stringContaining('ToleratedFailureCount cannot be negative.'),
    });
  });

  it('fails with States.ItemReaderFailed when the bucket does not exist', async () => {
    const { engine } = engineFor({
      map: {
        ItemReader: {
          Resource: 'arn:aws:states:::s3:listObjectsV2',
          Parameters: { Bucket: 'no-such-bucket' },
        },
      },
    });
    const record = await engine.run({ prefix: '' });
    expect(record).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(record.cause).toContain('NoSuchBucket');
  });

  it('without a ResultWriter returns the outputs in item order (ItemsPath over the input)', async () => {
    const { engine } = engineFor({
      map: {
        ItemReader: undefined,
        ResultWriter: undefined,
        ItemsPath: '$.things',
        ItemSelector: { 'key.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
      },
    });
    const record = await engine.run({ things: ['x', 'yy', 'zzz'] });
    expect(record.output).toEqual([
      { result: { key: 'x', length: 1 }, index: 0 },
      { result: { key: 'yy', length: 2 }, index: 1 },
      { result: { key: 'zzz', length: 3 }, index: 2 },
    ]);
  });

  it('refuses at build time what it does not supply', () => {
    expect(() => engineFor({ map: { ItemBatcher: { MaxItemsPerBatch: 10 } } })).toThrow(
      /ItemBatcher is not supported/,
    );
    expect(() =>
      engineFor({
        map: {
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: BUCKET, Key: 'k' } },
        },
      }),
    ).toThrow(/ItemReader arn:aws:states:::s3:getObject is not supported/);
  });
});
