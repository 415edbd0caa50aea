/**
 * The SageMaker API on a running stack's one port (the gateway): the AWS SDK for JavaScript's
 * SageMaker client beside the runtime's InvokeEndpoint (both sign for `sagemaker`), the JSON 1.1
 * error envelope, bad JSON, unknown actions, oversized bodies; and an endpoint deployed through the
 * API served by InvokeEndpoint with its variants, capture and updates (a small untrained model).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  ListModelsCommand,
  SageMakerClient,
  type SageMakerServiceException,
  UpdateEndpointCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../../src/embedded/runtime.ts';
import { imageClassificationUri } from '../../../src/embedded/sagemaker/index.ts';
import {
  createConfig as createConfigIn,
  invokeWith,
  stackClientOptions,
  stageModel as stageModelIn,
  steadyTraffic,
} from './gateway-support.ts';

const IMAGE = imageClassificationUri('us-east-1') as string;
let dir: string;
let runtime: EmbeddedRuntime;
let sagemaker: SageMakerClient;
let invoker: SageMakerRuntimeClient;
let url: string;
let png: Buffer;

const clientOptions = () => stackClientOptions(url);

async function post(body: string | Buffer, target: string | undefined, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      ...(target ? { 'x-amz-target': target } : {}),
      ...headers,
    },
  });
  return {
    status: response.status,
    type: response.headers.get('x-amzn-errortype'),
    body: (await response.json()) as { __type?: string; message?: string },
  };
}

const stageModel = (key: string, filters: number[]) => stageModelIn(runtime, key, filters);
const createConfig = (name: string, variants: { name: string; model: string; weight: number }[]) =>
  createConfigIn(sagemaker, runtime.config.bucket, name, variants);
const invoke = (endpointName: string, targetVariant?: string) =>
  invokeWith(invoker, png)(endpointName, targetVariant);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sagemaker-wire-'));
  runtime = await startEmbeddedRuntime({ dataDir: dir, stepFunctionsApi: true, port: 0, s3Thread: false });
  url = runtime.localS3.endpoint;
  sagemaker = new SageMakerClient(clientOptions());
  invoker = new SageMakerRuntimeClient(clientOptions());
  png = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 30, b: 60 } } })
    .png()
    .toBuffer();
  const first = await stageModel('models/first/model.tar.gz', [4]);
  const second = await stageModel('models/second/model.tar.gz', [2]);
  for (const [name, uri] of [
    ['first', first],
    ['second', second],
  ] as const) {
    await sagemaker.send(
      new CreateModelCommand({ ModelName: name, PrimaryContainer: { Image: IMAGE, ModelDataUrl: uri } }),
    );
  }
}, 60_000);
afterAll(async () => {
  sagemaker?.destroy();
  invoker?.destroy();
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the SageMaker API on the gateway', () => {
  it('answers the SDK, and the runtime still answers its own endpoint on the same scope', async () => {
    const models = await sagemaker.send(new ListModelsCommand({ SortBy: 'Name', SortOrder: 'Ascending' }));
    expect(models.Models?.map((model) => model.ModelName)).toEqual(['first', 'second']);
    const stub = await invoke(runtime.config.endpointName);
    expect(JSON.parse(Buffer.from(stub.Body ?? []).toString())).toHaveLength(2);
  });

  it("answers errors in the JSON 1.1 envelope the SDK reads as SageMaker's", async () => {
    const error = (await sagemaker
      .send(new DescribeEndpointCommand({ EndpointName: 'nothing-here' }))
      .catch((e: unknown) => e)) as SageMakerServiceException;
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await post('{"EndpointName": "nothing-here"}', 'SageMaker.DescribeEndpoint')).toEqual({
      status: 400,
      type: 'ValidationException',
      body: {
        __type: 'ValidationException',
        message: 'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/nothing-here".',
      },
    });
  });

  it('refuses bad JSON, unknown actions and oversized bodies, and keeps serving', async () => {
    expect(await post('{"ModelName": ', 'SageMaker.DescribeModel')).toMatchObject({
      status: 400,
      type: 'SerializationException',
      body: { __type: 'SerializationException' },
    });
    expect(await post('{}', 'SageMaker.LaunchRocket')).toMatchObject({
      status: 400,
      body: { __type: 'UnknownOperationException' },
    });
    const huge = JSON.stringify({ ModelName: 'x'.repeat(3 * 1024 * 1024) });
    expect(await post(huge, 'SageMaker.DescribeModel')).toMatchObject({
      status: 413,
      body: { __type: 'RequestEntityTooLargeException' },
    });
    const after = await sagemaker.send(new ListModelsCommand({}));
    expect(after.Models).toHaveLength(2);
  });
});

describe('endpoints the API deploys, served by InvokeEndpoint', () => {
  it('goes InService, routes by weight, honours TargetVariant, names the variant, captures', async () => {
    await createConfig('split', [
      { name: 'Blue', model: 'first', weight: 1 },
      { name: 'Green', model: 'second', weight: 1 },
    ]);
    const asked = Date.now();
    await sagemaker.send(new CreateEndpointCommand({ EndpointName: 'split', EndpointConfigName: 'split' }));
    const waited = await waitUntilEndpointInService(
      { client: sagemaker, maxWaitTime: 30, minDelay: 1 },
      { EndpointName: 'split' },
    );
    expect(waited.state).toBe('SUCCESS');
    expect(Date.now() - asked).toBeLessThan(10_000);

    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const answer = await invoke('split');
      seen.add(answer.InvokedProductionVariant as string);
      const probabilities = JSON.parse(Buffer.from(answer.Body ?? []).toString()) as number[];
      expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 4);
    }
    expect([...seen].sort()).toEqual(['Blue', 'Green']);
    for (let i = 0; i < 5; i++)
      expect((await invoke('split', 'Green')).InvokedProductionVariant).toBe('Green');
    const unknown = (await invoke('split', 'Red').catch((e: unknown) => e)) as Error;
    expect(unknown.name).toBe('ValidationError');

    await expect
      .poll(
        async () =>
          (
            await runtime.s3.send(
              new ListObjectsV2Command({
                Bucket: runtime.config.bucket,
                Prefix: 'capture/split/split/Green/',
              }),
            )
          ).KeyCount,
        { timeout: 5_000, interval: 100 },
      )
      .toBeGreaterThan(0);
  });

  it('runs a canary UpdateEndpoint from the SDK: every invocation answered, the stages in DescribeEndpoint', async () => {
    await createConfig('canary', [{ name: 'Blue', model: 'first', weight: 1 }]);
    await sagemaker.send(new CreateEndpointCommand({ EndpointName: 'canary', EndpointConfigName: 'canary' }));
    await waitUntilEndpointInService(
      { client: sagemaker, maxWaitTime: 30, minDelay: 1 },
      { EndpointName: 'canary' },
    );
    await createConfig('canary-v2', [{ name: 'Green', model: 'second', weight: 1 }]);
    const traffic = steadyTraffic(() => invoke('canary'));
    const { answers } = traffic;
    await sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: 'canary',
        EndpointConfigName: 'canary-v2',
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: {
              Type: 'CANARY',
              WaitIntervalInSeconds: 1,
              CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 },
            },
            TerminationWaitInSeconds: 0,
          },
        },
      }),
    );
    await expect
      .poll(
        async () => {
          const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'canary' }));
          const green = described.PendingDeploymentSummary?.ProductionVariants?.[0];
          return [described.EndpointStatus, green?.VariantStatus?.[0]?.Status, green?.CurrentWeight];
        },
        { timeout: 5_000, interval: 50 },
      )
      .toEqual(['Updating', 'Baking', 0.25]);
    const baking = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'canary' }));
    expect(baking.PendingDeploymentSummary?.StartTime).toBeInstanceOf(Date);
    await waitUntilEndpointInService(
      { client: sagemaker, maxWaitTime: 30, minDelay: 1 },
      { EndpointName: 'canary' },
    );
    await traffic.stop();
    const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'canary' }));
    expect(described.EndpointConfigName).toBe('canary-v2');
    expect(described.LastDeploymentConfig?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type).toBe(
      'CANARY',
    );
    expect(described.PendingDeploymentSummary).toBeUndefined();
    expect(traffic.failures).toBe(0);
    expect(answers.Blue).toBeGreaterThan(0);
    expect(answers.Green).toBeGreaterThan(0);
    expect((await invoke('canary')).InvokedProductionVariant).toBe('Green');
  });

  it('swaps the model on UpdateEndpoint without dropping a request, and keeps it when a deploy fails', async () => {
    await createConfig('single', [{ name: 'AllTraffic', model: 'first', weight: 1 }]);
    await sagemaker.send(new CreateEndpointCommand({ EndpointName: 'single', EndpointConfigName: 'single' }));
    await waitUntilEndpointInService(
      { client: sagemaker, maxWaitTime: 30, minDelay: 1 },
      { EndpointName: 'single' },
    );
    const before = Buffer.from((await invoke('single')).Body ?? []).toString();

    await createConfig('single-v2', [{ name: 'AllTraffic', model: 'second', weight: 1 }]);
    const traffic = steadyTraffic(() => invoke('single'));
    await sagemaker.send(
      new UpdateEndpointCommand({ EndpointName: 'single', EndpointConfigName: 'single-v2' }),
    );
    await waitUntilEndpointInService(
      { client: sagemaker, maxWaitTime: 30, minDelay: 1 },
      { EndpointName: 'single' },
    );
    await traffic.stop();
    expect(traffic.failures).toBe(0);
    expect(traffic.answers.AllTraffic).toBeGreaterThan(0);
    const after = Buffer.from((await invoke('single')).Body ?? []).toString();
    expect(after).not.toBe(before);

    // A model whose artifact is not a model: the update fails, the endpoint keeps serving v2.
    await runtime.s3.send(
      new PutObjectCommand({
        Bucket: runtime.config.bucket,
        Key: 'models/broken/model.tar.gz',
        Body: 'not a tar',
      }),
    );
    await sagemaker.send(
      new CreateModelCommand({
        ModelName: 'broken',
        PrimaryContainer: {
          Image: IMAGE,
          ModelDataUrl: `s3://${runtime.config.bucket}/models/broken/model.tar.gz`,
        },
      }),
    );
    await createConfig('single-broken', [{ name: 'AllTraffic', model: 'broken', weight: 1 }]);
    await sagemaker.send(
      new UpdateEndpointCommand({ EndpointName: 'single', EndpointConfigName: 'single-broken' }),
    );
    await waitUntilEndpointInService(
      { client: sagemaker, maxWaitTime: 30, minDelay: 1 },
      { EndpointName: 'single' },
    );
    const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'single' }));
    expect(described.EndpointConfigName).toBe('single-v2');
    expect(described.FailureReason).toContain('AllTraffic');
    expect(Buffer.from((await invoke('single')).Body ?? []).toString()).toBe(after);
  });
});
