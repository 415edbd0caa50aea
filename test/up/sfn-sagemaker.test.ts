/**
 * A state machine created through the stack's Step Functions API (CreateStateMachine over HTTP)
 * runs SageMaker Tasks against the stack's own SageMaker: what it creates is what the SageMaker API
 * describes; a training job that fails (the algorithm refuses its hyperparameters, before any
 * training) fails `createTrainingJob.sync` with States.TaskFailed, caught; an API refusal is
 * SageMaker.AmazonSageMakerException. CreateStateMachine's own answers: idempotent for the same
 * request, StateMachineAlreadyExists otherwise, InvalidDefinition for what the engine cannot run.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  StartExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/config.ts';
import { imageClassificationUri } from '../../src/embedded/sagemaker/index.ts';
import { trainingTaskParameters } from '../embedded/sagemaker/support.ts';
import { startTestStack, type TestStack } from './support.ts';

const ROLE = 'arn:aws:iam::000000000000:role/StatesRole';
const SAGEMAKER_ROLE = 'arn:aws:iam::000000000000:role/SageMakerRole';
const IMAGE = imageClassificationUri('us-east-1') as string;
const SM = 'arn:aws:states:::sagemaker:';

let test: TestStack;
let sagemaker: SageMakerClient;

function definition(bucket: string) {
  return {
    StartAt: 'Train',
    States: {
      Train: {
        Type: 'Task',
        Resource: `${SM}createTrainingJob.sync`,
        // num_classes is left out: the algorithm fails the job, as on AWS.
        Parameters: trainingTaskParameters(
          'unused',
          { num_classes: undefined, image_shape: undefined, num_training_samples: '2', epochs: '1' },
          'sfn-data',
          { bucket, role: SAGEMAKER_ROLE },
        ),
        ResultPath: '$.training',
        Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.trainingError', Next: 'Model' }],
        Next: 'Model',
      },
      Model: {
        Type: 'Task',
        Resource: `${SM}createModel`,
        Parameters: {
          'ModelName.$': '$.model',
          PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://${bucket}/sfn-models/any/model.tar.gz` },
          ExecutionRoleArn: SAGEMAKER_ROLE,
        },
        ResultSelector: { 'ModelArn.$': '$.ModelArn' },
        ResultPath: '$.created',
        End: true,
      },
    },
  };
}

async function closed(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  let described: DescribeExecutionCommandOutput | undefined;
  await vi.waitFor(
    async () => {
      described = await test.sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(described.status).not.toBe('RUNNING');
    },
    { timeout: 20_000, interval: 50 },
  );
  return described as DescribeExecutionCommandOutput;
}

beforeAll(async () => {
  test = await startTestStack();
  sagemaker = new SageMakerClient({
    endpoint: test.stack.endpoint,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
  });
  const { s3, config } = test.stack.runtime;
  for (const channel of ['train', 'validation', 'train_lst', 'validation_lst']) {
    await s3.send(
      new PutObjectCommand({ Bucket: config.bucket, Key: `sfn-data/${channel}/object`, Body: 'x' }),
    );
  }
});
afterAll(async () => {
  sagemaker?.destroy();
  await test?.close();
});

describe('SageMaker Tasks in a state machine created through the stack Step Functions API', () => {
  let stateMachineArn: string;

  it('CreateStateMachine registers it; the same request again is idempotent, another is refused', async () => {
    const request = {
      name: 'retrain-sketch',
      definition: JSON.stringify(definition(test.stack.runtime.config.bucket)),
      roleArn: ROLE,
    };
    const created = await test.sfn.send(new CreateStateMachineCommand(request));
    stateMachineArn = created.stateMachineArn as string;
    expect(stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:retrain-sketch');
    const again = await test.sfn.send(new CreateStateMachineCommand(request));
    expect(again.creationDate).toEqual(created.creationDate);
    await expect(
      test.sfn.send(new CreateStateMachineCommand({ ...request, roleArn: `${ROLE}2` })),
    ).rejects.toMatchObject({ name: 'StateMachineAlreadyExists' });
    await expect(
      test.sfn.send(
        new CreateStateMachineCommand({
          ...request,
          name: 'transform',
          definition: JSON.stringify({
            StartAt: 'T',
            States: { T: { Type: 'Task', Resource: `${SM}createTransformJob.sync`, End: true } },
          }),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringMatching(/createTransformJob/),
    });
    await expect(
      test.sfn.send(
        new CreateStateMachineCommand({
          ...request,
          name: 'notebook',
          definition: JSON.stringify({
            StartAt: 'T',
            States: {
              T: {
                Type: 'Task',
                Resource: 'arn:aws:states:::aws-sdk:sagemaker:createNotebookInstance',
                End: true,
              },
            },
          }),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringMatching(/does not serve CreateNotebookInstance/),
    });
  });

  it('runs them against the stack SageMaker: a failed .sync training caught, a model created there', async () => {
    const started = await test.sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        input: JSON.stringify({ job: 'sfn-stack-train', model: 'sfn-stack-model' }),
      }),
    );
    const described = await closed(started.executionArn as string);
    expect(described.status, described.cause).toBe('SUCCEEDED');
    const output = JSON.parse(described.output as string) as {
      trainingError: { Error: string; Cause: string };
      created: { ModelArn: string };
    };
    expect(output.trainingError.Error).toBe('States.TaskFailed');
    const job = JSON.parse(output.trainingError.Cause) as {
      TrainingJobStatus: string;
      FailureReason: string;
    };
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(/num_classes/);
    const model = await sagemaker.send(new DescribeModelCommand({ ModelName: 'sfn-stack-model' }));
    expect(model.ModelArn).toBe(output.created.ModelArn);
  });

  it('an API refusal fails the Task as SageMaker.AmazonSageMakerException', async () => {
    const started = await test.sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        // The model exists already: CreateModel refuses (ValidationException), nothing catches it.
        input: JSON.stringify({ job: 'sfn-stack-train-2', model: 'sfn-stack-model' }),
      }),
    );
    const described = await closed(started.executionArn as string);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('SageMaker.AmazonSageMakerException');
    expect(described.cause).toMatch(/Cannot create already existing model .*Error Code: ValidationException/);
  });
  it('UpdateStateMachine runs the new definition next (an aws-sdk:sagemaker Task); DeleteStateMachine removes it', async () => {
    const describeModel = {
      StartAt: 'Describe',
      States: {
        Describe: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:sagemaker:describeModel',
          Parameters: { 'ModelName.$': '$.model' },
          ResultSelector: { 'ModelName.$': '$.ModelName', 'Image.$': '$.PrimaryContainer.Image' },
          End: true,
        },
      },
    };
    const kitArn = test.stack.runtime.engine.stateMachineArn;
    await expect(
      test.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: kitArn, definition: '{}' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/kit's state machines/),
    });
    await expect(
      test.sfn.send(new DeleteStateMachineCommand({ stateMachineArn: kitArn })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await test.sfn.send(
      new UpdateStateMachineCommand({ stateMachineArn, definition: JSON.stringify(describeModel) }),
    );
    const machine = await test.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    expect(JSON.parse(machine.definition as string)).toEqual(describeModel);
    const started = await test.sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ model: 'sfn-stack-model' }) }),
    );
    const described = await closed(started.executionArn as string);
    expect(described.status, described.cause).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string)).toEqual({ ModelName: 'sfn-stack-model', Image: IMAGE });
    await test.sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
    await expect(test.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});
