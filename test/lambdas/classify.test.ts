import { createServer, type Server, type Socket } from 'node:net';
import {
  ModelError,
  type SageMakerRuntimeClient,
  ServiceUnavailable,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { mapInvokeError, parseInferences, toClassification } from '../../lambdas/classify-image/classify.ts';
import { createHandler, ENDPOINT_CLIENT_OPTIONS } from '../../lambdas/classify-image/handler.ts';
import { createSageMakerRuntimeClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { EndpointError, EndpointUnavailable } from '../../src/workflow/errors.ts';
import { CLASS_LABELS } from '../../src/workflow/types.ts';

const ENDPOINT = 'classify-test-endpoint';
const IMAGE = {
  s3_bucket: 'images',
  s3_key: 'bike.png',
  image_data: Buffer.from('not really a png').toString('base64'),
};

function runtimeAt(url: string, options = ENDPOINT_CLIENT_OPTIONS): SageMakerRuntimeClient {
  return createSageMakerRuntimeClient(
    loadConfig({ SCONES_TARGET: 'embedded', AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url }),
    options,
  );
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return address.port;
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
    expect(toClassification(IMAGE, [0.1, 0.9])).toEqual({
      s3_bucket: 'images',
      s3_key: 'bike.png',
      inferences: [0.1, 0.9],
      predicted_index: 1,
      predicted_label: 'motorcycle',
      confidence: 0.9,
    });
    expect(toClassification(IMAGE, [0.5, 0.5])).toMatchObject({
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

describe('ClassifyImage handler, network failures', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('turns a refused connection into EndpointUnavailable after a single attempt', async () => {
    const server = createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve)); // nothing listens on the port now
    const classify = createHandler({
      runtime: runtimeAt(`http://127.0.0.1:${port}`),
      endpointName: ENDPOINT,
    });

    await expect(classify(IMAGE)).rejects.toMatchObject({
      name: 'EndpointUnavailable',
      message: expect.stringContaining(`Endpoint "${ENDPOINT}" is unavailable: ECONNREFUSED`),
    });
  });

  it('gives up on an endpoint that accepts the connection but never answers', async () => {
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => sockets.push(socket));
    servers.push(blackHole);
    const port = await listen(blackHole);
    const runtime = runtimeAt(`http://127.0.0.1:${port}`, {
      ...ENDPOINT_CLIENT_OPTIONS,
      requestTimeoutMs: 200,
    });
    const classify = createHandler({ runtime, endpointName: ENDPOINT });

    const started = performance.now();
    await expect(classify(IMAGE)).rejects.toMatchObject({
      name: 'EndpointUnavailable',
      message: expect.stringContaining('TimeoutError'),
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(sockets).toHaveLength(1); // one attempt: Step Functions owns the retries
    for (const socket of sockets) socket.destroy();
  });

  it('names the missing or malformed field of a bad event', async () => {
    const classify = createHandler({ runtime: runtimeAt('http://127.0.0.1:9'), endpointName: ENDPOINT });
    await expect(classify({ s3_bucket: 'images', s3_key: 'a.png' })).rejects.toMatchObject({
      name: 'InvalidEvent',
      message: 'ClassifyImage: the event has no "image_data" field',
    });
    await expect(classify({ ...IMAGE, image_data: 'not base64!' })).rejects.toMatchObject({
      name: 'InvalidEvent',
      message: expect.stringContaining('"image_data" must be base64'),
    });
  });
});
