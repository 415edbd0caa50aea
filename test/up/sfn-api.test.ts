/**
 * The embedded Step Functions API through the real `@aws-sdk/client-sfn`, on the local S3's port:
 * every served action, StartExecution's naming rule, ListExecutions' filter and paging, and the
 * service's error shapes (typed SDK exceptions, `__type` + `message` on the wire).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import aslValidator from 'asl-validator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/config.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { bikePng } from './support.ts';

const stub = createStubPredictor();
let runtime: EmbeddedRuntime;
let sfn: SFNClient;
let dataDir: string;
let stateMachineArn: string;
let imageInput: (key: string) => string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-sfn-api-'));
  runtime = await startEmbeddedRuntime({ dataDir, predictor: stub, retryDelayMs: 0, stepFunctionsApi: true });
  sfn = new SFNClient({
    endpoint: runtime.localS3.endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  stateMachineArn = runtime.engine.stateMachineArn;
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await runtime.s3.send(
    new PutObjectCommand({ Bucket: runtime.config.bucket, Key: 'images/bike.png', Body: await bikePng() }),
  );
  imageInput = (key) => JSON.stringify({ s3_bucket: runtime.config.bucket, s3_key: key });
});
afterAll(async () => {
  sfn?.destroy();
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  stub.reset();
  runtime.endpoint.faults.reset();
});

async function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  let described: DescribeExecutionCommandOutput | undefined;
  await expect
    .poll(
      async () => {
        described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return described.status;
      },
      { timeout: 15_000, interval: 20 },
    )
    .not.toBe('RUNNING');
  return described as DescribeExecutionCommandOutput;
}

async function listAll(request: { statusFilter?: 'FAILED' | 'SUCCEEDED' | 'RUNNING'; maxResults?: number }) {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, ...request, nextToken }));
    names.push(...(page.executions ?? []).map((execution) => execution.name as string));
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

describe('embedded Step Functions API', () => {
  it('lists and describes the state machine with its substituted, valid ASL', async () => {
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          stateMachineArn,
          name: 'scones-dev-image-classification',
          type: 'STANDARD',
        }),
        // The batch state machine (a Distributed Map over a prefix) is served beside it.
        expect.objectContaining({ name: 'scones-dev-image-batch', type: 'STANDARD' }),
        // So is the retraining state machine (statemachine/model-retraining.asl.json).
        expect.objectContaining({ name: 'scones-dev-model-retraining', type: 'STANDARD' }),
      ]),
    );
    const retraining = await sfn.send(
      new DescribeStateMachineCommand({
        stateMachineArn: stateMachineArn.replace('image-classification', 'model-retraining'),
      }),
    );
    expect(JSON.parse(retraining.definition as string).States.TrainCandidate.Resource).toBe(
      'arn:aws:states:::sagemaker:createTrainingJob.sync',
    );
    expect(retraining.roleArn).toMatch(/:role\/scones-dev-retraining-role$/);
    expect(stateMachines?.[0]?.creationDate).toBeInstanceOf(Date);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    expect(described).toMatchObject({
      status: 'ACTIVE',
      type: 'STANDARD',
      roleArn: expect.stringContaining(':role/'),
    });
    const definition = JSON.parse(described.definition as string);
    expect(definition.States.SerializeImageData.Parameters.FunctionName).toMatch(/^arn:aws:lambda:/);
    expect(aslValidator(definition, { checkArn: true, checkPaths: true }).isValid).toBe(true);
  });

  it('StartExecution runs the workflow; DescribeExecution has its input and decision', async () => {
    stub.setProbabilities([0.93, 0.07]);
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'api-bike', input: imageInput('images/bike.png') }),
    );
    expect(started.executionArn).toBe(`${stateMachineArn.replace(':stateMachine:', ':execution:')}:api-bike`);
    expect(started.startDate).toBeInstanceOf(Date);
    const described = await finished(started.executionArn as string);
    expect(described).toMatchObject({ name: 'api-bike', status: 'SUCCEEDED', stateMachineArn });
    expect(JSON.parse(described.input as string)).toEqual(JSON.parse(imageInput('images/bike.png')));
    expect(JSON.parse(described.output as string)).toMatchObject({ decision: 'short-range' });
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() as number);
  });

  it('runs a batch over a prefix through the same API (the batch state machine)', async () => {
    stub.setProbabilities([0.93, 0.07]);
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    for (const key of ['batch-api/a.png', 'batch-api/b.png', 'batch-api/c.png']) {
      await runtime.s3.send(
        new PutObjectCommand({ Bucket: runtime.config.bucket, Key: key, Body: await bikePng() }),
      );
    }
    const batchArn = stateMachineArn.replace(/image-classification$/, 'image-batch');
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: batchArn,
        name: 'api-batch',
        input: JSON.stringify({ s3_bucket: runtime.config.bucket, s3_prefix: 'batch-api/' }),
      }),
    );
    const described = await finished(started.executionArn as string);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string)).toMatchObject({
      batch_execution: 'api-batch',
      status: 'SUCCEEDED',
      total: 3,
      succeeded: 3,
      decisions: { 'short-range': 3 },
    });
  });

  it("follows StartExecution's naming rule for Standard workflows", async () => {
    runtime.endpoint.faults.setLatency(400);
    const input = imageInput('images/bike.png');
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'twice', input }));
    // Same name and input while it runs: the same execution.
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'twice', input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).status).toBe(
      'RUNNING',
    );
    // A different input, then (once closed) any input: ExecutionAlreadyExists.
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'twice', input: imageInput('other.png') })),
    ).rejects.toThrow(ExecutionAlreadyExists);
    await finished(first.executionArn as string);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'twice', input })),
    ).rejects.toThrow(ExecutionAlreadyExists);
  });

  it('refuses bad names, inputs and ARNs with the typed exceptions', async () => {
    const input = imageInput('images/bike.png');
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'a b', input })),
    ).rejects.toThrow(InvalidName);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'x', input: '{not json' })),
    ).rejects.toThrow(InvalidExecutionInput);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}-nope`, input })),
    ).rejects.toThrow(StateMachineDoesNotExist);
    await expect(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' })),
    ).rejects.toThrow(InvalidArn);
    const missing = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:never-started`;
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: missing }))).rejects.toThrow(
      ExecutionDoesNotExist,
    );
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: stateMachineArn }))).rejects.toThrow(
      InvalidArn,
    );
    const validation = await sfn
      .send(new ListExecutionsCommand({ stateMachineArn, maxResults: 5000 }))
      .catch((error: Error) => error);
    expect(validation).toMatchObject({ name: 'ValidationException' });
    expect((validation as Error).message).toMatch(
      /1 validation error detected: Value '5000' at 'maxResults'/,
    );
  });

  it('failed executions carry Error and Cause; ListExecutions filters by status', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: 'api-missing',
        input: imageInput('images/none.png'),
      }),
    );
    const described = await finished(started.executionArn as string);
    expect(described).toMatchObject({ status: 'FAILED', error: 'ImageNotFound' });
    expect(described.cause).toContain('images/none.png');
    expect(await listAll({ statusFilter: 'FAILED' })).toEqual(['api-missing']);
    expect(await listAll({ statusFilter: 'SUCCEEDED' })).toEqual(
      expect.arrayContaining(['api-bike', 'twice']),
    );
  });

  it('pages ListExecutions newest first, stable while new executions start, tokens tied to the request', async () => {
    stub.setProbabilities([0.2, 0.8]);
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      const started = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: imageInput('images/bike.png') }),
      );
      await finished(started.executionArn as string);
    }
    const whole = await listAll({});
    expect(whole.slice(0, 5)).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
    const first = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    expect(first.executions?.map((execution) => execution.name)).toEqual(['p5', 'p4']);
    // An execution started between pages does not shift the next page.
    await finished(
      (
        await sfn.send(
          new StartExecutionCommand({ stateMachineArn, name: 'p6', input: imageInput('images/bike.png') }),
        )
      ).executionArn as string,
    );
    const second = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: first.nextToken }),
    );
    expect(second.executions?.map((execution) => execution.name)).toEqual(['p3', 'p2']);
    expect(await listAll({ maxResults: 1 })).toEqual(await listAll({}));
    await expect(
      sfn.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: 'FAILED', nextToken: first.nextToken }),
      ),
    ).rejects.toThrow(InvalidToken);
    await expect(
      sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken: 'garbage' })),
    ).rejects.toThrow(InvalidToken);
  });

  it('GetExecutionHistory gives the start and end events the registry keeps, in either order', async () => {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:api-missing`;
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.map((event) => [event.id, event.previousEventId, event.type])).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 1, 'ExecutionFailed'],
    ]);
    expect(JSON.parse(events?.[0]?.executionStartedEventDetails?.input as string).s3_key).toBe(
      'images/none.png',
    );
    expect(events?.[1]?.executionFailedEventDetails).toMatchObject({ error: 'ImageNotFound' });
    const reversed = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 1,
        includeExecutionData: false,
      }),
    );
    expect(reversed.events?.map((event) => event.type)).toEqual(['ExecutionFailed']);
    const rest = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 1,
        nextToken: reversed.nextToken,
      }),
    );
    expect(rest.events?.map((event) => event.type)).toEqual(['ExecutionStarted']);
    expect(rest.nextToken).toBeUndefined();
  });

  it('answers an action it does not serve, and malformed bodies, in the service error shape', async () => {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:api-bike`;
    await expect(sfn.send(new StopExecutionCommand({ executionArn }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('DescribeExecution'),
    });
    const raw = await fetch(runtime.localS3.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSStepFunctions.ListStateMachines',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: '{oops',
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(raw.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await raw.json()).toMatchObject({ __type: 'com.amazon.coral.service#SerializationException' });
    const missing = await fetch(runtime.localS3.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSStepFunctions.DescribeExecution' },
      body: '{}',
    });
    expect(await missing.json()).toEqual({
      __type: 'com.amazon.coral.validate#ValidationException',
      message:
        "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null",
    });
  });

  it('leaves every other request to S3 on the same port', async () => {
    await expect(
      runtime.s3.send(new HeadBucketCommand({ Bucket: runtime.config.bucket })),
    ).resolves.toBeDefined();
    expect(runtime.config.endpointFor('sfn')).toBe(runtime.localS3.endpoint);
  });
});
