/**
 * The gateway: how a request finds its service (the SigV4 credential scope, then X-Amz-Target,
 * then the path, then the fallback), each service's errors answered in its own shape, routes
 * mounted while it runs; and a running stack's one port serving S3, Step Functions and the
 * SageMaker runtime to the real SDK clients.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/config.ts';
import {
  type Gateway,
  type Route,
  routerFor,
  sendJson,
  signingServiceOf,
  startGateway,
} from '../../src/embedded/gateway/index.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';

const SIGV4 = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

function request(options: { url?: string; method?: string; headers?: Record<string, string> }) {
  return {
    url: options.url ?? '/',
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
  } as unknown as IncomingMessage;
}

/** A route answering its own name, or failing with `fail` for `/fail`. */
function namedRoute(name: string, recognition: Partial<Route>): Route {
  return {
    name,
    handle(incoming, response) {
      if (incoming.url === '/fail') throw new Error(`${name} failed`);
      sendJson(response, 200, { route: name });
    },
    answerError: (error, _incoming, response) =>
      sendJson(response, 500, { route: name, message: (error as Error).message }, `${name}Error`),
    ...recognition,
  };
}

const S3_ROUTE = namedRoute('s3', { signingName: 's3', fallback: true });
const SFN_ROUTE = namedRoute('stepfunctions', { signingName: 'states', targetPrefix: 'AWSStepFunctions.' });
const RUNTIME_ROUTE = namedRoute('sagemaker-runtime', {
  signingName: 'sagemaker',
  matchesPath: (requestPath, method) =>
    method === 'POST' && /^\/endpoints\/[^/]+\/invocations$/.test(requestPath),
});

describe('signingServiceOf', () => {
  it('reads the service of the credential scope in Authorization (SigV4 and SigV4a)', () => {
    expect(signingServiceOf(request({ headers: { authorization: SIGV4('states') } }))).toBe('states');
    const sigv4a =
      'AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20250101/s3/aws4_request, SignedHeaders=host, Signature=ab';
    expect(signingServiceOf(request({ headers: { authorization: sigv4a } }))).toBe('s3');
  });

  it("reads a presigned URL's X-Amz-Credential", () => {
    const url =
      '/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z';
    expect(signingServiceOf(request({ url }))).toBe('s3');
  });

  it('names no service for unsigned requests, other schemes and malformed scopes', () => {
    expect(signingServiceOf(request({ url: '/bucket/key' }))).toBeUndefined();
    expect(signingServiceOf(request({ headers: { authorization: 'Bearer abc' } }))).toBeUndefined();
    expect(
      signingServiceOf(request({ url: '/b/k?X-Amz-Credential=%zz%2Fs3%2Faws4_request' })),
    ).toBeUndefined();
  });
});

describe('routerFor', () => {
  const route = routerFor([S3_ROUTE, SFN_ROUTE, RUNTIME_ROUTE]);
  const invocation = { url: '/endpoints/scones/invocations', method: 'POST' };

  it('routes by the credential scope first, whatever the path or target says', () => {
    expect(route(request({ ...invocation, headers: { authorization: SIGV4('s3') } }))).toBe(S3_ROUTE);
    const signedForStates = { authorization: SIGV4('states'), 'x-amz-target': 'Other.Action' };
    expect(route(request({ headers: signedForStates }))).toBe(SFN_ROUTE);
    expect(route(request({ ...invocation, headers: { authorization: SIGV4('sagemaker') } }))).toBe(
      RUNTIME_ROUTE,
    );
  });

  it('then by X-Amz-Target, then by path, then falls back to S3', () => {
    const target = { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' };
    expect(route(request({ method: 'POST', headers: target }))).toBe(SFN_ROUTE);
    expect(route(request(invocation))).toBe(RUNTIME_ROUTE);
    expect(route(request({ url: '/endpoints/scones/invocations', method: 'GET' }))).toBe(S3_ROUTE);
    expect(route(request({ url: '/bucket/key?x=1' }))).toBe(S3_ROUTE);
  });

  it('sends a request signed for a service it does not serve on to the next rules', () => {
    expect(route(request({ url: '/bucket', headers: { authorization: SIGV4('lambda') } }))).toBe(S3_ROUTE);
    const target = { authorization: SIGV4('lambda'), 'x-amz-target': 'AWSStepFunctions.StartExecution' };
    expect(route(request({ headers: target }))).toBe(SFN_ROUTE);
  });
});

describe('startGateway', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ routes: [S3_ROUTE], name: 'test gateway', exposed: 'nothing' });
  });
  afterAll(() => gateway?.stop());

  const call = async (pathName: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${gateway.url}${pathName}`, { method: 'POST', headers });
    return {
      status: response.status,
      type: response.headers.get('x-amzn-errortype'),
      body: await response.json(),
    };
  };

  it('hands every request to its only route, and answers that route its errors', async () => {
    const target = { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' };
    expect(await call('/anything', target)).toMatchObject({ status: 200, body: { route: 's3' } });
    expect(await call('/fail')).toEqual({
      status: 500,
      type: 's3Error',
      body: { route: 's3', message: 's3 failed' },
    });
  });

  it('routes among the routes mounted later, each answering its own errors', async () => {
    gateway.mount(SFN_ROUTE);
    gateway.mount(RUNTIME_ROUTE);
    expect(gateway.routes).toEqual(['s3', 'stepfunctions', 'sagemaker-runtime']);
    const target = { 'x-amz-target': 'AWSStepFunctions.ListStateMachines' };
    expect(await call('/', target)).toMatchObject({ status: 200, body: { route: 'stepfunctions' } });
    expect(await call('/endpoints/scones/invocations')).toMatchObject({
      body: { route: 'sagemaker-runtime' },
    });
    expect(await call('/fail', { authorization: SIGV4('states') })).toMatchObject({
      status: 500,
      type: 'stepfunctionsError',
    });
    expect(() => gateway.mount(SFN_ROUTE)).toThrow(/already serves a route named stepfunctions/);
  });
});

describe("a running stack's one port", () => {
  let runtime: EmbeddedRuntime;
  let dataDir: string;
  const clients: { destroy(): void }[] = [];
  const clientOptions = () => ({
    endpoint: runtime.localS3.endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'scones-gateway-'));
    runtime = await startEmbeddedRuntime({
      dataDir,
      predictor: createStubPredictor({ probabilities: [0.25, 0.75] }),
      stepFunctionsApi: true,
    });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await runtime?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves S3, Step Functions and SageMaker runtime to their SDK clients', async () => {
    const s3 = new S3Client({ ...clientOptions(), forcePathStyle: true });
    const sfn = new SFNClient(clientOptions());
    const sagemakerRuntime = new SageMakerRuntimeClient(clientOptions());
    clients.push(s3, sfn, sagemakerRuntime);
    const bucket = runtime.config.bucket;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'gateway/object.txt', Body: 'on one port' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'gateway/object.txt' }));
    expect(await object.Body?.transformToString()).toBe('on one port');

    const machines = await sfn.send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines?.map((machine) => machine.stateMachineArn)).toContain(
      runtime.engine.stateMachineArn,
    );

    const before = runtime.endpoint.invocations;
    const png = Buffer.from('89504e470d0a1a0a0000', 'hex');
    const answer = await sagemakerRuntime.send(
      new InvokeEndpointCommand({
        EndpointName: runtime.endpoint.endpointName,
        ContentType: 'image/png',
        Body: png,
      }),
    );
    expect(JSON.parse(Buffer.from(answer.Body as Uint8Array).toString('utf8'))).toEqual([0.25, 0.75]);
    expect(answer.InvokedProductionVariant).toBe('AllTraffic');
    expect(runtime.endpoint.invocations).toBe(before + 1);
  });
});
