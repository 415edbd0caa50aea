/**
 * ensureModelEndpoint over the local SageMaker (its hosting an in-memory double): the kit's flows'
 * one way to an endpoint. Created once; reused when InService with the same model and capture (also
 * after a restart of the service); updated for another model or another capture; a Failed endpoint
 * deleted and created again; an update that does not load fails naming SageMaker's reason, and the
 * endpoint keeps serving what it served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EndpointSetupError,
  ensureModelEndpoint,
  type ModelEndpointRequest,
} from '../../src/workflow/model-endpoint.ts';
import { packModel } from '../../training/artifact.ts';
import { useWasmBackend } from '../../training/backend.ts';
import { createServingModel } from '../../training/model.ts';
import { BUCKET, type Harness, IMAGE, put, ROLE, startHarness } from '../embedded/sagemaker/support.ts';
import { smallModelMetadata } from '../training/model-fixtures.ts';

const MODEL = `s3://${BUCKET}/training-jobs/local/output/model.tar.gz`;
const OTHER_MODEL = `s3://${BUCKET}/training-jobs/other/output/model.tar.gz`;
const BROKEN = `s3://${BUCKET}/training-jobs/broken/output/model.tar.gz`;
const CAPTURE = { destinationS3Uri: `s3://${BUCKET}/data_capture`, samplingPercentage: 100 };

let harness: Harness;
const api = { call: (action: string, input: Record<string, unknown>) => harness.service.call(action, input) };
const request = (more: Partial<ModelEndpointRequest> = {}): ModelEndpointRequest => ({
  endpointName: 'scones-image-classification',
  modelDataUrl: MODEL,
  image: IMAGE,
  roleArn: ROLE,
  capture: CAPTURE,
  pollMs: 5,
  ...more,
});
const describeEndpoint = (name = 'scones-image-classification') =>
  harness.service.call('DescribeEndpoint', { EndpointName: name }) as Promise<{
    EndpointStatus: string;
    EndpointConfigName: string;
    CreationTime: number;
    FailureReason?: string;
    DataCaptureConfig?: { DestinationS3Uri: string; CurrentSamplingPercentage: number };
  }>;
const deploys = () => harness.hosting.calls.filter((call) => call.startsWith('deploy ')).length;

beforeAll(async () => {
  harness = await startHarness();
  await useWasmBackend();
  const archive = await packModel(createServingModel({ filters: [4] }).model, smallModelMetadata());
  await put(harness.s3, 'training-jobs/local/output/model.tar.gz', archive);
  await put(harness.s3, 'training-jobs/other/output/model.tar.gz', archive);
  await put(harness.s3, 'training-jobs/broken/output/model.tar.gz', 'not a tar');
});
afterAll(async () => {
  await harness?.close();
});

describe('ensureModelEndpoint', () => {
  it('creates the model, the config with the capture asked for, and the endpoint, and waits for InService', async () => {
    const endpoint = await ensureModelEndpoint(api, request());
    expect(endpoint).toMatchObject({
      endpointName: 'scones-image-classification',
      endpointArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint/scones-image-classification',
      action: 'created',
    });
    const described = await describeEndpoint();
    expect(described).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: endpoint.endpointConfigName,
      DataCaptureConfig: { DestinationS3Uri: CAPTURE.destinationS3Uri, CurrentSamplingPercentage: 100 },
    });
    const model = (await harness.service.call('DescribeModel', { ModelName: endpoint.modelName })) as {
      PrimaryContainer: { ModelDataUrl: string; Image: string };
    };
    expect(model.PrimaryContainer).toMatchObject({ ModelDataUrl: MODEL, Image: IMAGE });
    for (const name of [endpoint.modelName, endpoint.endpointConfigName])
      expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
  });

  it('reuses an endpoint InService with the same model and capture, also after a restart', async () => {
    const before = await describeEndpoint();
    const loads = deploys();
    expect(await ensureModelEndpoint(api, request())).toMatchObject({ action: 'reused' });
    expect(deploys()).toBe(loads);
    await harness.restart();
    // The restart deployed it again (the state says it was served); nothing else is deployed.
    const restored = deploys();
    expect(restored).toBe(loads + 1);
    expect(await ensureModelEndpoint(api, request())).toMatchObject({ action: 'reused' });
    expect(deploys()).toBe(restored);
    expect((await describeEndpoint()).CreationTime).toBe(before.CreationTime);
  });

  it('updates the endpoint for another capture, and for another model', async () => {
    const created = await describeEndpoint();
    const uncaptured = await ensureModelEndpoint(api, request({ capture: undefined }));
    expect(uncaptured.action).toBe('updated');
    expect(uncaptured.endpointConfigName).not.toBe(created.EndpointConfigName);
    expect((await describeEndpoint()).DataCaptureConfig).toBeUndefined();
    const other = await ensureModelEndpoint(api, request({ modelDataUrl: OTHER_MODEL }));
    expect(other.action).toBe('updated');
    expect(other.modelName).not.toBe(uncaptured.modelName);
    expect(await describeEndpoint()).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: other.endpointConfigName,
      CreationTime: created.CreationTime,
    });
  });

  it('a model that does not load: fails with SageMaker reason; the endpoint keeps serving the previous one', async () => {
    const serving = (await describeEndpoint()).EndpointConfigName;
    const failed = await ensureModelEndpoint(api, request({ modelDataUrl: BROKEN })).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(EndpointSetupError);
    expect((failed as Error).message).toMatch(
      /endpoint scones-image-classification did not come into service with .*broken.* \(InService with .*\): The primary container for production variant AllTraffic did not pass the ping health check/,
    );
    expect(await describeEndpoint()).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: serving,
    });
  });

  it('a Failed endpoint is deleted and created again', async () => {
    const name = 'scones-flaky';
    await expect(
      ensureModelEndpoint(api, request({ endpointName: name, modelDataUrl: BROKEN })),
    ).rejects.toThrow(/did not come into service .*\(Failed with/);
    expect((await describeEndpoint(name)).EndpointStatus).toBe('Failed');
    expect(await ensureModelEndpoint(api, request({ endpointName: name }))).toMatchObject({
      action: 'recreated',
    });
    expect((await describeEndpoint(name)).EndpointStatus).toBe('InService');
  });

  it('names stay within SageMaker limits for the longest endpoint names', async () => {
    const name = `e${'-x'.repeat(31)}`; // 63 characters
    const endpoint = await ensureModelEndpoint(api, request({ endpointName: name }));
    expect(endpoint.action).toBe('created');
    expect(endpoint.modelName.length).toBeLessThanOrEqual(63);
    expect(endpoint.endpointConfigName.length).toBeLessThanOrEqual(63);
  });

  it('keeps an endpoint InService with a config the flows did not make (a promoted candidate)', async () => {
    const name = 'scones-promoted';
    const mine = await ensureModelEndpoint(api, request({ endpointName: name }));
    // A retraining (or promote) rolls out a candidate under its own config name.
    await api.call('CreateEndpointConfig', {
      EndpointConfigName: 'retrain-20261207-candidate',
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: mine.modelName,
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 1,
          InitialVariantWeight: 1,
        },
      ],
    });
    await api.call('UpdateEndpoint', {
      EndpointName: name,
      EndpointConfigName: 'retrain-20261207-candidate',
    });
    await expect.poll(async () => (await describeEndpoint(name)).EndpointStatus).toBe('InService');

    const again = await ensureModelEndpoint(api, request({ endpointName: name, modelDataUrl: OTHER_MODEL }));
    expect(again).toMatchObject({
      action: 'kept',
      endpointConfigName: 'retrain-20261207-candidate',
      modelName: mine.modelName,
    });
    expect((await describeEndpoint(name)).EndpointConfigName).toBe('retrain-20261207-candidate');
  });
});
