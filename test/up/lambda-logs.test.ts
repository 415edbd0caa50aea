/**
 * The Lambdas' JSON lines in the stack's CloudWatch Logs, as Lambda ships them: group
 * `/aws/lambda/<function>`, stream `YYYY/MM/DD/[$LATEST]<32 hex>`, read back with GetLogEvents and
 * FilterLogEvents after an upload's execution; still there after a restart (the lines queued when
 * the stack stopped included).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaLogShipper, lambdaLogStreamName } from '../../src/embedded/functions/index.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { startUpStack, type UpStack } from '../../src/up/stack.ts';
import { resourceNames } from '../../src/workflow/names.ts';
import { bikePng } from './support.ts';

const STREAM = /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/;

let dataDir: string;
let stack: UpStack | undefined;

async function startStack(printed: string[]): Promise<UpStack> {
  return startUpStack({
    port: 0,
    dataDir,
    predictor: createStubPredictor({ probabilities: [0.95, 0.05] }),
    retryDelayMs: 0,
    print: (line) => printed.push(line),
    log: () => undefined,
  });
}

/** A CloudWatch Logs call on the stack's port, signed for `logs` as its clients sign. */
async function logsCall(action: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack?.endpoint}/`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: {
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=00',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `Logs_20140328.${action}`,
    },
  });
  const answer = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(answer)).toBe(200);
  return answer;
}

const names = resourceNames('dev').functions;
const groupOf = (fn: keyof typeof names) => `/aws/lambda/${names[fn]}`;

async function streamsOf(group: string): Promise<string[]> {
  const { logStreams } = await logsCall('DescribeLogStreams', { logGroupName: group });
  return (logStreams as { logStreamName: string }[]).map((stream) => stream.logStreamName);
}

async function messagesOf(group: string): Promise<Record<string, unknown>[]> {
  const [stream] = await streamsOf(group);
  const { events } = await logsCall('GetLogEvents', {
    logGroupName: group,
    logStreamName: stream,
    startFromHead: true,
  });
  return (events as { message: string }[]).map((event) => JSON.parse(event.message));
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-lambda-logs-'));
});
afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the Lambdas’ lines in CloudWatch Logs', () => {
  it('a stack ships each function’s lines to /aws/lambda/<function>, one Lambda-named stream each', async () => {
    const printed: string[] = [];
    stack = await startStack(printed);
    await stack.runtime.s3.send(
      new PutObjectCommand({
        Bucket: stack.runtime.config.bucket,
        Key: 'incoming/bike.png',
        Body: await bikePng(),
      }),
    );
    await expect
      .poll(() => printed.some((line) => line.includes('incoming/bike.png')), { timeout: 20_000 })
      .toBe(true);
    await expect.poll(() => streamsOf(groupOf('filter')).catch(() => []), { timeout: 5_000 }).toHaveLength(1);

    const { logGroups } = await logsCall('DescribeLogGroups', { logGroupNamePrefix: '/aws/lambda/' });
    expect((logGroups as { logGroupName: string }[]).map((group) => group.logGroupName).sort()).toEqual(
      [groupOf('classify'), groupOf('filter'), groupOf('serialize')].sort(),
    );
    const [stream] = await streamsOf(groupOf('serialize'));
    expect(stream).toMatch(STREAM);
    expect(stream?.slice(0, 10)).toBe(new Date().toISOString().slice(0, 10).replaceAll('-', '/'));

    const serialized = await messagesOf(groupOf('serialize'));
    expect(serialized.find((line) => line.message === 'image serialized')).toMatchObject({
      level: 'INFO',
      function_name: names.serialize,
      s3_key: 'incoming/bike.png',
    });
    // Only its own lines: the EMF documents of the function included, no other function's.
    expect(new Set(serialized.map((line) => line.function_name))).toEqual(new Set([names.serialize]));
    expect(serialized.some((line) => '_aws' in line)).toBe(true);

    const { events } = await logsCall('FilterLogEvents', { logGroupName: groupOf('filter') });
    const decisions = (events as { message: string; logStreamName: string }[]).map((event) => ({
      stream: event.logStreamName,
      line: JSON.parse(event.message),
    }));
    expect(decisions.map(({ line }) => line.message)).toContain('decision');
    expect(decisions.every(({ stream: name }) => STREAM.test(name))).toBe(true);
  });

  it('keeps them across a restart, the lines written just before the stop included', async () => {
    const printed: string[] = [];
    await stack?.runtime.s3.send(
      new PutObjectCommand({ Bucket: 'scones-images', Key: 'incoming/last.png', Body: await bikePng() }),
    );
    await stack?.trigger.idle();
    // Stopped at once: the last lines may still be queued in the run log, not yet shipped.
    await stack?.stop();
    stack = await startStack(printed);
    const keys = (await messagesOf(groupOf('filter'))).map((line) => line.s3_key);
    expect(keys).toContain('incoming/bike.png');
    expect(keys).toContain('incoming/last.png');
  });
});

describe('lambdaLogShipper', () => {
  it('groups lines by function_name, keeps each function on one stream, drops lines of no function', () => {
    const ingested: { group: string; stream: string; messages: string[]; at: number[] }[] = [];
    const ship = lambdaLogShipper(
      (group, stream, events) =>
        ingested.push({
          group,
          stream,
          messages: events.map((e) => e.message),
          at: events.map((e) => e.timestamp),
        }),
      () => Date.UTC(2026, 11, 31, 23, 59),
    );
    const a1 = '{"level":"INFO","function_name":"fn-a","n":1}';
    const b1 = '{"_aws":{},"function_name":"fn-b","n":2}';
    const a2 = '{"level":"INFO","function_name":"fn-a","n":3,"extra":{"function_name":"fn-b"}}';
    ship([a1, b1, '{"level":"INFO","message":"no function"}', a2]);
    ship([a1]);
    expect(ingested.map(({ group, messages }) => [group, messages])).toEqual([
      ['/aws/lambda/fn-a', [a1, a2]],
      ['/aws/lambda/fn-b', [b1]],
      ['/aws/lambda/fn-a', [a1]],
    ]);
    expect(ingested[0]?.stream).toMatch(/^2026\/12\/31\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(ingested[2]?.stream).toBe(ingested[0]?.stream);
    expect(ingested[1]?.stream).not.toBe(ingested[0]?.stream);
    expect(ingested[0]?.at).toEqual([Date.UTC(2026, 11, 31, 23, 59), Date.UTC(2026, 11, 31, 23, 59)]);
  });

  it('names streams as Lambda does', () => {
    expect(lambdaLogStreamName(new Date('2026-01-02T03:04:05Z'), '$LATEST', 'ab'.repeat(16))).toBe(
      `2026/01/02/[$LATEST]${'ab'.repeat(16)}`,
    );
    expect(lambdaLogStreamName(new Date('2026-01-02T03:04:05Z'), '7')).toMatch(
      /^2026\/01\/02\/\[7\][0-9a-f]{32}$/,
    );
  });
});
