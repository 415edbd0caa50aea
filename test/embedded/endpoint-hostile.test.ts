/**
 * The local endpoint is never brought down: thousands of malformed requests (the generic corpus of
 * test/support/hostile-requests.ts, a fast-check property), hostile control JSON, slow clients and
 * oversized bodies; afterwards it still answers InvokeEndpoint through the real SDK, and its
 * counters and data capture hold exactly what the valid traffic made.
 */
import type { PutObjectCommand, PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import {
  InvokeEndpointCommand,
  type SageMakerRuntimeClient,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageMakerRuntimeClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import {
  createStubPredictor,
  type EndpointServer,
  MAX_LATENCY_MS,
  type StubPredictor,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';
import { forEachConcurrent } from '../../training/concurrency.ts';
import {
  encodeRequest,
  HOSTILE_CLASSES,
  type HostileRequest,
  type HttpTarget,
  hostileRequest,
  type RawOutcome,
  sendRaw,
  sendSlowly,
} from '../support/hostile-requests.ts';

const ENDPOINT = 'hostile-test';
const ROUTES = [
  `/endpoints/${ENDPOINT}/invocations`,
  '/endpoints/other/invocations',
  '/invocations',
  '/ping',
  '/_stub/behavior',
  '/_stub/capture/flush',
  '/',
];
/** Requests per property run and runs: 6 x 500 = 3000 malformed requests. */
const BATCH = 500;
const RUNS = 6;
const CONCURRENCY = 32;
/** Short: a request that cannot complete (truncated body) costs this much, in parallel. */
const SEND_TIMEOUT_MS = 150;

/** A stand-in S3 client that keeps what capture writes, so this test does not depend on the local S3. */
function recordingS3(puts: PutObjectCommandInput[]): S3Client {
  const client = {
    async send(command: PutObjectCommand) {
      puts.push(command.input);
      return {};
    },
    destroy() {},
  };
  return client as unknown as S3Client;
}

function errorTypeOf(outcome: RawOutcome): string | undefined {
  return /\r\nx-amzn-errortype: ([^\r]+)/i.exec(outcome.received.toString('latin1'))?.[1];
}

describe('local endpoint under hostile requests', () => {
  let stub: StubPredictor;
  let server: EndpointServer;
  let runtime: SageMakerRuntimeClient;
  let target: HttpTarget;
  let image: Buffer;
  const puts: PutObjectCommandInput[] = [];

  const invoke = () =>
    runtime.send(
      new InvokeEndpointCommand({ EndpointName: ENDPOINT, ContentType: 'image/png', Body: image }),
    );

  beforeAll(async () => {
    stub = createStubPredictor();
    server = await startEndpointServer({
      predictor: stub,
      endpointName: ENDPOINT,
      capture: { destinationS3Uri: 's3://capture/hostile', s3: recordingS3(puts), flushIntervalMs: 600_000 },
      limits: { headersTimeoutMs: 500, requestTimeoutMs: 1500 },
    });
    target = { host: '127.0.0.1', port: server.port, basePath: '' };
    runtime = createSageMakerRuntimeClient(loadConfig({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url }), {
      maxAttempts: 1,
    });
    image = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#3366aa' } })
      .png()
      .toBuffer();
  });

  afterAll(async () => {
    runtime?.destroy();
    await server?.stop();
  });

  it('answers thousands of malformed requests without a 5xx, then InvokeEndpoint, counters intact', async () => {
    const before = { faults: server.faults.state(), captured: server.capture?.captured };
    // Half carry the image content type, so that their bodies reach the model.
    const malformed = fc.oneof(
      hostileRequest(target, { routes: ROUTES }),
      hostileRequest(target, { routes: ROUTES, headers: [['Content-Type', 'image/png']] }),
    );
    const statuses = new Map<number, number>();
    const errorTypes = new Set<string>();
    const kinds = new Set<string>();
    let sent = 0;
    const started = performance.now();

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(malformed, fc.boolean()), {
          minLength: BATCH,
          maxLength: BATCH,
        }),
        async (batch) => {
          const outcomes: RawOutcome[] = [];
          await forEachConcurrent(batch, CONCURRENCY, async ([request, halfClose], index) => {
            outcomes[index] = await sendRaw(target, request.bytes, { timeoutMs: SEND_TIMEOUT_MS, halfClose });
          });
          sent += batch.length;
          outcomes.forEach((outcome, index) => {
            const [request] = batch[index] as [HostileRequest, boolean];
            kinds.add(request.kind);
            // Whatever came back is HTTP (never a stack trace or half a response line) and no
            // request makes the server fail (the guard would answer 500 InternalFailure).
            if (outcome.received.length > 0)
              expect(outcome.received.toString('latin1')).toMatch(/^HTTP\/1\.1 /);
            if (outcome.status === undefined) return;
            expect(
              outcome.status,
              `${request.kind}: ${request.bytes.subarray(0, 200).toString('latin1')}`,
            ).toBeLessThan(500);
            statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
            const errorType = errorTypeOf(outcome);
            if (errorType) errorTypes.add(errorType);
          });
          const ping = await sendRaw(
            target,
            encodeRequest({ method: 'GET', target: '/ping', headers: [['Host', 'x']] }),
          );
          expect(ping.status).toBe(200);
        },
      ),
      { numRuns: RUNS },
    );
    const elapsedMs = performance.now() - started;
    console.log(
      `endpoint-hostile: ${sent} malformed requests in ${Math.round(elapsedMs)} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );

    // The corpus reached both Node's parser (400, 431) and the endpoint's own code.
    expect(sent).toBe(BATCH * RUNS);
    expect([...kinds].sort()).toEqual([...HOSTILE_CLASSES].sort());
    for (const status of [200, 400, 404, 424, 431]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);
    expect([...errorTypes]).toEqual(
      expect.arrayContaining(['ValidationError', 'ModelError', 'UnknownOperationException']),
    );

    // Counters: invocations count what reached the container (the stub, or a 415 before it), at
    // most one per request; none was a valid image, so nothing was captured; no fault was set by
    // garbage sent to the control route; the control route reports the same numbers.
    expect(stub.calls).toBeGreaterThan(0);
    expect(server.invocations).toBeGreaterThanOrEqual(stub.calls);
    expect(server.invocations).toBeLessThanOrEqual(sent);
    expect(server.capture?.captured).toBe(before.captured);
    expect(server.faults.state()).toEqual(before.faults);
    const reported = (await (await fetch(`${server.url}/_stub/behavior`)).json()) as {
      invocations: number;
      predictor: { calls: number };
      capture: { captured: number; files: number };
    };
    expect(reported).toMatchObject({
      invocations: server.invocations,
      predictor: { calls: stub.calls },
      capture: { captured: before.captured, files: 0 },
    });

    const counted = { invocations: server.invocations, calls: stub.calls };
    const output = await invoke();
    expect(JSON.parse(Buffer.from(output.Body ?? []).toString())).toHaveLength(2);
    expect(server.invocations).toBe(counted.invocations + 1);
    expect(stub.calls).toBe(counted.calls + 1);
    expect(server.capture?.captured).toBe((before.captured ?? 0) + 1);
    await server.capture?.flush();
    expect(puts).toHaveLength(1);
    const records = String(puts[0]?.Body)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toHaveLength(1);
    expect(records[0].captureData.endpointInput.data).toBe(image.toString('base64'));
  });

  describe('control requests', () => {
    const post = (body: string) =>
      fetch(`${server.url}/_stub/behavior`, { method: 'POST', body }).then(async (response) => ({
        status: response.status,
        errorType: response.headers.get('x-amzn-errortype'),
        body: (await response.json()) as { message?: string },
      }));

    /** Fields a valid request may set; each differs from the state the test starts from. */
    const validPart = fc.record(
      {
        reset: fc.constant(true),
        latencyMs: fc.integer({ min: 1, max: 100 }),
        fail: fc.record({ status: fc.constantFrom(429, 500, 503), count: fc.integer({ min: 1, max: 3 }) }),
        predictor: fc.constant({ ready: false }),
      },
      { requiredKeys: [] },
    );
    const notANumber = fc.oneof(
      fc.string(),
      fc.constant(null),
      fc.boolean(),
      fc.array(fc.integer()),
      fc.object(),
    );
    /** One field that must be refused: wrong type, out of range, unknown. */
    const invalidPart = fc.oneof(
      fc.record({ reset: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
      fc.record({
        latencyMs: fc.oneof(notANumber, fc.integer({ max: -1 }), fc.integer({ min: MAX_LATENCY_MS + 1 })),
      }),
      fc.record({ fail: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.nat())) }),
      fc.record({
        fail: fc.record({
          status: fc.oneof(
            fc.integer().filter((n) => ![400, 424, 429, 500, 503].includes(n)),
            fc.constant('503'),
          ),
        }),
      }),
      fc.record({
        fail: fc.record({ count: fc.oneof(fc.integer({ max: 0 }), fc.constant(1.5), fc.constant('2')) }),
      }),
      fc.record({ fail: fc.record({ status: fc.constant(503), extra: fc.jsonValue() }) }),
      fc.record({ connections: fc.string().filter((mode) => !['accept', 'refuse', 'reset'].includes(mode)) }),
      fc.constant({ connections: 'refuse' }),
      fc.record({
        connections: fc.constant('reset'),
        durationMs: fc.oneof(notANumber, fc.integer({ max: -1 })),
      }),
      fc.record({ predictor: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
      fc.record({
        predictor: fc.record({
          probabilities: fc.oneof(fc.string(), fc.constant([]), fc.array(fc.string(), { minLength: 1 })),
        }),
      }),
      fc.record({
        predictor: fc.record({ script: fc.oneof(fc.string(), fc.array(fc.string(), { minLength: 1 })) }),
      }),
      fc.record({ predictor: fc.record({ ready: fc.oneof(fc.string(), fc.integer()) }) }),
      fc
        .tuple(
          fc.oneof(
            fc.constantFrom('__proto__', 'constructor', 'prototype', 'latency'),
            fc.string({ minLength: 1 }),
          ),
          fc.jsonValue(),
        )
        .filter(
          ([key]) => !['reset', 'latencyMs', 'fail', 'connections', 'durationMs', 'predictor'].includes(key),
        )
        .map(([key, value]) => JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value) ?? 'null'}}`)),
    );
    const hostileBody = fc.oneof(
      fc.tuple(validPart, invalidPart).map(([valid, invalid]) => JSON.stringify({ ...valid, ...invalid })),
      fc
        .oneof(fc.array(fc.jsonValue()), fc.integer(), fc.string(), fc.constant(null))
        .map((v) => JSON.stringify(v)),
      fc.string({ minLength: 1 }).filter((text) => {
        try {
          const value = JSON.parse(text);
          return typeof value !== 'object' || value === null || Array.isArray(value);
        } catch {
          return text.trim() !== '';
        }
      }),
      fc.integer({ min: 1000, max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
      fc.constantFrom(
        '{"latencyMs": 1e400}',
        '{"fail": {"count": 1e400}}',
        '\u00ff\u00fe{}',
        '{"a":1,"a":2}',
      ),
    );

    it('refuses hostile control JSON whole, naming the problem, and changes nothing', async () => {
      await server.faults.reset();
      server.faults.setLatency(7);
      const before = { faults: server.faults.state(), calls: stub.calls, ready: stub.ready() };
      await fc.assert(
        fc.asyncProperty(hostileBody, async (body) => {
          const answer = await post(body);
          expect(answer.status, body.slice(0, 200)).toBe(400);
          expect(answer.errorType).toBe('ValidationError');
          expect(answer.body.message).toMatch(/\S/);
        }),
        { numRuns: 300 },
      );
      expect(server.faults.state()).toEqual(before.faults);
      expect(stub.ready()).toBe(before.ready);
      expect(stub.calls).toBe(before.calls);

      // A valid request still applies.
      expect((await post('{"reset": true}')).status).toBe(200);
      expect(server.faults.state().latencyMs).toBe(0);
    });

    it('bounds what a client can queue', async () => {
      await server.faults.reset();
      for (let i = 0; i < 999; i++) server.faults.failNext(1);
      expect((await post('{"fail": {"status": 503, "count": 1}}')).status).toBe(200);
      const refused = await post('{"fail": {"status": 503, "count": 1}}');
      expect(refused.status).toBe(400);
      expect(refused.body.message).toMatch(/1000 failures are queued already/);
      expect(server.faults.state().failures).toHaveLength(1000);
      await server.faults.reset();

      stub.script(...Array.from({ length: 9_999 }, () => [0.5, 0.5]));
      const overfull = await post('{"predictor": {"script": [[0.5, 0.5], [0.5, 0.5]]}}');
      expect(overfull.body.message).toMatch(/predictor.script would queue 10001 answers/);
      stub.reset();
    });
  });

  describe('slow and oversized clients', () => {
    const validHead = (extra: [string, string][] = []) =>
      encodeRequest({ method: 'GET', target: '/ping', headers: [['Host', 'x'], ...extra] });

    it('answers 408 to a client that dribbles its headers, and drops a stalled body', async () => {
      const head = `POST /endpoints/${ENDPOINT}/invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\n`;
      // Three connections at once: each waits on its own timeout of the server.
      const [slowHeaders, silent, stalledBody] = await Promise.all([
        // ~6 s to send it all; headersTimeoutMs is 500 (checked every 125 ms).
        sendSlowly(target, validHead([['X-Padding', 'p'.repeat(300)]]), { delayMs: 20, timeoutMs: 10_000 }),
        sendRaw(target, Buffer.alloc(0), { timeoutMs: 5000 }),
        sendSlowly(target, Buffer.from(head + 'x'.repeat(1000)), {
          chunkSize: head.length,
          delayMs: 6000,
          timeoutMs: 10_000,
        }),
      ]);
      expect(slowHeaders.status).toBe(408);
      expect(slowHeaders.elapsedMs).toBeLessThan(4000);
      expect(slowHeaders.bytesSent).toBeLessThan(300);

      expect(silent.status).toBe(408);

      expect(stalledBody.end).not.toBe('timeout'); // the server closed it (requestTimeoutMs 1500)
      expect(stalledBody.elapsedMs).toBeLessThan(5000);
      expect(stalledBody.bytesSent).toBe(head.length);

      expect((await invoke()).Body).toBeDefined();
    });

    it('refuses a body over 6 MB with the service error, without reading it, then closes', async () => {
      const calls = stub.calls;
      const thrown = await invoke_(Buffer.alloc(6 * 1024 * 1024 + 1));
      expect(thrown).toBeInstanceOf(ValidationError);
      expect(thrown.message).toMatch(/^Request [0-9a-f-]{36} has oversize body\.$/);

      // Declared too large: answered from the headers, though the body never comes.
      const declared = `POST /endpoints/${ENDPOINT}/invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 7000000\r\n\r\nabc`;
      const early = await sendRaw(target, Buffer.from(declared), { timeoutMs: 3000 });
      expect(early.status).toBe(400);
      expect(errorTypeOf(early)).toBe('ValidationError');
      expect(early.received.toString('latin1')).toMatch(/\r\nconnection: close\r\n/i);
      expect(early.elapsedMs).toBeLessThan(1000);

      // Chunked, no length: refused once past the limit, long before the 64 MB are sent.
      const chunk = Buffer.alloc(1024 * 1024, 1);
      const chunked = Buffer.concat([
        Buffer.from(
          `POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n`,
        ),
        ...Array.from({ length: 64 }, () =>
          Buffer.concat([Buffer.from('100000\r\n'), chunk, Buffer.from('\r\n')]),
        ),
        Buffer.from('0\r\n\r\n'),
      ]);
      const streamed = await sendRaw(target, chunked, { timeoutMs: 5000 });
      expect(streamed.status).toBe(413);
      expect(streamed.end).not.toBe('timeout');

      expect(stub.calls).toBe(calls);
      expect((await invoke()).Body).toBeDefined();
    });

    async function invoke_(body: Buffer): Promise<Error> {
      return runtime
        .send(new InvokeEndpointCommand({ EndpointName: ENDPOINT, ContentType: 'image/png', Body: body }))
        .then(
          () => new Error('expected a rejection'),
          (error: Error) => error,
        );
    }
  });

  it('answers each kind of malformed request as the service would', async () => {
    const raw = (method: string, path: string, headers: [string, string][] = [], body = '') =>
      sendRaw(
        target,
        encodeRequest({
          method,
          target: path,
          headers: [
            ['Host', 'x'],
            ['Connection', 'close'],
            ['Content-Type', 'image/png'],
            ...headers,
            ['Content-Length', String(body.length)],
          ],
          body: Buffer.from(body, 'latin1'),
        }),
      );
    const cases: [Promise<RawOutcome>, number, string | undefined][] = [
      [raw('POST', '/endpoints/%zz/invocations', [], 'x'), 400, 'ValidationError'],
      [raw('POST', '/endpoints/..%2f_stub%2fbehavior/invocations', [], 'x'), 400, 'ValidationError'],
      [raw('POST', '/endpoints/a%00b/invocations', [], 'x'), 400, 'ValidationError'],
      [raw('POST', '/endpoints/other/invocations', [], 'x'), 400, 'ValidationError'],
      [raw('POST', `/endpoints/${ENDPOINT}/invocations`, [], 'not an image'), 424, 'ModelError'],
      [raw('PROPFIND', '/ping'), 404, 'UnknownOperationException'],
      [raw('DELETE', `/endpoints/${ENDPOINT}/invocations`), 404, 'UnknownOperationException'],
      [raw('GET', '/_stub/../_stub/behavior'), 404, 'UnknownOperationException'],
      [raw('GET', '/../../etc/passwd'), 404, 'UnknownOperationException'],
      [raw('FOO', '/ping'), 400, undefined], // Node's parser: not an HTTP method
      [raw('GET', '/ping', [['X-Huge', 'a'.repeat(20_000)]]), 431, undefined],
      [raw('GET', `/ping?q=${'a'.repeat(100_000)}`), 431, undefined],
      [raw('GET', '/pi\u0000ng'), 400, undefined],
      [raw('POST', '/_stub/behavior', [], '{"__proto__": {"reset": true}}'), 400, 'ValidationError'],
    ];
    for (const [outcome, status, errorType] of cases) {
      const answer = await outcome;
      expect(answer.status, answer.received.toString('latin1').slice(0, 300)).toBe(status);
      expect(errorTypeOf(answer)).toBe(errorType);
    }
  });
});
