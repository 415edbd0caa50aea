/**
 * The intake state machine on MiniStack, deployed by the deploy module beside the workflow: started
 * by hand through the Step Functions API with the input the image-uploaded rule's transformer
 * gives it, three times for one object (at once, while the classification runs, and after it
 * closed), it starts exactly one classification execution, under the name src/events computes.
 */
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamClient } from '../../src/aws/clients.ts';
import {
  createStubPredictor,
  type EndpointServer,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';
import { executionNameForObject } from '../../src/events/execution-name.ts';
import { resourceNames } from '../../src/workflow/names.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';
import { closedExecution, type EmulatorStack, startSharedEmulatorStack } from '../support/emulator-stack.ts';

describe('intake state machine on MiniStack', () => {
  let endpoint: EndpointServer;
  let stack: EmulatorStack;

  beforeAll(async () => {
    endpoint = await startEndpointServer({ predictor: createStubPredictor() });
    stack = await startSharedEmulatorStack('intake', { endpointUrl: endpoint.url });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await endpoint?.stop();
  });

  const finished = (executionArn: string) =>
    closedExecution(stack.sfn, executionArn, { timeout: 60_000, interval: 100 });

  it('deploys the intake with a role allowed StartExecution on the classification state machine only', async () => {
    const { deployment } = stack;
    const names = resourceNames(stack.config.stage);
    expect(deployment.intakeStateMachineArn).toBe(
      deployment.stateMachineArn.replace(names.stateMachine, names.intakeStateMachine),
    );
    const iam = createIamClient(stack.config);
    const { PolicyDocument } = await iam.send(
      new GetRolePolicyCommand({ RoleName: names.intakeStateMachineRole, PolicyName: names.inlinePolicy }),
    );
    expect(JSON.parse(decodeURIComponent(PolicyDocument ?? '{}')).Statement).toEqual([
      {
        Sid: 'StartClassification',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: deployment.stateMachineArn,
      },
    ]);
    const role = await iam.send(new GetRoleCommand({ RoleName: names.intakeStateMachineRole }));
    expect(JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '{}')).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('one object started three times: one classification, under the predicted name', {
    timeout: 180_000,
  }, async () => {
    const { config, deployment, sfn } = stack;
    // Long (several SHA-256 blocks), non-ASCII and a backslash: the name must still match. Outside
    // the intake prefix, so that the deployed image-uploaded rule does not start an intake itself.
    const key = `by-hand/${'a-long-upload-name-'.repeat(4)}ünï\\cöde.png`;
    await stack.s3.send(
      new PutObjectCommand({
        Bucket: config.bucket,
        Key: key,
        Body: await rgbToPng((await readCifarRecord(0)).rgb),
      }),
    );
    // What the rule's InputTransformer renders for this upload's event.
    const input = JSON.stringify({ bucket: config.bucket, key, sequencer: '0066C2B5C1A0B0E3F1' });
    const start = () =>
      sfn.send(new StartExecutionCommand({ stateMachineArn: deployment.intakeStateMachineArn, input }));
    const first = await start();
    const second = await start(); // the classification is still running
    const [one, two] = await Promise.all([
      finished(first.executionArn as string),
      finished(second.executionArn as string),
    ]);
    const expectedName = executionNameForObject(JSON.parse(input));
    for (const intake of [one, two]) {
      expect(intake.status, intake.cause).toBe('SUCCEEDED');
      expect(JSON.parse(intake.output ?? '{}').classification.execution_arn).toMatch(
        new RegExp(`:${expectedName}$`),
      );
    }
    const classificationArn = JSON.parse(one.output ?? '{}').classification.execution_arn as string;
    const classification = await finished(classificationArn);
    expect(classification.status, classification.cause).toBe('SUCCEEDED');
    expect(JSON.parse(classification.input ?? '{}')).toEqual({
      image_data: '',
      s3_bucket: config.bucket,
      s3_key: key,
    });
    expect(JSON.parse(classification.output ?? '{}')).toMatchObject({
      s3_key: key,
      decision: expect.any(String),
    });

    // A late duplicate: the name is taken by a closed execution, which the intake catches.
    const third = await finished((await start()).executionArn as string);
    expect(third.status, third.cause).toBe('SUCCEEDED');
    expect(JSON.parse(third.output ?? '{}').already_started).toMatchObject({
      Error: 'StepFunctions.ExecutionAlreadyExistsException',
    });

    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: deployment.stateMachineArn }),
    );
    expect(executions.map((execution) => execution.name)).toEqual([expectedName]);
  });
});
