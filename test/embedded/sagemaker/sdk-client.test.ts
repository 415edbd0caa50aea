/**
 * The service's answers as the AWS SDK for JavaScript reads them: a throwaway JSON 1.1 server in
 * this test (the gateway's job in the product) puts `call` behind HTTP, and
 * `@aws-sdk/client-sagemaker` creates, describes, lists and waits; its errors arrive as the SDK's
 * typed exceptions, its timestamps as Dates.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  ListModelsCommand,
  ResourceNotFound,
  SageMakerClient,
  type SageMakerServiceException,
  StopTrainingJobCommand,
  waitUntilEndpointInService,
  waitUntilTrainingJobCompletedOrStopped,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SageMakerServiceError } from '../../../src/embedded/sagemaker/index.ts';
import { packModel } from '../../../training/artifact.ts';
import { useWasmBackend } from '../../../training/backend.ts';
import { createServingModel } from '../../../training/model.ts';
import { smallModelMetadata } from '../../training/model-fixtures.ts';
import {
  BUCKET,
  type Harness,
  IMAGE,
  put,
  stageChannels,
  startHarness,
  trainingJobRequest,
} from './support.ts';

let harness: Harness;
let server: Server;
let client: SageMakerClient;

beforeAll(async () => {
  harness = await startHarness();
  await stageChannels(harness.s3);
  await useWasmBackend();
  await put(
    harness.s3,
    'models/job/output/model.tar.gz',
    await packModel(createServingModel({ filters: [4] }).model, smallModelMetadata()),
  );
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const action = String(request.headers['x-amz-target']).replace(/^SageMaker\./, '');
    response.setHeader('content-type', 'application/x-amz-json-1.1');
    try {
      const answer = await harness.service.call(action, JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      response.end(JSON.stringify(answer));
    } catch (error) {
      const failure = error as SageMakerServiceError;
      response.statusCode = failure instanceof SageMakerServiceError ? failure.status : 500;
      response.end(
        JSON.stringify(
          failure instanceof SageMakerServiceError ? failure.toJSON() : { message: String(error) },
        ),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new SageMakerClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => server?.close(resolve));
  await harness?.close();
});

describe('the AWS SDK for JavaScript against the service', () => {
  it('runs a training job and waits for it with the SDK waiter', async () => {
    await client.send(new CreateTrainingJobCommand(trainingJobRequest('sdk-job') as never));
    const waited = await waitUntilTrainingJobCompletedOrStopped(
      { client, maxWaitTime: 30, minDelay: 1 },
      { TrainingJobName: 'sdk-job' },
    );
    expect(waited.state).toBe('SUCCESS');
    const job = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: 'sdk-job' }));
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.CreationTime).toBeInstanceOf(Date);
    expect(job.SecondaryStatusTransitions?.[0]?.StartTime).toBeInstanceOf(Date);
    expect(job.FinalMetricDataList?.map((m) => m.MetricName)).toEqual([
      'train:accuracy',
      'validation:accuracy',
    ]);
  });

  it('brings an endpoint InService with the SDK waiter', async () => {
    await client.send(
      new CreateModelCommand({
        ModelName: 'sdk-model',
        PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://${BUCKET}/models/job/output/model.tar.gz` },
      }),
    );
    await client.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'sdk-config',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'sdk-model',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
          },
        ],
      }),
    );
    await client.send(
      new CreateEndpointCommand({ EndpointName: 'sdk-endpoint', EndpointConfigName: 'sdk-config' }),
    );
    const waited = await waitUntilEndpointInService(
      { client, maxWaitTime: 30, minDelay: 1 },
      { EndpointName: 'sdk-endpoint' },
    );
    expect(waited.state).toBe('SUCCESS');
    const endpoint = await client.send(new DescribeEndpointCommand({ EndpointName: 'sdk-endpoint' }));
    expect(endpoint.ProductionVariants?.[0]?.CurrentWeight).toBe(1);
    expect((await client.send(new ListModelsCommand({}))).Models?.map((m) => m.ModelName)).toEqual([
      'sdk-model',
    ]);
  });

  it("reads its errors as the SDK's exceptions", async () => {
    const notFound = await client
      .send(new StopTrainingJobCommand({ TrainingJobName: 'none' }))
      .catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ResourceNotFound);
    const invalid = (await client
      .send(new DescribeEndpointCommand({ EndpointName: 'none' }))
      .catch((e: unknown) => e)) as SageMakerServiceException;
    expect(invalid.name).toBe('ValidationException');
    expect(invalid.message).toBe(
      'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/none".',
    );
    expect(invalid.$metadata.httpStatusCode).toBe(400);
  });
});
