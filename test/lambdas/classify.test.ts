import {
  ModelError,
  type SageMakerRuntimeClient,
  ServiceUnavailable,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mapInvokeError, parseInferences, toClassification } from '../../lambdas/classify-image/classify.ts';
import {
  type ClassifyHandler,
  createHandler,
  ENDPOINT_CLIENT_OPTIONS,
} from '../../lambdas/classify-image/handler.ts';
import { createSageMakerRuntimeClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import {
  createStubPredictor,
  type EndpointServer,
  type StubPredictor,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';
import { EndpointError, EndpointUnavailable } from '../../src/workflow/errors.ts';
import { ModelInputError } from '../../src/workflow/predictor.ts';
import { CLASS_LABELS } from '../../src/workflow/types.ts';
import { type BareEndpoint, startBareEndpoint } from './bare-endpoint.ts';
import { readCifarRecord, rgbToPng } from './images.ts';
import { invokeLambdaEntry } from './lambda-entry.ts';
import { captureTelemetry } from './telemetry-capture.ts';

const ENDPOINT = 'classify-test-endpoint';
const IMAGE = {
  s3_bucket: 'images',
  s3_key: 'bike.png',
  image_data: Buffer.from('not really a png').toString('base64'),
  execution_name: 'order-17-exec',
};
/** Output these tests do not look at (telemetry.test.ts does). */
const quiet = captureTelemetry().options;

function runtimeAt(url: string, options = ENDPOINT_CLIENT_OPTIONS): SageMakerRuntimeClient {
  return createSageMakerRuntimeClient(
    loadConfig({ SCONES_TARGET: 'embedded', AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url }),
    options,
  );
}

describe('parseInferences', () => {
  it('accepts one probability per class, as JSON bytes', () => {
    expect(parseInferences(new TextEncoder().encode('[0.25, 0.75]'), ENDPOINT)).toEqual([0.25, 0.75]);
    expect(CLASS_LABELS).toHaveLength(2);
  });

  it.each([
    ['not JSON', '<html>oops</html>', 'not JSON'],
    ['an object', '{"predictions":[0.1,0.9]}', '{"predictions"'],
    ['the wrong count', '[0.2, 0.3, 0.5]', 'a list of 3 values'],
    ['a string', '["0.5", 0.5]', '"0.5" at index 0'],
    ['a negative value', '[-0.5, 1.5]', '-0.5 at index 0'],
    ['a sum far from 1', '[0.3, 0.3]', 'sum to 0.6'],
    ['an empty body', '', 'not JSON'],
  ])('refuses %s', (_case, body, detail) => {
    const error = (() => {
      try {
        parseInferences(body, ENDPOINT);
      } catch (thrown) {
        return thrown as Error;
      }
      throw new Error('parseInferences accepted the body');
    })();
    expect(error.name).toBe('InvalidInferenceResponse');
    expect(error.message.startsWith(`Endpoint "${ENDPOINT}" answered `)).toBe(true);
    expect(error.message).toContain(detail);
  });
});

describe('toClassification', () => {
  it('picks the most probable class and its label', () => {
    const image = { ...IMAGE, inference_id: 'order-17-exec' };
    expect(toClassification(image, [0.1, 0.9])).toEqual({
      inference_id: 'order-17-exec',
      s3_bucket: 'images',
      s3_key: 'bike.png',
      inferences: [0.1, 0.9],
      predicted_index: 1,
      predicted_label: 'motorcycle',
      confidence: 0.9,
    });
    expect(toClassification(image, [0.5, 0.5])).toMatchObject({
      predicted_index: 0,
      predicted_label: 'bicycle',
    });
  });
});

describe('mapInvokeError', () => {
  const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

  it('marks outages and throttling as EndpointUnavailable, naming endpoint and reason', () => {
    const cases: unknown[] = [
      new ServiceUnavailable({ message: 'down for maintenance', ...metadata(503) }),
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', ...metadata(400) }),
      Object.assign(new Error('slow down'), { name: 'Unknown', ...metadata(429) }),
      Object.assign(new Error('bad gateway'), { name: 'Unknown', ...metadata(502) }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' }),
    ];
    for (const error of cases) {
      const mapped = mapInvokeError(error, ENDPOINT);
      expect(mapped).toBeInstanceOf(EndpointUnavailable);
      expect(mapped.transient).toBe(true);
      expect(mapped.message).toContain(`Endpoint "${ENDPOINT}" is unavailable`);
      expect(mapped.message).toContain((error as Error).message);
    }
  });

  it('reports ModelError with the container status and message as EndpointError', () => {
    const error = new ModelError({
      message: 'Received server error (500) from primary',
      ...metadata(424),
      OriginalStatusCode: 500,
      OriginalMessage: 'tensor shape mismatch',
      LogStreamArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/x',
    });
    const mapped = mapInvokeError(error, ENDPOINT);
    expect(mapped).toBeInstanceOf(EndpointError);
    expect(mapped.message).toMatch(
      /ModelError \(HTTP 424\).*answered 500: tensor shape mismatch; logs: arn:aws:logs/,
    );
  });

  it('reports ValidationError (e.g. an unknown endpoint) as EndpointError', () => {
    const error = new ValidationError({
      message: `Endpoint ${ENDPOINT} of account 1 not found.`,
      ...metadata(400),
    });
    const mapped = mapInvokeError(error, ENDPOINT);
    expect(mapped).toBeInstanceOf(EndpointError);
    expect(mapped.message).toBe(
      `Endpoint "${ENDPOINT}" refused the request: ValidationError (HTTP 400): Endpoint ${ENDPOINT} of account 1 not found.`,
    );
  });
});

describe('ClassifyImage handler over the local SageMaker endpoint', () => {
  let endpoint: EndpointServer;
  let stub: StubPredictor;
  let image: typeof IMAGE;
  let classify: ClassifyHandler;

  beforeAll(async () => {
    stub = createStubPredictor();
    endpoint = await startEndpointServer({ predictor: stub, endpointName: ENDPOINT });
    classify = createHandler({ runtime: runtimeAt(endpoint.url), endpointName: ENDPOINT, telemetry: quiet });
    const png = await rgbToPng((await readCifarRecord(3)).rgb);
    image = { ...IMAGE, image_data: png.toString('base64') };
  });

  afterEach(async () => {
    stub.reset();
    await endpoint.faults.reset();
  });

  afterAll(async () => {
    await endpoint?.stop();
  });

  it('sends the decoded PNG and returns the probabilities with the predicted label', async () => {
    const requests: { body: Buffer; contentType: string }[] = [];
    stub.setPredict((body, contentType) => {
      requests.push({ body, contentType });
      return [0.12, 0.88];
    });

    const result = await classify({ ...image, source_format: 'png', width: 32, height: 32 });

    expect(result).toEqual({
      inference_id: 'order-17-exec',
      s3_bucket: 'images',
      s3_key: 'bike.png',
      inferences: [0.12, 0.88],
      predicted_index: 1,
      predicted_label: 'motorcycle',
      confidence: 0.88,
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.contentType).toBe('image/png');
    expect(requests[0]?.body.equals(Buffer.from(image.image_data, 'base64'))).toBe(true);
  });

  it('reports a model container failure (ModelError 424) as EndpointError with its original status', async () => {
    stub.script(new ModelInputError('cannot read this tensor', 415));
    await expect(classify(image)).rejects.toMatchObject({
      name: 'EndpointError',
      message: expect.stringMatching(
        new RegExp(
          `^Endpoint "${ENDPOINT}" model failed: ModelError \\(HTTP 424\\), container answered 415: cannot read this tensor; logs: arn:aws:logs:`,
        ),
      ),
    });
  });

  it('reports an unknown endpoint (ValidationError 400) as EndpointError', async () => {
    const other = createHandler({
      runtime: runtimeAt(endpoint.url),
      endpointName: 'no-such-endpoint',
      telemetry: quiet,
    });
    await expect(other(image)).rejects.toMatchObject({
      name: 'EndpointError',
      message: expect.stringMatching(
        /^Endpoint "no-such-endpoint" refused the request: ValidationError \(HTTP 400\): .*not found/,
      ),
    });
  });

  it.each([
    [503, 'ServiceUnavailable'],
    [500, 'InternalFailure'],
    [429, 'ThrottlingException'],
  ] as const)(
    'reports HTTP %i (%s) as EndpointUnavailable after one attempt, then recovers',
    async (status, name) => {
      endpoint.faults.failNext(1, status);
      const before = endpoint.invocations;

      await expect(classify(image)).rejects.toMatchObject({
        name: 'EndpointUnavailable',
        message: expect.stringContaining(`Endpoint "${ENDPOINT}" is unavailable: ${name} (HTTP ${status})`),
      });
      expect(endpoint.invocations - before).toBe(1); // no SDK retries: Step Functions retries, visibly
      await expect(classify(image)).resolves.toMatchObject({ s3_key: 'bike.png' });
    },
  );

  it('reports a refused connection as EndpointUnavailable', async () => {
    await endpoint.faults.refuseConnections();
    // A fresh client: a pooled keep-alive socket could fail with a reset instead (also transient).
    const fresh = createHandler({
      runtime: runtimeAt(endpoint.url),
      endpointName: ENDPOINT,
      telemetry: quiet,
    });
    await expect(fresh(image)).rejects.toMatchObject({
      name: 'EndpointUnavailable',
      message: expect.stringContaining(`Endpoint "${ENDPOINT}" is unavailable: ECONNREFUSED`),
    });
    await expect(classify(image)).rejects.toMatchObject({ name: 'EndpointUnavailable' });
  });

  it('reports a reset connection as EndpointUnavailable', async () => {
    await endpoint.faults.resetConnections();
    await expect(classify(image)).rejects.toMatchObject({ name: 'EndpointUnavailable' });
  });

  it('gives up on a slow endpoint at the request timeout', async () => {
    endpoint.faults.setLatency(2_000);
    const impatient = createHandler({
      runtime: runtimeAt(endpoint.url, { ...ENDPOINT_CLIENT_OPTIONS, requestTimeoutMs: 200 }),
      endpointName: ENDPOINT,
      telemetry: quiet,
    });
    const started = performance.now();
    await expect(impatient(image)).rejects.toMatchObject({
      name: 'EndpointUnavailable',
      message: expect.stringContaining('TimeoutError'),
    });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('refuses an answer that is JSON but not probabilities', async () => {
    stub.setProbabilities([Number.NaN, 1]); // serialized as [null,1]
    await expect(classify(image)).rejects.toMatchObject({
      name: 'InvalidInferenceResponse',
      message: expect.stringContaining('null at index 0'),
    });
    stub.setProbabilities([0.2, 0.3, 0.5]);
    await expect(classify(image)).rejects.toMatchObject({
      name: 'InvalidInferenceResponse',
      message: expect.stringContaining('a list of 3 values'),
    });
  });

  it('Lambda entry: invokes ENDPOINT_NAME at the configured endpoint URL', async () => {
    // The stub answers only ENDPOINT (not the default name): success proves both settings were read.
    stub.setProbabilities([0.95, 0.05]);
    const outcome = await invokeLambdaEntry('lambdas/classify-image/handler.ts', image, {
      SCONES_TARGET: 'embedded',
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: endpoint.url,
      ENDPOINT_NAME: ENDPOINT,
    });
    expect(outcome).toMatchObject({
      result: { predicted_label: 'bicycle', confidence: 0.95, inference_id: IMAGE.execution_name },
    });
  });

  it('names the missing or malformed field of a bad event', async () => {
    await expect(classify({ s3_bucket: 'images', s3_key: 'a.png' })).rejects.toMatchObject({
      name: 'InvalidEvent',
      message: 'ClassifyImage: the event has no "image_data" field',
    });
    await expect(classify({ ...image, image_data: 'not base64!' })).rejects.toMatchObject({
      name: 'InvalidEvent',
      message: expect.stringContaining('"image_data" must be base64'),
    });
    const { execution_name: _dropped, ...unnamed } = image;
    await expect(classify(unnamed)).rejects.toMatchObject({
      name: 'InvalidEvent',
      message: 'ClassifyImage: the event has no "execution_name" field',
    });
    await expect(classify({ ...image, execution_name: 'x'.repeat(81) })).rejects.toMatchObject({
      name: 'InvalidEvent',
      message: expect.stringContaining('"execution_name" must be the execution\'s name'),
    });
  });
});

describe('ClassifyImage handler against a bare HTTP answer', () => {
  // What the local endpoint never does (a body that is not JSON), and the request as SageMaker
  // Runtime receives it.
  let bare: BareEndpoint;
  let body = '[0.3, 0.7]';
  const sentId = () => bare.requests.at(-1)?.['x-amzn-sagemaker-inference-id'];
  const classifyHere = () =>
    createHandler({ runtime: runtimeAt(bare.url), endpointName: ENDPOINT, telemetry: quiet });

  beforeAll(async () => {
    bare = await startBareEndpoint(() => ({ body }));
  });

  afterAll(async () => {
    await bare.stop();
  });

  it('reports InvalidInferenceResponse quoting the start of a body that is not JSON', async () => {
    body = '[0.1, 0.9';
    try {
      await expect(classifyHere()(IMAGE)).rejects.toMatchObject({
        name: 'InvalidInferenceResponse',
        message: expect.stringContaining('not JSON: "[0.1, 0.9"'),
      });
    } finally {
      body = '[0.3, 0.7]';
    }
  });

  it('sends the execution name as InferenceId and returns it as inference_id', async () => {
    const result = await classifyHere()({ ...IMAGE, execution_name: 'd3b07384-d9a0-4c9b-8f6e-1a2b3c4d5e6f' });
    expect(sentId()).toBe('d3b07384-d9a0-4c9b-8f6e-1a2b3c4d5e6f');
    expect(result.inference_id).toBe('d3b07384-d9a0-4c9b-8f6e-1a2b3c4d5e6f');
  });

  it('derives a valid id from an execution name SageMaker would refuse (80 characters)', async () => {
    const classify = classifyHere();
    const name = `batch-2026-11-26-${'x'.repeat(63)}`;
    const result = await classify({ ...IMAGE, execution_name: name });
    expect(result.inference_id).toHaveLength(64);
    expect(result.inference_id.startsWith('batch-2026-11-26-')).toBe(true);
    expect(sentId()).toBe(result.inference_id);
    // Deterministic: the same execution gets the same id on a retry.
    expect((await classify({ ...IMAGE, execution_name: name })).inference_id).toBe(result.inference_id);
  });
});
