/**
 * The model registry: groups, versions numbered from 1, ModelApprovalStatus and its updates,
 * ModelMetrics and the inference specification kept, lists filtered by group and approval, and a
 * model made from an approved version that an endpoint serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packModel } from '../../../training/artifact.ts';
import { useWasmBackend } from '../../../training/backend.ts';
import { createServingModel } from '../../../training/model.ts';
import { smallModelMetadata } from '../../training/model-fixtures.ts';
import { BUCKET, type Harness, IMAGE, put, rejection, startHarness, until } from './support.ts';

let harness: Harness;
const call = (action: string, input: unknown) => harness.service.call(action, input);
const ARTIFACT = `s3://${BUCKET}/models/job/output/model.tar.gz`;

function version(description: string, approval?: string) {
  return {
    ModelPackageGroupName: 'scones-classifier',
    ModelPackageDescription: description,
    InferenceSpecification: {
      Containers: [{ Image: IMAGE, ModelDataUrl: ARTIFACT }],
      SupportedContentTypes: ['image/png'],
      SupportedResponseMIMETypes: ['application/json'],
      SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large'],
    },
    ModelMetrics: {
      ModelQuality: {
        Statistics: { ContentType: 'application/json', S3Uri: `s3://${BUCKET}/metrics/${description}.json` },
      },
    },
    ...(approval ? { ModelApprovalStatus: approval } : {}),
  };
}

beforeAll(async () => {
  harness = await startHarness();
  await useWasmBackend();
  const { model } = createServingModel({ filters: [4] });
  await put(harness.s3, 'models/job/output/model.tar.gz', await packModel(model, smallModelMetadata()));
});
afterAll(() => harness?.close());

describe('model package groups and versions', () => {
  it('creates a group and numbers its versions from 1', async () => {
    expect(
      await call('CreateModelPackageGroup', {
        ModelPackageGroupName: 'scones-classifier',
        ModelPackageGroupDescription: 'bikes',
      }),
    ).toEqual({
      ModelPackageGroupArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package-group/scones-classifier',
    });
    await rejection(
      call('CreateModelPackageGroup', { ModelPackageGroupName: 'scones-classifier' }),
      'ValidationException',
    );
    const arns = [];
    for (const [description, approval] of [
      ['first', undefined],
      ['second', 'Approved'],
      ['third', 'Rejected'],
    ] as const)
      arns.push(
        ((await call('CreateModelPackage', version(description, approval))) as { ModelPackageArn: string })
          .ModelPackageArn,
      );
    expect(arns).toEqual(
      [1, 2, 3].map((n) => `arn:aws:sagemaker:us-east-1:000000000000:model-package/scones-classifier/${n}`),
    );
    const group = await call('DescribeModelPackageGroup', { ModelPackageGroupName: 'scones-classifier' });
    expect(group).toMatchObject({
      ModelPackageGroupStatus: 'Completed',
      ModelPackageGroupDescription: 'bikes',
    });
  });

  it('describes a version by ARN or by group/version, with what it was given', async () => {
    const byName = await call('DescribeModelPackage', { ModelPackageName: 'scones-classifier/1' });
    const byArn = await call('DescribeModelPackage', {
      ModelPackageName: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/scones-classifier/1',
    });
    expect(byArn).toEqual(byName);
    expect(byName).toMatchObject({
      ModelPackageGroupName: 'scones-classifier',
      ModelPackageVersion: 1,
      ModelApprovalStatus: 'PendingManualApproval',
      ModelPackageStatus: 'Completed',
      ModelPackageDescription: 'first',
      InferenceSpecification: { Containers: [{ Image: IMAGE, ModelDataUrl: ARTIFACT }] },
      ModelMetrics: { ModelQuality: { Statistics: { S3Uri: `s3://${BUCKET}/metrics/first.json` } } },
    });
    const missing = await rejection(
      call('DescribeModelPackage', { ModelPackageName: 'scones-classifier/9' }),
      'ValidationException',
    );
    expect(missing.message).toContain('does not exist');
    await rejection(
      call('CreateModelPackage', { ...version('x'), ModelPackageGroupName: 'no-group' }),
      'ValidationException',
    );
  });

  it('updates the approval status', async () => {
    const arn = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/scones-classifier/1';
    await call('UpdateModelPackage', {
      ModelPackageArn: arn,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'accuracy 0.93',
    });
    expect(await call('DescribeModelPackage', { ModelPackageName: arn })).toMatchObject({
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'accuracy 0.93',
      LastModifiedTime: expect.any(Number),
    });
  });

  it('lists the versions of a group, filtered by approval and sorted', async () => {
    const list = (input: object) =>
      call('ListModelPackages', input) as Promise<{
        ModelPackageSummaryList: { ModelPackageVersion: number; ModelApprovalStatus: string }[];
      }>;
    const approved = await list({
      ModelPackageGroupName: 'scones-classifier',
      ModelApprovalStatus: 'Approved',
      SortOrder: 'Descending',
    });
    expect(approved.ModelPackageSummaryList.map((p) => p.ModelPackageVersion)).toEqual([2, 1]);
    expect((await list({})).ModelPackageSummaryList).toEqual([]); // unversioned only, the reference's default
    expect((await list({ ModelPackageType: 'Both' })).ModelPackageSummaryList).toHaveLength(3);
    const groups = (await call('ListModelPackageGroups', { NameContains: 'scones' })) as {
      ModelPackageGroupSummaryList: { ModelPackageGroupName: string }[];
    };
    expect(groups.ModelPackageGroupSummaryList.map((g) => g.ModelPackageGroupName)).toEqual([
      'scones-classifier',
    ]);
  });

  it('serves an approved version through a model made from it, and refuses one not approved', async () => {
    const rejected = await rejection(
      call('CreateModel', {
        ModelName: 'rejected',
        PrimaryContainer: {
          ModelPackageName: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/scones-classifier/3',
        },
      }),
      'ValidationException',
    );
    expect(rejected.message).toContain('only Approved versions can be deployed');
    await call('CreateModel', {
      ModelName: 'from-registry',
      PrimaryContainer: {
        ModelPackageName: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/scones-classifier/2',
      },
    });
    await call('CreateEndpointConfig', {
      EndpointConfigName: 'registry-config',
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: 'from-registry',
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 1,
        },
      ],
    });
    await call('CreateEndpoint', {
      EndpointName: 'registry-endpoint',
      EndpointConfigName: 'registry-config',
    });
    const endpoint = await until(
      () =>
        call('DescribeEndpoint', { EndpointName: 'registry-endpoint' }) as Promise<{
          EndpointStatus: string;
        }>,
      (e) => e.EndpointStatus !== 'Creating',
    );
    expect(endpoint.EndpointStatus).toBe('InService');
    expect(harness.hosting.served.get('registry-endpoint')?.variants[0]).toMatchObject({
      modelDataUrl: ARTIFACT,
      image: IMAGE,
    });
  });

  it('refuses to delete a group that still has versions', async () => {
    await rejection(
      call('DeleteModelPackageGroup', { ModelPackageGroupName: 'scones-classifier' }),
      'ConflictException',
    );
  });
});
