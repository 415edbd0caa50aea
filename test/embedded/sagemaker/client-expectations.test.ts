/**
 * What the real clients (test/up: boto3, aws-cli, the SageMaker Python SDK v2) showed the local
 * SageMaker must answer, one test per fix, each as SageMaker's API reference and its answers have it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, stageChannels, startHarness, trainingJobRequest } from './support.ts';

let harness: Harness;
const call = (action: string, input: unknown) => harness.service.call(action, input);

beforeAll(async () => {
  harness = await startHarness();
  await stageChannels(harness.s3);
});
afterAll(() => harness?.close());

describe('DescribeTrainingJob', () => {
  it('fills in what SageMaker fills in when the request left it out (Estimator.attach reads OutputDataConfig.KmsKeyId)', async () => {
    await call('CreateTrainingJob', trainingJobRequest('defaults-job'));
    const job = (await call('DescribeTrainingJob', { TrainingJobName: 'defaults-job' })) as {
      OutputDataConfig: Record<string, unknown>;
      InputDataConfig: Record<string, unknown>[];
      ResourceConfig: Record<string, unknown>;
    };
    expect(job.OutputDataConfig).toEqual({ KmsKeyId: '', S3OutputPath: 's3://sagemaker-test/models/' });
    for (const channel of job.InputDataConfig)
      expect(channel).toMatchObject({ CompressionType: 'None', RecordWrapperType: 'None' });
    expect(job.ResourceConfig.VolumeSizeInGB).toBe(10);
  });

  it('keeps what the request gave', async () => {
    const request = trainingJobRequest('given-job');
    await call('CreateTrainingJob', {
      ...request,
      OutputDataConfig: { ...request.OutputDataConfig, KmsKeyId: 'alias/training' },
      InputDataConfig: request.InputDataConfig.map((channel) => ({ ...channel, CompressionType: 'None' })),
    });
    const job = (await call('DescribeTrainingJob', { TrainingJobName: 'given-job' })) as {
      OutputDataConfig: Record<string, unknown>;
    };
    expect(job.OutputDataConfig.KmsKeyId).toBe('alias/training');
  });
});
