/**
 * The embedded tier event-driven, end to end: uploads to the local S3 (over HTTP, with the SDK)
 * become S3's EventBridge events, the kit's rule starts the intake state machine, which starts
 * the real workflow under a name from the object, and failed executions are notified to the data
 * folder's JSON Lines sink.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import type { EmbeddedTrigger } from '../../src/embedded/events/index.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { ExecutionAlreadyExists } from '../../src/embedded/stepfunctions/index.ts';
import type { ExecutionStatusSnapshot } from '../../src/events/execution-events.ts';
import { executionNameForObject } from '../../src/events/execution-name.ts';
import { EVENT_RULES_DIR } from '../../src/events/rules.ts';
import { s3ObjectEvent } from '../../src/events/s3-events.ts';
import type { ExecutionRecord } from '../../src/workflow/execution.ts';
import type { ImageEvent } from '../../src/workflow/types.ts';
import { forEachConcurrent } from '../../training/concurrency.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';

const stub = createStubPredictor();
let runtime: EmbeddedRuntime;
let trigger: EmbeddedTrigger;
let dataDir: string;
let png: Buffer;
/** Every finished execution an event started, by image key. */
const outcomes = new Map<string, ExecutionRecord[]>();
/** Final status changes of the intake state machine's executions. */
const intakeClosed: ExecutionStatusSnapshot[] = [];
type ObjectChange = Parameters<Parameters<EmbeddedRuntime['localS3']['notifications']['subscribe']>[0]>[0];

const bucket = () => runtime.config.bucket;
async function put(key: string, body: Buffer | string = png) {
  await runtime.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body }));
}
const outcomesOf = (key: string) => outcomes.get(key) ?? [];
const waitForOutcomes = (key: string, count = 1) =>
  vi.waitFor(() => expect(outcomesOf(key)).toHaveLength(count), { timeout: 20_000, interval: 20 });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-trigger-'));
  png = await rgbToPng((await readCifarRecord(0)).rgb);
  runtime = await startEmbeddedRuntime({ dataDir, predictor: stub, retryDelayMs: 0, trigger: true });
  trigger = runtime.trigger as EmbeddedTrigger;
  trigger.onOutcome((record) => {
    const key = (record.input as { s3_key: string }).s3_key;
    outcomes.set(key, [...outcomesOf(key), record]);
  });
  runtime.engine.stateMachines.subscribe((snapshot) => {
    if (snapshot.stateMachineArn === runtime.intake?.stateMachineArn && snapshot.status !== 'RUNNING')
      intakeClosed.push(snapshot);
  });
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  stub.reset();
});

describe('embedded trigger: uploads start executions', () => {
  it('an upload under incoming/ gets its decision, under the name the intake computes from the object', async () => {
    const seen: ObjectChange[] = [];
    const unsubscribe = runtime.localS3.notifications.subscribe((change) => seen.push(change));
    stub.setProbabilities([0.93, 0.07]);
    await put('incoming/bike.png');
    unsubscribe();
    await waitForOutcomes('incoming/bike.png');
    const [record] = outcomesOf('incoming/bike.png') as [ExecutionRecord];
    expect(record.status).toBe('SUCCEEDED');
    expect(record.input).toEqual({ image_data: '', s3_bucket: bucket(), s3_key: 'incoming/bike.png' });
    expect(record.output).toMatchObject({ decision: 'short-range', s3_key: 'incoming/bike.png' });
    const change = seen.find((candidate) => candidate.key === 'incoming/bike.png') as ObjectChange;
    expect(record.name).toBe(
      executionNameForObject({ bucket: bucket(), key: change.key, sequencer: change.sequencer }),
    );
    // EventBridge's target was the intake (a generated name), whose one Task started this execution.
    await trigger.idle();
    const intake = intakeClosed.find(
      (snapshot) =>
        (snapshot.output as { classification?: { execution_arn?: string } })?.classification
          ?.execution_arn === record.executionArn,
    );
    expect(intake).toMatchObject({
      status: 'SUCCEEDED',
      input: { bucket: bucket(), key: 'incoming/bike.png' },
    });
    expect(intake?.name).toMatch(/^[0-9a-f-]{36}$/);
    expect(runtime.engine.executions.latestForObject(bucket(), 'incoming/bike.png')?.name).toBe(record.name);
    // The engine keeps StartExecution's rule for direct starts too: a closed execution's name is taken.
    await expect(runtime.run(record.input as ImageEvent, record.name)).rejects.toThrow(
      ExecutionAlreadyExists,
    );
  });

  it('200 uploads in a burst: 200 outcomes, one per image, none lost', { timeout: 120_000 }, async () => {
    stub.setProbabilities([0.1, 0.9]);
    const keys = Array.from({ length: 200 }, (_, i) => `incoming/burst/${String(i).padStart(3, '0')}.png`);
    const startedBefore = trigger.stats.started;
    await forEachConcurrent(keys, 50, (key) => put(key));
    await vi.waitFor(() => expect(keys.filter((key) => outcomesOf(key).length > 0)).toHaveLength(200), {
      timeout: 100_000,
      interval: 50,
    });
    await trigger.idle();
    expect(keys.every((key) => outcomesOf(key).length === 1)).toBe(true);
    expect(keys.every((key) => outcomesOf(key)[0]?.status === 'SUCCEEDED')).toBe(true);
    expect(new Set(keys.map((key) => outcomesOf(key)[0]?.name)).size).toBe(200);
    expect(trigger.stats.started - startedBefore).toBe(200);
  });

  it('a duplicated event (at-least-once delivery) classifies the image once', async () => {
    const seen: ObjectChange[] = [];
    const unsubscribe = runtime.localS3.notifications.subscribe((change) => seen.push(change));
    stub.setProbabilities([0.2, 0.8]);
    await trigger.idle();
    const callsBefore = stub.calls;
    const duplicatesBefore = trigger.stats.duplicates;
    await put('incoming/twice.png');
    unsubscribe();
    const change = seen.find((candidate) => candidate.key === 'incoming/twice.png');
    expect(change).toBeDefined();
    const scope = { region: runtime.config.region, accountId: '000000000000' };
    // Redelivered at once (the first execution has not closed yet), and again after it closed:
    // new event ids, the same object.
    expect(runtime.engine.executions.latestForObject(bucket(), 'incoming/twice.png')).toBeUndefined();
    trigger.bus.putEvent(s3ObjectEvent(change as never, scope) as never);
    await waitForOutcomes('incoming/twice.png');
    trigger.bus.putEvent(s3ObjectEvent(change as never, scope) as never);
    await trigger.idle();
    expect(outcomesOf('incoming/twice.png')).toHaveLength(1);
    expect(trigger.stats.duplicates - duplicatesBefore).toBe(2);
    expect(stub.calls - callsBefore).toBe(1);
    // The late duplicate's intake took the documented path: ExecutionAlreadyExists, caught.
    const name = outcomesOf('incoming/twice.png')[0]?.name;
    const lateIntake = intakeClosed.findLast(
      (snapshot) => (snapshot.input as { key?: string }).key === 'incoming/twice.png',
    );
    expect(lateIntake?.status).toBe('SUCCEEDED');
    expect((lateIntake?.output as { already_started?: unknown } | undefined)?.already_started).toMatchObject({
      Error: 'StepFunctions.ExecutionAlreadyExistsException',
      Cause: expect.stringContaining(`:${name}'`),
    });
  });

  it('a bad image: a failed execution, and a notification with its Error and Cause', async () => {
    await put('incoming/not-an-image.png', 'hello, I am text');
    await waitForOutcomes('incoming/not-an-image.png');
    await trigger.idle();
    const [record] = outcomesOf('incoming/not-an-image.png') as [ExecutionRecord];
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('InvalidImage');
    const file = trigger.notifications.fileOf(trigger.topicArn);
    expect(file).toBe(path.join(dataDir, 'notifications', 'scones-dev-execution-failures.jsonl'));
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const notice = lines.find((line) => line.message.execution === record.name);
    expect(notice.message).toMatchObject({
      status: 'FAILED',
      error: 'InvalidImage',
      cause: record.cause,
      console: expect.stringContaining(record.executionArn),
    });
    expect(JSON.parse(notice.message.input).s3_key).toBe('incoming/not-an-image.png');
    // Only failures notify: every earlier (successful) execution left no line.
    expect(lines).toHaveLength(1);
  });

  it('an upload outside the prefix, a delete, and the objects the kit writes start nothing', async () => {
    await trigger.idle();
    const { started } = trigger.stats;
    const eventsBefore = trigger.bus.stats.events;
    await put('uploads/elsewhere.png');
    await put('incomingx/almost.png');
    await runtime.s3.send(new DeleteObjectCommand({ Bucket: bucket(), Key: 'incoming/bike.png' }));
    await trigger.idle();
    expect(trigger.bus.stats.events - eventsBefore).toBe(3);
    expect(trigger.stats.started).toBe(started);

    // A low-confidence upload: its execution writes review/<name>.json, which must not start another.
    stub.setProbabilities([0.55, 0.45]);
    await put('incoming/unsure.png');
    await waitForOutcomes('incoming/unsure.png');
    await trigger.idle();
    const [record] = outcomesOf('incoming/unsure.png') as [ExecutionRecord];
    expect(record.output).toMatchObject({ decision: 'manual-review' });
    const reviewKey = `review/${record.name}.json`;
    await runtime.s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: reviewKey }));
    expect(trigger.stats.started).toBe(started + 1);
  });
});

describe('embedded trigger: configuration and restarts', () => {
  it('remembers outcomes across a restart: a late duplicate still starts nothing', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'scones-trigger-restart-'));
    const env = { INTAKE_PREFIX: 'inbox/' };
    try {
      const first = await startEmbeddedRuntime({ dataDir: folder, predictor: stub, env, trigger: true });
      let change: ObjectChange | undefined;
      first.localS3.notifications.subscribe((seen) => {
        change = seen;
      });
      stub.setProbabilities([0.9, 0.1]);
      await first.s3.send(
        new PutObjectCommand({ Bucket: first.config.bucket, Key: 'inbox/a.png', Body: png }),
      );
      await vi.waitFor(() => expect(first.trigger?.stats.started).toBe(1), { timeout: 20_000 });
      await first.stop();

      const second = await startEmbeddedRuntime({ dataDir: folder, predictor: stub, env, trigger: true });
      try {
        expect(second.engine.executions.latestForObject(second.config.bucket, 'inbox/a.png')).toMatchObject({
          status: 'SUCCEEDED',
          output: { decision: 'short-range' },
        });
        const scope = { region: second.config.region, accountId: '000000000000' };
        second.trigger?.bus.putEvent(s3ObjectEvent(change as never, scope) as never);
        await second.trigger?.idle();
        expect(second.trigger?.stats).toEqual({ started: 0, duplicates: 1, failed: 0 });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('reloads edited rule files, and keeps the rules in use when an edit is broken', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'scones-trigger-reload-'));
    const rulesDirectory = path.join(folder, 'rules');
    await cp(EVENT_RULES_DIR, rulesDirectory, { recursive: true });
    const local = await startEmbeddedRuntime({
      dataDir: folder,
      predictor: stub,
      trigger: { rulesDirectory },
    });
    try {
      const reload = () => local.trigger?.reloadRules();
      const before = local.trigger?.bus.rules ?? [];
      expect(before.map((rule) => rule.name).sort()).toEqual([
        'scones-dev-execution-failed',
        'scones-dev-image-uploaded',
        'scones-dev-retrain-on-drift-alarm',
        'scones-dev-retrain-on-reviewed-labels',
      ]);
      const file = path.join(rulesDirectory, 'image-uploaded.json');
      const original = await readFile(file, 'utf8');
      await writeFile(file, original.replace('"prefix"', '"prefx"'));
      expect(reload).toThrow(
        /image-uploaded\.json: EventPattern: detail\.object\.key\[0\]: unknown operator "prefx"/,
      );
      expect(local.trigger?.bus.rules).toEqual(before);
      await writeFile(file, original.replace('"key": [', '"key": [{ "prefix": "other/" }, '));
      reload();
      const uploaded = local.trigger?.bus.rules.find((rule) => rule.name === 'scones-dev-image-uploaded');
      const event = (key: string) => ({
        source: 'aws.s3',
        'detail-type': 'Object Created',
        detail: { bucket: { name: 'scones-images' }, object: { key } },
      });
      expect(uploaded?.matches(event('other/a.png'))).toBe(true);
      expect(uploaded?.matches(event('incoming/a.png'))).toBe(true);
      expect(uploaded?.matches(event('elsewhere/a.png'))).toBe(false);
    } finally {
      await local.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses an intake prefix that would catch what the kit writes', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'scones-trigger-config-'));
    const start = (options: Parameters<typeof startEmbeddedRuntime>[0]) =>
      startEmbeddedRuntime({ dataDir: folder, predictor: stub, trigger: true, ...options });
    try {
      const capture = { destinationS3Uri: 's3://scones-images/incoming/capture' };
      await expect(start({ capture })).rejects.toThrow(ConfigError);
      await expect(start({ capture })).rejects.toThrow(/overlaps the intake prefix "incoming\/"/);
      await expect(start({ env: { INTAKE_PREFIX: 'review/in/' } })).rejects.toThrow(/overlaps REVIEW_PREFIX/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
