/**
 * The local SageMaker's front door: shape constraints answered with SageMaker's ValidationException
 * wording, wrong JSON types with SerializationException, unknown actions, names taken, resources
 * missing, images it cannot run and channels that point at nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Harness,
  IMAGE,
  put,
  ROLE,
  rejection,
  stageChannels,
  startHarness,
  trainingJobRequest,
} from './support.ts';

let harness: Harness;
const call = (action: string, input: unknown) => harness.service.call(action, input);

beforeAll(async () => {
  harness = await startHarness();
  await stageChannels(harness.s3);
  await put(harness.s3, 'models/m1/output/model.tar.gz', 'x');
});
afterAll(() => harness?.close());

describe('request shapes', () => {
  it('names a broken name pattern the way SageMaker prints it', async () => {
    const error = await rejection(
      call('CreateTrainingJob', trainingJobRequest('bad_name!')),
      'ValidationException',
    );
    expect(error.message).toBe(
      "1 validation error detected: Value 'bad_name!' at 'trainingJobName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}',
    );
    expect(error.toJSON()).toEqual({ __type: 'ValidationException', message: error.message });
  });

  it('collects every broken constraint, nested paths included, into one message', async () => {
    const request = {
      ...trainingJobRequest('x'.repeat(64)),
      RoleArn: undefined,
      ResourceConfig: { InstanceType: 'ml.banana.large', InstanceCount: 0 },
    };
    const error = await rejection(call('CreateTrainingJob', request), 'ValidationException');
    // The 64-character name breaks the length and the pattern, as on AWS.
    expect(error.message).toMatch(/^5 validation errors detected: /);
    expect(error.message).toContain(
      `at 'trainingJobName' failed to satisfy constraint: Member must have length less than or equal to 63`,
    );
    expect(error.message).toContain(
      `Value null at 'roleArn' failed to satisfy constraint: Member must not be null`,
    );
    expect(error.message).toContain(
      `Value 'ml.banana.large' at 'resourceConfig.instanceType' failed to satisfy constraint: Member must satisfy enum value set: [ml.m4.xlarge`,
    );
    expect(error.message).toContain(
      `Value '0' at 'resourceConfig.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  });

  it('prints list members with their 1-based index, as AWS does', async () => {
    const request = trainingJobRequest('list-paths');
    (request.InputDataConfig[1] as { ChannelName: string }).ChannelName = 'bad channel';
    const error = await rejection(call('CreateTrainingJob', request), 'ValidationException');
    expect(error.message).toContain(`at 'inputDataConfig.2.member.channelName'`);
  });

  it('answers a value of the wrong JSON type with SerializationException', async () => {
    const error = await rejection(call('ListModels', { MaxResults: 'ten' }), 'SerializationException');
    expect(error.message).toContain("'maxResults'");
    await rejection(call('ListModels', []), 'SerializationException');
  });

  it('answers an unknown action with UnknownOperationException and lists the ones it knows', async () => {
    await rejection(call('CreateNotebookInstance', {}), 'UnknownOperationException');
    await rejection(call('__proto__', {}), 'UnknownOperationException');
    expect(harness.service.actions).toEqual(
      expect.arrayContaining([
        'CreateTrainingJob',
        'UpdateEndpointWeightsAndCapacities',
        'UpdateModelPackage',
        'AddTags',
      ]),
    );
  });

  it('checks map limits of HyperParameters at create time', async () => {
    const error = await rejection(
      call('CreateTrainingJob', trainingJobRequest('long-value', { epochs: '1'.repeat(2501) })),
      'ValidationException',
    );
    expect(error.message).toContain(
      "at 'hyperParameters' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 2500]",
    );
  });
});

describe('what the local SageMaker can run', () => {
  it('refuses another training image, naming the one it runs', async () => {
    const request = trainingJobRequest('other-image');
    request.AlgorithmSpecification.TrainingImage =
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1-gpu-py310';
    const error = await rejection(call('CreateTrainingJob', request), 'ValidationException');
    expect(error.message).toContain('not an image the local SageMaker can run');
    expect(error.message).toContain(IMAGE);
  });

  it('recognises the algorithm image of every region, with its partition suffix', async () => {
    for (const image of [
      '685385470294.dkr.ecr.eu-west-1.amazonaws.com/image-classification:1',
      '390948362332.dkr.ecr.cn-north-1.amazonaws.com.cn/image-classification:1',
      '455444449433.dkr.ecr.af-south-1.amazonaws.com/image-classification:latest',
    ]) {
      const request = trainingJobRequest(`region-${image.slice(0, 6)}`);
      request.AlgorithmSpecification.TrainingImage = image;
      await expect(call('CreateTrainingJob', request)).resolves.toHaveProperty('TrainingJobArn');
    }
    // The right repository under another region's account is not the algorithm.
    const request = trainingJobRequest('wrong-account');
    request.AlgorithmSpecification.TrainingImage =
      '685385470294.dkr.ecr.us-east-1.amazonaws.com/image-classification:1';
    await rejection(call('CreateTrainingJob', request), 'ValidationException');
  });

  it('refuses RecordIO channels and non-S3Prefix data, saying what it reads', async () => {
    const request = trainingJobRequest('recordio');
    request.InputDataConfig[0] = {
      ...request.InputDataConfig[0],
      ContentType: 'application/x-recordio',
    } as never;
    const error = await rejection(call('CreateTrainingJob', request), 'ValidationException');
    expect(error.message).toContain('application/x-image');
  });

  it("refuses channels that point at nothing with SageMaker's message", async () => {
    const error = await rejection(
      call('CreateTrainingJob', trainingJobRequest('empty', {}, 'nothing-here')),
      'ValidationException',
    );
    expect(error.message).toBe(
      `No S3 objects found under S3 URL "s3://sagemaker-test/nothing-here/train/" given in input data source. ` +
        'Please ensure that the bucket exists in the selected region (us-east-1), that objects exist under that S3 ' +
        `prefix, and that the role "${ROLE}" has "s3:ListBucket" permissions on bucket "sagemaker-test".`,
    );
  });

  it('refuses a model of another image', async () => {
    const error = await rejection(
      call('CreateModel', {
        ModelName: 'other',
        PrimaryContainer: { Image: 'nginx:latest' },
        ExecutionRoleArn: ROLE,
      }),
      'ValidationException',
    );
    expect(error.message).toContain('image-classification');
  });
});

describe('names taken and resources missing', () => {
  it('answers a taken training job name with ResourceInUse, a taken model name with ValidationException', async () => {
    await call('CreateTrainingJob', trainingJobRequest('taken'));
    const inUse = await rejection(call('CreateTrainingJob', trainingJobRequest('Taken')), 'ResourceInUse');
    expect(inUse.message).toContain('arn:aws:sagemaker:us-east-1:000000000000:training-job/taken');
    const model = {
      ModelName: 'M1',
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://sagemaker-test/models/m1/output/model.tar.gz` },
    };
    expect(await call('CreateModel', model)).toEqual({
      ModelArn: 'arn:aws:sagemaker:us-east-1:000000000000:model/m1',
    });
    const taken = await rejection(call('CreateModel', model), 'ValidationException');
    expect(taken.message).toBe(
      'Cannot create already existing model "arn:aws:sagemaker:us-east-1:000000000000:model/m1".',
    );
  });

  it('words missing resources as SageMaker does', async () => {
    expect(
      (await rejection(call('DescribeTrainingJob', { TrainingJobName: 'none' }), 'ValidationException'))
        .message,
    ).toBe('Requested resource not found.');
    await rejection(call('StopTrainingJob', { TrainingJobName: 'none' }), 'ResourceNotFound');
    expect(
      (await rejection(call('DescribeEndpoint', { EndpointName: 'none' }), 'ValidationException')).message,
    ).toBe('Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/none".');
    expect(
      (await rejection(call('DescribeModel', { ModelName: 'none' }), 'ValidationException')).message,
    ).toBe('Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/none".');
    expect(
      (
        await rejection(
          call('CreateEndpoint', { EndpointName: 'e', EndpointConfigName: 'none' }),
          'ValidationException',
        )
      ).message,
    ).toBe(
      'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/none".',
    );
    await rejection(
      call('DescribeHyperParameterTuningJob', { HyperParameterTuningJobName: 'none' }),
      'ResourceNotFound',
    );
  });

  it('keeps tags given at creation and through AddTags, ListTags, DeleteTags', async () => {
    const { ModelArn } = (await call('CreateModel', {
      ModelName: 'tagged',
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://sagemaker-test/models/m1/output/model.tar.gz' },
      Tags: [{ Key: 'stage', Value: 'dev' }],
    })) as { ModelArn: string };
    await call('AddTags', {
      ResourceArn: ModelArn,
      Tags: [
        { Key: 'team', Value: 'ml' },
        { Key: 'stage', Value: 'prod' },
      ],
    });
    expect(await call('ListTags', { ResourceArn: ModelArn })).toEqual({
      Tags: [
        { Key: 'stage', Value: 'prod' },
        { Key: 'team', Value: 'ml' },
      ],
    });
    await call('DeleteTags', { ResourceArn: ModelArn, TagKeys: ['stage'] });
    expect(await call('ListTags', { ResourceArn: ModelArn })).toEqual({
      Tags: [{ Key: 'team', Value: 'ml' }],
    });
    await rejection(
      call('AddTags', { ResourceArn: ModelArn, Tags: [{ Key: 'aws:x', Value: 'y' }] }),
      'ValidationException',
    );
    await rejection(
      call('ListTags', { ResourceArn: 'arn:aws:sagemaker:us-east-1:000000000000:model/none' }),
      'ValidationException',
    );
  });
});
