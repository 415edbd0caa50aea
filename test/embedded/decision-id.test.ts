/**
 * One id per decision, end to end on the embedded tier: the execution, the endpoint's captured
 * record (`eventMetadata.inferenceId`), the review item and the Lambdas' log and metric lines all
 * carry the same inference id, and the run's lines land in `<data dir>/logs/<run id>.jsonl`.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { type CaptureRecord, createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import type { ExecutionRecord } from '../../src/workflow/execution.ts';
import { inferenceIdFor } from '../../src/workflow/inference-id.ts';
import type { WorkflowResult } from '../../src/workflow/types.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';
import { type LogRecord, metricPoints, parseLines } from '../lambdas/telemetry-capture.ts';

const RUN_ID = 'decision-id-test';
const stub = createStubPredictor();
let runtime: EmbeddedRuntime;
let dataDir: string;
let unsure: ExecutionRecord;
let confident: ExecutionRecord;
let longName: ExecutionRecord;
let lines: string[];
/** 80 characters, the longest execution name: longer than an InferenceId may be. */
const LONG_NAME = `nightly-batch-${'0123456789'.repeat(6)}-order-17`.slice(0, 80);

async function text(key: string): Promise<string> {
  const object = await runtime.s3.send(new GetObjectCommand({ Bucket: runtime.config.bucket, Key: key }));
  return (await object.Body?.transformToString()) ?? '';
}

async function capturedRecords(): Promise<CaptureRecord[]> {
  await runtime.endpoint.capture?.flush();
  const listed = await runtime.s3.send(
    new ListObjectsV2Command({ Bucket: runtime.config.bucket, Prefix: 'data_capture/' }),
  );
  const files = await Promise.all((listed.Contents ?? []).map(({ Key }) => text(Key as string)));
  return files.flatMap((file) =>
    file
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as CaptureRecord),
  );
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-decision-id-'));
  runtime = await startEmbeddedRuntime({
    dataDir,
    predictor: stub,
    retryDelayMs: 0,
    runId: RUN_ID,
    capture: { destinationS3Uri: 's3://scones-images/data_capture', flushIntervalMs: 60_000 },
  });
  const png = await rgbToPng((await readCifarRecord(4)).rgb);
  await runtime.s3.send(
    new PutObjectCommand({ Bucket: runtime.config.bucket, Key: 'orders/17.png', Body: png }),
  );
  const event = { image_data: '', s3_bucket: runtime.config.bucket, s3_key: 'orders/17.png' };
  stub.setProbabilities([0.55, 0.45]);
  unsure = await runtime.run(event, 'order-17-unsure');
  longName = await runtime.run(event, LONG_NAME);
  stub.setProbabilities([0.95, 0.05]);
  confident = await runtime.run(event, 'order-17-confident');
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('one id per decision', () => {
  it('is the execution name in the output, the captured record and the review item', async () => {
    expect(unsure.output).toMatchObject({ decision: 'manual-review', inference_id: 'order-17-unsure' });
    expect(confident.output).toMatchObject({ decision: 'short-range', inference_id: 'order-17-confident' });

    const captured = await capturedRecords();
    const byId = new Map(captured.map((record) => [record.eventMetadata.inferenceId, record]));
    expect([...byId.keys()].sort()).toEqual(
      ['order-17-confident', 'order-17-unsure', inferenceIdFor(LONG_NAME)].sort(),
    );
    expect(JSON.parse(byId.get('order-17-unsure')?.captureData.endpointOutput?.data ?? '')).toEqual([
      0.55, 0.45,
    ]);

    const review = JSON.parse(await text('review/order-17-unsure.json'));
    expect(review).toMatchObject({
      inference_id: 'order-17-unsure',
      s3_key: 'orders/17.png',
      confident: false,
    });
  });

  it('is derived, and the same everywhere, for an execution name longer than an InferenceId', async () => {
    const id = inferenceIdFor(LONG_NAME);
    expect(LONG_NAME).toHaveLength(80);
    expect(id).toHaveLength(64);
    const result = longName.output as WorkflowResult;
    expect(result.inference_id).toBe(id);
    expect(result.review_item?.key).toBe(`review/${LONG_NAME}.json`);
    expect(JSON.parse(await text(`review/${LONG_NAME}.json`)).inference_id).toBe(id);
  });
});

describe("the run's log file", () => {
  beforeAll(async () => {
    await runtime.stop(); // closes the log: every line is on disk
    lines = (await readFile(runtime.runLog.path, 'utf8')).trimEnd().split('\n');
  });

  it('is <data dir>/logs/<run id>.jsonl and holds only JSON lines', async () => {
    expect(runtime.runLog.path).toBe(path.join(dataDir, 'logs', `${RUN_ID}.jsonl`));
    expect(await readdir(path.join(dataDir, 'logs'))).toEqual([`${RUN_ID}.jsonl`]);
    expect(lines.length).toBe(runtime.runLog.lines);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it('joins each execution to its log records by inference id and image key', () => {
    const { logs } = parseLines(lines);
    const of = (id: string) => logs.filter((record) => record.inference_id === id);
    const messages = (records: LogRecord[]) =>
      records.map((record) => [record.function_name, record.message]);
    expect(messages(of('order-17-unsure'))).toEqual([
      ['scones-dev-classify-image', 'image classified'],
      ['scones-dev-filter-inferences', 'decision'],
    ]);
    expect(of('order-17-unsure')[1]).toMatchObject({ route: 'manual-review', s3_key: 'orders/17.png' });
    expect(of(inferenceIdFor(LONG_NAME))[0]?.execution_name).toBe(LONG_NAME);
    // SerializeImageData sees the execution input only: it is keyed by the image.
    const serialized = logs.filter((record) => record.message === 'image serialized');
    expect(serialized).toHaveLength(3);
    expect(serialized.every((record) => record.s3_key === 'orders/17.png')).toBe(true);
    expect(
      logs
        .filter((record) => record.cold_start === true)
        .map((record) => record.function_name)
        .sort(),
    ).toEqual([
      'scones-dev-classify-image',
      'scones-dev-filter-inferences',
      'scones-dev-serialize-image-data',
    ]);
  });

  it('holds the EMF metrics: the route of each decision is the one the state machine took', () => {
    const points = metricPoints(parseLines(lines).emf);
    const decisions = points.filter((point) => point.name === 'Decisions');
    const routeOf = (id: string) =>
      decisions.find((point) => point.document.inference_id === id)?.dimensions.route;
    for (const execution of [unsure, confident, longName]) {
      const result = execution.output as WorkflowResult;
      expect(routeOf(result.inference_id)).toBe(result.decision);
    }
    const latency = points.filter((point) => point.name === 'ModelLatency');
    expect(latency.map((point) => point.document.inference_id).sort()).toEqual(
      ['order-17-confident', 'order-17-unsure', inferenceIdFor(LONG_NAME)].sort(),
    );
    expect(points.every((point) => point.namespace === 'Scones')).toBe(true);
  });
});
