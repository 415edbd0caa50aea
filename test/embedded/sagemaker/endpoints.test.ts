/**
 * Models, endpoint configs and endpoints over an in-memory hosting double: Creating -> InService,
 * Failed with SageMaker's FailureReason for a missing artifact or one that is not a model, an
 * UpdateEndpoint that swaps (or rolls back), weights, data capture, deletion, and the lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packModel } from '../../../training/artifact.ts';
import { useWasmBackend } from '../../../training/backend.ts';
import { createServingModel } from '../../../training/model.ts';
import { smallModelMetadata } from '../../training/model-fixtures.ts';
import { BUCKET, type Harness, IMAGE, put, ROLE, rejection, startHarness, until } from './support.ts';

type Endpoint = {
  EndpointStatus: string;
  EndpointConfigName: string;
  FailureReason?: string;
  ProductionVariants?: {
    VariantName: string;
    CurrentWeight: number;
    DesiredWeight: number;
    CurrentInstanceCount: number;
  }[];
  DataCaptureConfig?: Record<string, unknown>;
};

let harness: Harness;
const call = (action: string, input: unknown) => harness.service.call(action, input);
const describeEndpoint = (name: string) =>
  call('DescribeEndpoint', { EndpointName: name }) as Promise<Endpoint>;
const settled = (name: string) =>
  until(
    () => describeEndpoint(name),
    (endpoint) => !['Creating', 'Updating'].includes(endpoint.EndpointStatus),
  );
const MODEL_URL = `s3://${BUCKET}/models/job/output/model.tar.gz`;

async function createModel(name: string, url = MODEL_URL) {
  await call('CreateModel', {
    ModelName: name,
    PrimaryContainer: { Image: IMAGE, ModelDataUrl: url },
    ExecutionRoleArn: ROLE,
  });
}

async function createConfig(name: string, variants: [string, string, number][], capture = false) {
  await call('CreateEndpointConfig', {
    EndpointConfigName: name,
    ProductionVariants: variants.map(([VariantName, ModelName, InitialVariantWeight]) => ({
      VariantName,
      ModelName,
      InitialVariantWeight,
      InstanceType: 'ml.m5.large',
      InitialInstanceCount: 1,
    })),
    ...(capture
      ? {
          DataCaptureConfig: {
            EnableCapture: true,
            InitialSamplingPercentage: 50,
            DestinationS3Uri: `s3://${BUCKET}/data_capture`,
            CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
            CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
          },
        }
      : {}),
  });
}

beforeAll(async () => {
  harness = await startHarness();
  await useWasmBackend();
  const { model } = createServingModel({ filters: [4] });
  await put(harness.s3, 'models/job/output/model.tar.gz', await packModel(model, smallModelMetadata()));
  await put(harness.s3, 'models/not-a-model/output/model.tar.gz', 'these bytes are not a tar');
  await createModel('good');
  await createModel('missing', `s3://${BUCKET}/models/none/output/model.tar.gz`);
  await createModel('broken', `s3://${BUCKET}/models/not-a-model/output/model.tar.gz`);
});
afterAll(() => harness?.close());

describe('endpoints', () => {
  it('go Creating -> InService, with their variants and data capture', async () => {
    await createConfig('config-a', [['AllTraffic', 'good', 1]], true);
    const { EndpointArn } = (await call('CreateEndpoint', {
      EndpointName: 'ep',
      EndpointConfigName: 'config-a',
    })) as {
      EndpointArn: string;
    };
    expect(EndpointArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:endpoint/ep');
    expect((await describeEndpoint('ep')).EndpointStatus).toBe('Creating');
    const endpoint = await settled('ep');
    expect(endpoint.EndpointStatus).toBe('InService');
    expect(endpoint.ProductionVariants).toEqual([
      expect.objectContaining({
        VariantName: 'AllTraffic',
        CurrentWeight: 1,
        DesiredWeight: 1,
        CurrentInstanceCount: 1,
      }),
    ]);
    expect(endpoint.DataCaptureConfig).toEqual({
      EnableCapture: true,
      CaptureStatus: 'Started',
      CurrentSamplingPercentage: 50,
      DestinationS3Uri: `s3://${BUCKET}/data_capture`,
    });
    const served = harness.hosting.served.get('ep');
    expect(served?.variants[0]).toMatchObject({
      variantName: 'AllTraffic',
      modelDataUrl: MODEL_URL,
      weight: 1,
      image: IMAGE,
    });
    expect(served?.dataCapture).toMatchObject({
      samplingPercentage: 50,
      captureInput: true,
      captureOutput: true,
    });
  });

  it("fail with SageMaker's FailureReason when the artifact is missing", async () => {
    await createConfig('config-missing', [['AllTraffic', 'missing', 1]]);
    await call('CreateEndpoint', { EndpointName: 'ep-missing', EndpointConfigName: 'config-missing' });
    const endpoint = await settled('ep-missing');
    expect(endpoint.EndpointStatus).toBe('Failed');
    expect(endpoint.FailureReason).toBe(
      `Failed to download model data for container "container_1" from URL: "s3://${BUCKET}/models/none/output/model.tar.gz". ` +
        'Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the object.',
    );
  });

  it('fail when the artifact is not a model, naming the variant', async () => {
    await createConfig('config-broken', [['Broken', 'broken', 1]]);
    await call('CreateEndpoint', { EndpointName: 'ep-broken', EndpointConfigName: 'config-broken' });
    const endpoint = await settled('ep-broken');
    expect(endpoint.EndpointStatus).toBe('Failed');
    expect(endpoint.FailureReason).toMatch(
      /^The primary container for production variant Broken did not pass the ping health check\. .*not a readable tar\.gz/,
    );
  });

  it('update to a new config: Updating, then InService on it; a config that does not load rolls back', async () => {
    await createConfig('config-b', [
      ['Blue', 'good', 1],
      ['Green', 'good', 3],
    ]);
    await call('UpdateEndpoint', { EndpointName: 'ep', EndpointConfigName: 'config-b' });
    expect(await describeEndpoint('ep')).toMatchObject({
      EndpointStatus: 'Updating',
      EndpointConfigName: 'config-a',
      PendingDeploymentSummary: { EndpointConfigName: 'config-b' },
    });
    await rejection(
      call('UpdateEndpoint', { EndpointName: 'ep', EndpointConfigName: 'config-b' }),
      'ValidationException',
    );
    let endpoint = await settled('ep');
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'config-b' });
    expect(endpoint.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight])).toEqual([
      ['Blue', 1],
      ['Green', 3],
    ]);
    expect(endpoint.DataCaptureConfig).toBeUndefined();
    await call('UpdateEndpoint', { EndpointName: 'ep', EndpointConfigName: 'config-broken' });
    endpoint = await settled('ep');
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'config-b' });
    expect(endpoint.FailureReason).toContain('production variant Broken');
    expect(harness.hosting.served.get('ep')?.endpointConfigName).toBe('config-b');
  });

  it('moves traffic with UpdateEndpointWeightsAndCapacities', async () => {
    await call('UpdateEndpointWeightsAndCapacities', {
      EndpointName: 'ep',
      DesiredWeightsAndCapacities: [{ VariantName: 'Green', DesiredWeight: 0 }],
    });
    const endpoint = await settled('ep');
    expect(endpoint.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight])).toEqual([
      ['Blue', 1],
      ['Green', 0],
    ]);
    expect(harness.hosting.calls.at(-1)).toBe('route ep Blue=1,Green=0');
    const unknown = await rejection(
      call('UpdateEndpointWeightsAndCapacities', {
        EndpointName: 'ep',
        DesiredWeightsAndCapacities: [{ VariantName: 'Red', DesiredWeight: 1 }],
      }),
      'ValidationException',
    );
    expect(unknown.message).toContain('Red');
    await rejection(
      call('UpdateEndpointWeightsAndCapacities', {
        EndpointName: 'ep',
        DesiredWeightsAndCapacities: [{ VariantName: 'Blue', DesiredWeight: 0 }],
      }),
      'ValidationException',
    );
  });

  it('runs ALL_AT_ONCE blue/green through the hosting: stage, all traffic, termination wait, promote', async () => {
    harness.hosting.calls.length = 0;
    await call('UpdateEndpoint', {
      EndpointName: 'ep',
      EndpointConfigName: 'config-a',
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
          TerminationWaitInSeconds: 1,
        },
        // No alarm source given to this service: an alarm it does not know counts as OK.
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'nobody-made-this-alarm' }] },
      },
    });
    const waiting = (await until(
      () =>
        describeEndpoint('ep') as Promise<Endpoint & { PendingDeploymentSummary?: Record<string, unknown> }>,
      (e) => JSON.stringify(e.PendingDeploymentSummary ?? {}).includes('before the old fleet is terminated'),
    )) as Endpoint & { PendingDeploymentSummary?: { ProductionVariants: { CurrentWeight: number }[] } };
    expect(waiting.EndpointStatus).toBe('Updating');
    expect(waiting.PendingDeploymentSummary?.ProductionVariants[0]?.CurrentWeight).toBe(1);
    expect(harness.hosting.staged.get('ep')?.share).toBe(1);
    const endpoint = await settled('ep');
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'config-a' });
    expect(harness.hosting.calls).toEqual(['stage ep config-a', 'shift ep 1', 'promote ep']);
    expect(harness.hosting.served.get('ep')?.endpointConfigName).toBe('config-a');
  });

  it('refuse configs that name missing models or mix serverless and instances', async () => {
    const missing = await rejection(
      call('CreateEndpointConfig', {
        EndpointConfigName: 'no-model',
        ProductionVariants: [
          { VariantName: 'A', ModelName: 'none', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
        ],
      }),
      'ValidationException',
    );
    expect(missing.message).toBe(
      'Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/none".',
    );
    await rejection(
      call('CreateEndpointConfig', {
        EndpointConfigName: 'mixed',
        ProductionVariants: [
          {
            VariantName: 'A',
            ModelName: 'good',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
            ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
          },
        ],
      }),
      'ValidationException',
    );
    await rejection(
      call('CreateEndpointConfig', { EndpointConfigName: 'config-a', ProductionVariants: [] }),
      'ValidationException',
    );
  });

  it('are deleted: Deleting, then gone, and the hosting let go', async () => {
    await call('DeleteEndpoint', { EndpointName: 'ep-missing' });
    await until(
      () => call('ListEndpoints', { NameContains: 'ep-missing' }) as Promise<{ Endpoints: unknown[] }>,
      (list) => list.Endpoints.length === 0,
    );
    await rejection(call('DescribeEndpoint', { EndpointName: 'ep-missing' }), 'ValidationException');
    expect(harness.hosting.calls).toContain('remove ep-missing');
  });

  it('list with StatusEquals, sorting and pagination', async () => {
    const list = (input: object) =>
      call('ListEndpoints', input) as Promise<{
        Endpoints: { EndpointName: string; EndpointStatus: string }[];
        NextToken?: string;
      }>;
    expect((await list({})).Endpoints.map((e) => e.EndpointName)).toEqual(['ep-broken', 'ep']);
    expect((await list({ StatusEquals: 'Failed' })).Endpoints.map((e) => e.EndpointName)).toEqual([
      'ep-broken',
    ]);
    const first = await list({ MaxResults: 1, SortBy: 'Name', SortOrder: 'Ascending' });
    expect(first.Endpoints.map((e) => e.EndpointName)).toEqual(['ep']);
    const second = await list({
      MaxResults: 1,
      SortBy: 'Name',
      SortOrder: 'Ascending',
      NextToken: first.NextToken,
    });
    expect(second).toEqual({ Endpoints: [expect.objectContaining({ EndpointName: 'ep-broken' })] });
    const configs = (await call('ListEndpointConfigs', {
      SortBy: 'Name',
      SortOrder: 'Ascending',
      NameContains: 'config-',
    })) as {
      EndpointConfigs: { EndpointConfigName: string }[];
    };
    expect(configs.EndpointConfigs.map((c) => c.EndpointConfigName)).toEqual([
      'config-a',
      'config-b',
      'config-broken',
      'config-missing',
    ]);
  });
});
