import {
  InternalFailure,
  InvokeEndpointCommand,
  type InvokeEndpointCommandInput,
  ModelError,
  type SageMakerRuntimeClient,
  ServiceUnavailable,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSageMakerRuntimeClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import {
  createStubPredictor,
  type EndpointServer,
  type FaultState,
  type StubPredictor,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';
import { ModelInputError } from '../../src/workflow/predictor.ts';

const ENDPOINT = 'test-endpoint';

function png(red: number): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 32, channels: 3, background: { r: red, g: 40, b: 90 } } })
    .png()
    .toBuffer();
}

function runtimeClient(server: EndpointServer, maxAttempts = 1): SageMakerRuntimeClient {
  return createSageMakerRuntimeClient(loadConfig({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url }), {
    maxAttempts,
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error;
}

async function control(server: EndpointServer, body: unknown) {
  const response = await fetch(`${server.url}/_stub/behavior`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { message?: string; faults?: FaultState },
  };
}

describe('local SageMaker endpoint through @aws-sdk/client-sagemaker-runtime', () => {
  let stub: StubPredictor;
  let server: EndpointServer;
  let runtime: SageMakerRuntimeClient;
  let bicycle: Buffer;
  let other: Buffer;

  const invoke = (overrides: Partial<InvokeEndpointCommandInput> = {}, client = runtime) =>
    client.send(
      new InvokeEndpointCommand({
        EndpointName: ENDPOINT,
        ContentType: 'image/png',
        Body: bicycle,
        ...overrides,
      }),
    );
  const probabilitiesOf = (output: { Body?: Uint8Array }) =>
    JSON.parse(Buffer.from(output.Body ?? []).toString());

  beforeAll(async () => {
    stub = createStubPredictor();
    server = await startEndpointServer({ predictor: stub, endpointName: ENDPOINT });
    runtime = runtimeClient(server);
    [bicycle, other] = await Promise.all([png(200), png(10)]);
  });

  afterEach(async () => {
    stub.reset();
    await server.faults.reset();
  });

  afterAll(async () => {
    runtime.destroy();
    await server.stop();
  });

  it('answers a PNG with a JSON list of probabilities derived deterministically from the bytes', async () => {
    const first = await invoke();
    expect(first.ContentType).toBe('application/json');
    expect(first.InvokedProductionVariant).toBe('AllTraffic');
    const probabilities = probabilitiesOf(first);
    expect(probabilities).toHaveLength(2);
    expect(probabilities[0] + probabilities[1]).toBeCloseTo(1, 10);
    expect(probabilitiesOf(await invoke())).toEqual(probabilities);
    expect(probabilitiesOf(await invoke({ Body: other }))).not.toEqual(probabilities);
  });

  it('accepts image/jpeg and application/x-image, and answers JSON Lines when asked', async () => {
    const jpeg = await sharp(bicycle).jpeg().toBuffer();
    const fromJpeg = probabilitiesOf(await invoke({ Body: jpeg, ContentType: 'image/jpeg' }));
    expect(fromJpeg).toHaveLength(2);
    const expected = probabilitiesOf(await invoke());
    const lines = await invoke({ ContentType: 'application/x-image', Accept: 'application/jsonlines' });
    expect(lines.ContentType).toBe('application/jsonlines');
    expect(JSON.parse(Buffer.from(lines.Body ?? []).toString())).toEqual({ prediction: expected });
  });

  it('serves fixed probabilities, a function, and a script, set per test', async () => {
    stub.setProbabilities([0.97, 0.03]);
    expect(probabilitiesOf(await invoke())).toEqual([0.97, 0.03]);
    stub.setProbabilities(undefined);
    stub.setPredict((body) => [body.length / 1e6, 1 - body.length / 1e6]);
    expect(probabilitiesOf(await invoke())[0]).toBeCloseTo(bicycle.length / 1e6, 12);
    stub.script([0.1, 0.9], new ModelInputError('scripted refusal', 415));
    expect(probabilitiesOf(await invoke())).toEqual([0.1, 0.9]);
    const refused = await rejectionOf(invoke());
    expect(refused).toBeInstanceOf(ModelError);
    expect((refused as ModelError).OriginalStatusCode).toBe(415);
  });

  it('raises ValidationError for an unknown endpoint and for an empty body', async () => {
    const unknown = await rejectionOf(invoke({ EndpointName: 'no-such-endpoint' }));
    expect(unknown).toBeInstanceOf(ValidationError);
    expect(unknown.message).toBe('Endpoint no-such-endpoint of account 000000000000 not found.');
    expect((unknown as ValidationError).$metadata.httpStatusCode).toBe(400);
    const empty = await rejectionOf(invoke({ Body: Buffer.alloc(0) }));
    expect(empty).toBeInstanceOf(ValidationError);
  });

  it('raises ModelError 424 with the container answer for what is not an image', async () => {
    const error = await rejectionOf(invoke({ Body: Buffer.from('hello, not an image') }));
    expect(error).toBeInstanceOf(ModelError);
    const modelError = error as ModelError;
    expect(modelError.$metadata.httpStatusCode).toBe(424);
    expect(modelError.OriginalStatusCode).toBe(400);
    expect(modelError.OriginalMessage).toMatch(/not a PNG or JPEG/);
    expect(modelError.LogStreamArn).toBe(
      `arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/${ENDPOINT}`,
    );
    expect(modelError.message).toMatch(/^Received client error \(400\) from primary with message/);
    const unsupported = await rejectionOf(invoke({ ContentType: 'text/csv' }));
    expect((unsupported as ModelError).OriginalStatusCode).toBe(415);
  });

  it('fails with 503 twice, then succeeds', async () => {
    server.faults.failNext(2, 503);
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await rejectionOf(invoke());
      expect(error).toBeInstanceOf(ServiceUnavailable);
      expect((error as ServiceUnavailable).$metadata.httpStatusCode).toBe(503);
    }
    expect(probabilitiesOf(await invoke())).toHaveLength(2);

    // The SDK's own retry sees the same faults as retryable.
    server.faults.failNext(2, 503);
    const retrying = runtimeClient(server, 3);
    const output = await invoke({}, retrying);
    expect(output.$metadata.attempts).toBe(3);
    retrying.destroy();
  });

  it('injects InternalFailure and ModelError statuses', async () => {
    server.faults.failNext(1, 500);
    server.faults.failNext(1, 424, 'boom');
    expect(await rejectionOf(invoke())).toBeInstanceOf(InternalFailure);
    const modelError = (await rejectionOf(invoke())) as ModelError;
    expect(modelError).toBeInstanceOf(ModelError);
    expect(modelError.OriginalStatusCode).toBe(500);
    expect(modelError.OriginalMessage).toBe('boom');
  });

  it('adds latency', async () => {
    server.faults.setLatency(120);
    const started = performance.now();
    await invoke();
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('refuses connections while down, and answers again when back up', async () => {
    await server.faults.refuseConnections();
    const refused = await rejectionOf(invoke());
    expect(`${(refused as NodeJS.ErrnoException).code} ${refused.message}`).toMatch(/ECONNREFUSED/);
    await server.faults.acceptConnections();
    expect(probabilitiesOf(await invoke())).toHaveLength(2);

    await server.faults.resetConnections();
    const reset = await rejectionOf(invoke());
    expect(`${(reset as NodeJS.ErrnoException).code} ${reset.message}`).toMatch(/ECONNRESET|socket hang up/);
  });

  it('is steered over HTTP: faults, stub rules and a timed outage', async () => {
    const bad = await control(server, { fail: { status: 418 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/fault status must be one of/);

    const set = await control(server, {
      fail: { status: 503, count: 1 },
      predictor: { probabilities: [0.2, 0.8] },
    });
    expect(set.status).toBe(200);
    expect(set.body.faults?.failures).toEqual([{ status: 503, remaining: 1, message: expect.any(String) }]);
    expect(await rejectionOf(invoke())).toBeInstanceOf(ServiceUnavailable);
    expect(probabilitiesOf(await invoke())).toEqual([0.2, 0.8]);

    await control(server, { predictor: { script: [[0.6, 0.4], { error: 'scripted', statusCode: 400 }] } });
    expect(probabilitiesOf(await invoke())).toEqual([0.6, 0.4]);
    expect(await rejectionOf(invoke())).toBeInstanceOf(ModelError);

    expect((await control(server, { connections: 'refuse' })).status).toBe(400);
    expect((await control(server, { connections: 'refuse', durationMs: 300 })).status).toBe(200);
    expect((await rejectionOf(invoke())).message).toMatch(/ECONNREFUSED/);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(probabilitiesOf(await invoke())).toEqual([0.2, 0.8]);
  });

  it('reports a predictor that fails or answers garbage as a server-side ModelError', async () => {
    stub.setPredict(() => {
      throw new Error('weights not loaded');
    });
    const thrown = (await rejectionOf(invoke())) as ModelError;
    expect(thrown.OriginalStatusCode).toBe(500);
    expect(thrown.OriginalMessage).toBe('Inference failed: weights not loaded');
    expect(thrown.message).toMatch(/^Received server error \(500\)/);
    stub.setPredict(() => ({ bicycle: 0.9 }) as unknown as number[]);
    const garbage = (await rejectionOf(invoke())) as ModelError;
    expect(garbage.OriginalMessage).toMatch(/returned \{"bicycle":0.9\}, not a list/);
    stub.setPredict(() => [Number.NaN, 1]); // passed through: tests stage malformed answers this way
    expect(probabilitiesOf(await invoke())).toEqual([null, 1]);
  });

  it('refuses malformed control requests with the reason', async () => {
    expect((await control(server, { connections: 'sideways' })).body.message).toMatch(
      /connections must be one of/,
    );
    expect((await control(server, { latencyMs: -5 })).body.message).toMatch(/non-negative/);
    expect((await control(server, { predictor: { probabilities: 'high' } })).body.message).toMatch(
      /predictor.probabilities must be a list of numbers/,
    );
    const notJson = await fetch(`${server.url}/_stub/behavior`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
  });

  it('stops cleanly while refusing connections', async () => {
    const other = await startEndpointServer({ predictor: createStubPredictor(), endpointName: ENDPOINT });
    expect((await control(other, { connections: 'refuse', durationMs: 60_000 })).status).toBe(200);
    await other.stop();
    const refused = await rejectionOf(fetch(`${other.url}/ping`));
    expect((refused.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('speaks the container contract: /ping and /invocations', async () => {
    expect((await fetch(`${server.url}/ping`)).status).toBe(200);
    stub.setReady(false);
    expect((await fetch(`${server.url}/ping`)).status).toBe(503);
    stub.setReady(true);

    const ok = await fetch(`${server.url}/invocations`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png', Accept: 'application/jsonlines' },
      body: bicycle,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/jsonlines');
    expect(((await ok.json()) as { prediction: number[] }).prediction).toEqual(
      probabilitiesOf(await invoke()),
    );

    const notImage = await fetch(`${server.url}/invocations`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: 'text',
    });
    expect(notImage.status).toBe(400);
    expect(await notImage.text()).toMatch(/not a PNG or JPEG/);
  });

  it('echoes the inference id header the SDK sends', async () => {
    const response = await fetch(`${server.url}/endpoints/${ENDPOINT}/invocations`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png', 'X-Amzn-SageMaker-Inference-Id': 'order-42' },
      body: bicycle,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amzn-sagemaker-inference-id')).toBe('order-42');
    expect(response.headers.get('x-amzn-invoked-production-variant')).toBe('AllTraffic');
  });
});
