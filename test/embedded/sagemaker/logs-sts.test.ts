/**
 * CloudWatch Logs and STS on a running stack's port: STS through the AWS SDK for JavaScript's
 * client (the Query protocol, XML), CloudWatch Logs through requests signed for `logs` as its
 * clients send them (the SDK's Logs client is not a dependency of the kit): groups, streams,
 * ordered batches, GetLogEvents' tokens, FilterLogEvents, pagination, errors, and a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/config.ts';
import { createLogsService, type LogsService } from '../../../src/embedded/logs/index.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../../src/embedded/runtime.ts';

let dir: string;
let runtime: EmbeddedRuntime;

const SIGNED_FOR_LOGS =
  'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=00';

async function logs(action: string, body: unknown) {
  const response = await fetch(`${runtime.localS3.endpoint}/`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: {
      authorization: SIGNED_FOR_LOGS,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `Logs_20140328.${action}`,
    },
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, type: response.headers.get('x-amzn-errortype'), json };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logs-sts-'));
  runtime = await startEmbeddedRuntime({ dataDir: dir, stepFunctionsApi: true, port: 0, s3Thread: false });
});
afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('STS', () => {
  it('answers GetCallerIdentity with the local account through the SDK client', async () => {
    const sts = new STSClient({
      endpoint: runtime.localS3.endpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      expect(identity).toMatchObject({ Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root' });
    } finally {
      sts.destroy();
    }
  });
});

describe('CloudWatch Logs on the gateway', () => {
  it('creates groups and streams, takes ordered batches, reads them back with tokens', async () => {
    expect((await logs('CreateLogGroup', { logGroupName: '/test/app' })).status).toBe(200);
    expect(await logs('CreateLogGroup', { logGroupName: '/test/app' })).toMatchObject({
      status: 400,
      type: 'ResourceAlreadyExistsException',
    });
    expect(await logs('CreateLogStream', { logGroupName: '/test/none', logStreamName: 's' })).toMatchObject({
      status: 400,
      type: 'ResourceNotFoundException',
      json: { message: 'The specified log group does not exist.' },
    });
    expect(await logs('CreateLogStream', { logGroupName: '/test/app', logStreamName: 'a:b' })).toMatchObject({
      type: 'ValidationException',
    });
    await logs('CreateLogStream', { logGroupName: '/test/app', logStreamName: 'one' });
    const now = Date.now();
    const events = [0, 1, 2, 3, 4].map((i) => ({
      timestamp: now + i,
      message: `line ${i}${i === 3 ? ' error' : ''}`,
    }));
    expect(
      await logs('PutLogEvents', {
        logGroupName: '/test/app',
        logStreamName: 'one',
        logEvents: [events[1], events[0]],
      }),
    ).toMatchObject({ status: 400, type: 'InvalidParameterException' });
    const put = await logs('PutLogEvents', {
      logGroupName: '/test/app',
      logStreamName: 'one',
      logEvents: [{ timestamp: now - 15 * 24 * 3600 * 1000, message: 'too old' }, ...events],
    });
    expect(put.json.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });

    const head = await logs('GetLogEvents', {
      logGroupName: '/test/app',
      logStreamName: 'one',
      startFromHead: true,
      limit: 3,
    });
    expect((head.json.events as { message: string }[]).map((e) => e.message)).toEqual([
      'line 0',
      'line 1',
      'line 2',
    ]);
    const rest = await logs('GetLogEvents', {
      logGroupName: '/test/app',
      logStreamName: 'one',
      nextToken: head.json.nextForwardToken,
    });
    expect((rest.json.events as unknown[]).length).toBe(2);
    const end = await logs('GetLogEvents', {
      logGroupName: '/test/app',
      logStreamName: 'one',
      nextToken: rest.json.nextForwardToken,
    });
    expect(end.json).toMatchObject({ events: [], nextForwardToken: rest.json.nextForwardToken });

    const filtered = await logs('FilterLogEvents', { logGroupName: '/test/app', filterPattern: 'error' });
    expect(
      (filtered.json.events as { message: string; logStreamName: string }[]).map((e) => e.message),
    ).toEqual(['line 3 error']);
    expect(await logs('DescribeLogGroups', { limit: 0 })).toMatchObject({ type: 'ValidationException' });
    expect(await logs('LaunchRocket', {})).toMatchObject({ type: 'UnknownOperationException' });
    expect(await logs('DescribeLogGroups', '{oops')).toMatchObject({
      status: 400,
      type: 'SerializationException',
    });
  });

  it('pages groups and streams with nextToken, in the documented orders', async () => {
    for (const name of ['b', 'a', 'c']) await logs('CreateLogGroup', { logGroupName: `/paged/${name}` });
    const first = await logs('DescribeLogGroups', { logGroupNamePrefix: '/paged/', limit: 2 });
    const second = await logs('DescribeLogGroups', {
      logGroupNamePrefix: '/paged/',
      limit: 2,
      nextToken: first.json.nextToken,
    });
    const names = [
      ...(first.json.logGroups as { logGroupName: string }[]),
      ...(second.json.logGroups as { logGroupName: string }[]),
    ];
    expect(names.map((g) => g.logGroupName)).toEqual(['/paged/a', '/paged/b', '/paged/c']);
    expect(second.json.nextToken).toBeUndefined();
    for (const stream of ['x', 'xy', 'y'])
      await logs('CreateLogStream', { logGroupName: '/paged/a', logStreamName: stream });
    const descending = await logs('DescribeLogStreams', {
      logGroupName: '/paged/a',
      descending: true,
      limit: 2,
    });
    const more = await logs('DescribeLogStreams', {
      logGroupName: '/paged/a',
      descending: true,
      limit: 2,
      nextToken: descending.json.nextToken,
    });
    expect(
      [
        ...(descending.json.logStreams as { logStreamName: string }[]),
        ...(more.json.logStreams as { logStreamName: string }[]),
      ].map((s) => s.logStreamName),
    ).toEqual(['y', 'xy', 'x']);
    expect(await logs('DescribeLogGroups', { nextToken: 'not-a-token' })).toMatchObject({
      type: 'InvalidParameterException',
    });
  });
});

describe('CloudWatch Logs state', () => {
  let service: LogsService;
  it('keeps groups, streams and events across a restart', async () => {
    const stateDir = path.join(dir, 'restart');
    service = await createLogsService({ dataDir: stateDir });
    service.ingest('/aws/sagemaker/TrainingJobs', 'job/algo-1-1700000000', [
      { timestamp: Date.now(), message: 'Epoch[0] Train-accuracy=0.5' },
    ]);
    await service.close();
    service = await createLogsService({ dataDir: stateDir });
    const read = (await service.call('GetLogEvents', {
      logGroupName: '/aws/sagemaker/TrainingJobs',
      logStreamName: 'job/algo-1-1700000000',
    })) as { events: { message: string }[] };
    expect(read.events.map((e) => e.message)).toEqual(['Epoch[0] Train-accuracy=0.5']);
    await service.close();
  });
});
