import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, createSageMakerRuntimeClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import {
  type CaptureRecord,
  createStubPredictor,
  type EndpointServer,
  hourPath,
  inferenceIdProblem,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';

const BUCKET = 'capture-bucket';
const ENDPOINT = 'capture-endpoint';

describe('endpoint data capture into the local S3', () => {
  let localS3: LocalS3;
  let s3: S3Client;
  let image: Buffer;
  const servers: EndpointServer[] = [];
  const clients: SageMakerRuntimeClient[] = [];

  async function endpointWith(capture: Parameters<typeof startEndpointServer>[0]['capture']) {
    const server = await startEndpointServer({
      predictor: createStubPredictor(),
      endpointName: ENDPOINT,
      capture,
    });
    const runtime = createSageMakerRuntimeClient(
      loadConfig({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url }),
    );
    servers.push(server);
    clients.push(runtime);
    const invoke = (extra: { InferenceId?: string; Accept?: string } = {}) =>
      runtime.send(
        new InvokeEndpointCommand({
          EndpointName: ENDPOINT,
          ContentType: 'image/png',
          Body: image,
          ...extra,
        }),
      );
    return { server, invoke };
  }

  async function capturedUnder(prefix: string): Promise<{ key: string; records: CaptureRecord[] }[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return Promise.all(
      (listed.Contents ?? []).map(async ({ Key }) => {
        const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
        const text = (await object.Body?.transformToString()) ?? '';
        return {
          key: Key as string,
          records: text
            .trimEnd()
            .split('\n')
            .map((line) => JSON.parse(line)),
        };
      }),
    );
  }

  beforeAll(async () => {
    localS3 = await startLocalS3({ buckets: [BUCKET] });
    s3 = createS3Client(loadConfig({ AWS_ENDPOINT_URL_S3: localS3.endpoint }));
    image = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#c04020' } })
      .png()
      .toBuffer();
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    for (const server of servers) await server.stop();
    s3.destroy();
    await localS3.stop();
  });

  it("writes sampled invocations as SageMaker's JSON Lines, batched per flush, under the hourly path", async () => {
    const { server, invoke } = await endpointWith({
      destinationS3Uri: `s3://${BUCKET}/datacapture/`,
      s3,
      flushIntervalMs: 60_000, // only the explicit flush writes, so the batch is deterministic
    });
    const before = new Date();
    const answers = [
      await invoke({ InferenceId: 'order-1' }),
      await invoke(),
      await invoke({ Accept: 'application/jsonlines' }),
    ];
    expect(await capturedUnder('datacapture/')).toEqual([]); // buffered, not written per request
    await server.capture?.flush();

    const files = await capturedUnder('datacapture/');
    expect(files).toHaveLength(1);
    const [file] = files as [{ key: string; records: CaptureRecord[] }];
    expect(file.records).toHaveLength(3);
    const [first, second, third] = file.records as [CaptureRecord, CaptureRecord, CaptureRecord];
    expect(first.eventVersion).toBe('0');
    const hour = hourPath(new Date(first.eventMetadata.inferenceTime));
    expect(file.key).toMatch(
      new RegExp(`^datacapture/${ENDPOINT}/AllTraffic/${hour}/\\d{2}-\\d{2}-\\d{3}-[0-9a-f-]{36}\\.jsonl$`),
    );
    expect(first.captureData.endpointInput).toEqual({
      observedContentType: 'image/png',
      mode: 'INPUT',
      data: image.toString('base64'),
      encoding: 'BASE64',
    });
    expect(first.captureData.endpointOutput).toEqual({
      observedContentType: 'application/json',
      mode: 'OUTPUT',
      data: Buffer.from(answers[0]?.Body ?? []).toString(),
      encoding: 'JSON',
    });
    expect(first.eventMetadata.inferenceId).toBe('order-1');
    expect(second.eventMetadata.inferenceId).toBeUndefined();
    expect(first.eventMetadata.eventId).not.toBe(second.eventMetadata.eventId);
    expect(first.eventMetadata.inferenceTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Math.abs(Date.parse(first.eventMetadata.inferenceTime) - before.getTime())).toBeLessThan(5000);
    // JSON Lines output is not a JSON content type by default: captured as BASE64, like SageMaker.
    expect(third.captureData.endpointOutput?.encoding).toBe('BASE64');
    expect(Buffer.from(third.captureData.endpointOutput?.data ?? '', 'base64').toString()).toBe(
      Buffer.from(answers[2]?.Body ?? []).toString(),
    );
  });

  it('samples by percentage, captures only the chosen modes, and flushes on stop', async () => {
    let draw = 0;
    const { server, invoke } = await endpointWith({
      destinationS3Uri: `s3://${BUCKET}/sampled`,
      s3,
      samplingPercentage: 50,
      captureModes: ['Output'],
      random: () => (draw++ % 2 === 0 ? 0.2 : 0.7), // every other invocation is sampled
      flushIntervalMs: 60_000,
    });
    for (let i = 0; i < 6; i++) await invoke();
    expect(server.capture?.captured).toBe(3);
    await server.stop();
    const records = (await capturedUnder('sampled/')).flatMap((file) => file.records);
    expect(records).toHaveLength(3);
    for (const record of records) {
      expect(record.captureData.endpointInput).toBeUndefined();
      expect(record.captureData.endpointOutput?.mode).toBe('OUTPUT');
    }
  });

  it('flushes on its own after the interval, without slowing requests', async () => {
    const { invoke } = await endpointWith({
      destinationS3Uri: `s3://${BUCKET}/timed`,
      s3,
      flushIntervalMs: 100,
    });
    await invoke();
    await invoke();
    await expect
      .poll(async () => (await capturedUnder('timed/')).flatMap((file) => file.records).length, {
        timeout: 3000,
      })
      .toBe(2);
  });

  it('keeps records when S3 refuses them and writes them on the next flush', async () => {
    const { server, invoke } = await endpointWith({
      destinationS3Uri: 's3://not-created-yet/late',
      s3,
      flushIntervalMs: 60_000,
    });
    await invoke();
    await server.capture?.flush();
    expect(server.capture?.lastError?.name).toBe('NoSuchBucket');
    await s3.send(new CreateBucketCommand({ Bucket: 'not-created-yet' }));
    await server.capture?.flush();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'not-created-yet', Prefix: 'late/' }));
    expect(listed.KeyCount).toBe(1);
  });

  it('refuses an InferenceId SageMaker would refuse with its ValidationError, and captures nothing', async () => {
    const { server, invoke } = await endpointWith({
      destinationS3Uri: `s3://${BUCKET}/refused`,
      s3,
      flushIntervalMs: 60_000,
    });
    await expect(invoke({ InferenceId: 'x'.repeat(65) })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining(
        "at 'inferenceId' failed to satisfy constraint: Member must have length",
      ),
    });
    // (A leading space never arrives: HTTP drops whitespace around header values.)
    await expect(invoke({ InferenceId: 'tab\tinside' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('regular expression pattern'),
    });
    expect(server.capture?.captured).toBe(0);
    await expect(invoke({ InferenceId: 'x'.repeat(64) })).resolves.toBeDefined();
    expect(server.capture?.captured).toBe(1);
  });

  it('words the InferenceId constraints as SageMaker does', () => {
    expect(inferenceIdProblem(undefined)).toBeUndefined();
    expect(inferenceIdProblem('order-1')).toBeUndefined();
    expect(inferenceIdProblem('')).toContain('length greater than or equal to 1');
    expect(inferenceIdProblem(['a', 'b'])).toContain('regular expression pattern: \\A\\S[\\p{Print}]*\\z');
  });

  it('rejects a destination that is not an s3:// URI and a sampling percentage out of range', async () => {
    await expect(endpointWith({ destinationS3Uri: 'https://example.com/x', s3 })).rejects.toThrow(
      /s3:\/\/bucket/,
    );
    await expect(
      endpointWith({ destinationS3Uri: `s3://${BUCKET}/x`, s3, samplingPercentage: 150 }),
    ).rejects.toThrow(/between 0 and 100/);
  });
});
