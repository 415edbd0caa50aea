/**
 * The CBOR codec of the RPC v2 CBOR route, against RFC 8949 Appendix A's examples, and hostile
 * CBOR bodies on the route: each answered as a SerializationException in CBOR, the port serving on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudWatchService,
  cloudWatchRoute,
  createCloudWatchService,
  decodeCbor,
  encodeCbor,
} from '../../../src/embedded/cloudwatch/index.ts';
import { type Gateway, startGateway } from '../../../src/embedded/gateway/index.ts';

const hex = (text: string) => Buffer.from(text, 'hex');

describe('CBOR codec', () => {
  it.each([
    ['00', 0],
    ['17', 23],
    ['1818', 24],
    ['1903e8', 1000],
    ['1a000f4240', 1000000],
    ['20', -1],
    ['3903e7', -1000],
    ['f93c00', 1],
    ['f97bff', 65504],
    ['fa47c35000', 100000],
    ['fb3ff199999999999a', 1.1],
    ['f4', false],
    ['f5', true],
    ['f6', null],
    ['6449455446', 'IETF'],
    ['62c3bc', '\u00fc'],
    ['83010203', [1, 2, 3]],
    ['9f018202039f0405ffff', [1, [2, 3], [4, 5]]],
    ['a26161016162820203', { a: 1, b: [2, 3] }],
    ['bf6346756ef563416d7421ff', { Fun: true, Amt: -2 }],
    ['7f657374726561646d696e67ff', 'streaming'],
    ['c11a514b67b0', 1363896240],
    ['c1fb41d452d9ec200000', 1363896240.5],
  ])('decodes %s', (bytes, value) => {
    expect(decodeCbor(hex(bytes))).toEqual(value);
  });

  it('encodes what it decodes, timestamps under *Timestamp(s) keys as tag 1', () => {
    const value = { Label: 'M', Values: [1, 2.5, -3], Timestamps: [1363896240], Ok: true, None: null };
    const bytes = encodeCbor(value);
    expect(decodeCbor(bytes)).toEqual(value);
    expect(bytes.includes(hex('c11a514b67b0'))).toBe(true);
    expect(encodeCbor({ Value: 1363896240 }).includes(hex('c1'))).toBe(false);
  });

  it.each([
    ['truncated', '83 01 02'],
    ['length past the end', '5a ff ff ff ff 00'],
    ['a map key that is not text', 'a1 01 02'],
    ['trailing bytes', '01 02'],
    ['a stray break', '81 ff'],
    ['a reserved additional information', '1c'],
    ['nesting over 64 levels', `${'81'.repeat(100)}00`],
  ])('refuses %s', (_name, bytes) => {
    expect(() => decodeCbor(hex(bytes.replaceAll(' ', '')))).toThrow(/CBOR/);
  });
});

describe('the RPC v2 CBOR route', () => {
  let dir: string;
  let service: CloudWatchService;
  let gateway: Gateway;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scones-cloudwatch-cbor-'));
    service = await createCloudWatchService({ dataDir: dir, evaluationIntervalMs: 0 });
    gateway = await startGateway({ routes: [cloudWatchRoute(service)], name: 'test', exposed: 'CloudWatch' });
  });
  afterAll(async () => {
    await gateway.stop();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = (operation: string, body: Buffer) =>
    fetch(`${gateway.url}/service/GraniteServiceVersion20100801/operation/${operation}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' },
    });

  it('serves an unsigned CBOR call by its path, timestamps as tag 1', async () => {
    const put = await call(
      'PutMetricData',
      encodeCbor({
        Namespace: 'N',
        MetricData: [{ MetricName: 'M', Value: 2, Timestamp: Date.now() / 1000 - 120 }],
      }),
    );
    expect(put.status).toBe(200);
    expect(put.headers.get('smithy-protocol')).toBe('rpc-v2-cbor');
    const now = Math.floor(Date.now() / 1000);
    const answer = await call(
      'GetMetricData',
      encodeCbor({
        StartTime: now - 600,
        EndTime: now,
        MetricDataQueries: [
          { Id: 'm', MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 60, Stat: 'Sum' } },
        ],
      }),
    );
    const bytes = Buffer.from(await answer.arrayBuffer());
    expect(
      (decodeCbor(bytes) as { MetricDataResults: { Values: number[] }[] }).MetricDataResults[0]?.Values,
    ).toEqual([2]);
    expect(bytes.includes(Buffer.from([0xc1]))).toBe(true);
  });

  it('answers hostile CBOR with a SerializationException in CBOR, and keeps serving', async () => {
    for (const body of [
      hex('5aff'),
      hex('81'.repeat(10_000)),
      hex('a10102'),
      Buffer.from('{"json": true}'),
    ]) {
      const answer = await call('ListMetrics', body);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('x-amzn-query-error')).toBe('SerializationException;Sender');
      expect(decodeCbor(Buffer.from(await answer.arrayBuffer()))).toMatchObject({
        __type: 'SerializationException',
      });
    }
    const unknown = await call('DropEverything', encodeCbor({}));
    expect(decodeCbor(Buffer.from(await unknown.arrayBuffer()))).toMatchObject({
      __type: 'UnknownOperationException',
    });
    const listed = await call('ListMetrics', encodeCbor({}));
    expect(listed.status).toBe(200);
    expect(
      (decodeCbor(Buffer.from(await listed.arrayBuffer())) as { Metrics: unknown[] }).Metrics,
    ).toHaveLength(1);
  });
});
