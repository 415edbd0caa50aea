/**
 * A running embedded stack (SageMaker, CloudWatch, S3 on one port) whose endpoint serves the kit's
 * "original" model (deployed at start through the SageMaker API, as `scones up` deploys its model),
 * and a model package group with small servable models as versions: what `scones models`,
 * `rollout` and `rollback` work on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { imageClassificationUri } from '../../src/embedded/sagemaker/index.ts';
import { type RegistryApis, sdkCloudWatchApi, sdkSageMakerApi } from '../../src/registry/index.ts';
import { retrainingNames } from '../../src/workflow/names.ts';
import { packModel } from '../../training/artifact.ts';
import { useWasmBackend } from '../../training/backend.ts';
import { createServingModel } from '../../training/model.ts';
import { stackClientOptions } from '../embedded/sagemaker/gateway-support.ts';
import { smallModelMetadata } from '../training/model-fixtures.ts';

export const IMAGE = imageClassificationUri('us-east-1') as string;

export interface RegistryStack {
  runtime: EmbeddedRuntime;
  apis: RegistryApis;
  sagemaker: SageMakerClient;
  cloudwatch: CloudWatchClient;
  scope: { stage: string; endpointName: string };
  group: string;
  /** Registers a small servable model as the next version; returns its ARN and artifact. */
  register(
    status: 'Approved' | 'Rejected',
    reason: string,
    filters: number,
  ): Promise<{ arn: string; modelData: string }>;
  close(): Promise<void>;
}

async function putModel(s3: S3Client, bucket: string, key: string, filters: number): Promise<string> {
  await useWasmBackend();
  const artifact = await packModel(createServingModel({ filters: [filters] }).model, smallModelMetadata());
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: artifact }));
  return `s3://${bucket}/${key}`;
}

export async function startRegistryStack(): Promise<RegistryStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'scones-registry-'));
  const runtime = await startEmbeddedRuntime({
    dataDir,
    stepFunctionsApi: true,
    port: 0,
    s3Thread: false,
    capture: { destinationS3Uri: 's3://scones-images/data_capture' },
    workflowEndpoint: async (s3, config) => ({
      modelDataUrl: await putModel(s3, config.bucket, 'models/original/model.tar.gz', 3),
    }),
  });
  const options = stackClientOptions(runtime.localS3.endpoint);
  const sagemaker = new SageMakerClient(options);
  const cloudwatch = new CloudWatchClient(options);
  const { s3 } = runtime;
  const apis: RegistryApis = {
    sagemaker: sdkSageMakerApi(sagemaker),
    cloudwatch: sdkCloudWatchApi(cloudwatch),
    readText: async (uri) => {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) as RegExpExecArray;
      const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return answer.Body?.transformToString('utf8');
    },
  };
  const { stage, endpointName, bucket } = runtime.config;
  const group = retrainingNames(stage).modelPackageGroup;
  await apis.sagemaker.call('CreateModelPackageGroup', { ModelPackageGroupName: group });
  let registered = 0;
  return {
    runtime,
    apis,
    sagemaker,
    cloudwatch,
    scope: { stage, endpointName },
    group,
    async register(status, reason, filters) {
      registered++;
      const modelData = await putModel(s3, bucket, `retraining/models/c${registered}/model.tar.gz`, filters);
      const report = `s3://${bucket}/retraining/c${registered}/evaluation/report.json`;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `retraining/c${registered}/evaluation/report.json`,
          Body: JSON.stringify({
            report_uri: report,
            candidate: {
              model: modelData,
              all: { images: 10, accuracy: 0.5 + registered / 10, classes: [] },
              clean: { images: 5, accuracy: 0.9, classes: [] },
              reviewed: { images: 5, accuracy: 0.1 + registered / 10, classes: [] },
            },
            current: null,
            delta: { clean: null, reviewed: registered / 10 },
            clean_drop: 0,
            unreadable: 0,
          }),
        }),
      );
      const { ModelPackageArn } = (await apis.sagemaker.call('CreateModelPackage', {
        ModelPackageGroupName: group,
        ModelPackageDescription: reason,
        ModelApprovalStatus: status,
        InferenceSpecification: {
          Containers: [{ Image: IMAGE, ModelDataUrl: modelData }],
          SupportedContentTypes: ['image/png'],
          SupportedResponseMIMETypes: ['application/json'],
        },
        ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: report } } },
        CustomerMetadataProperties: { training_job: `job-${registered}`, reason },
      })) as { ModelPackageArn: string };
      return { arn: ModelPackageArn, modelData };
    },
    async close() {
      sagemaker.destroy();
      cloudwatch.destroy();
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
