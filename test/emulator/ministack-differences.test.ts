/**
 * Where MiniStack (as pinned) differs from AWS, observed on MiniStack as released and on MiniStack
 * with the harness's compatibility shims (src/emulator/ministack_compat.py). Each case is listed
 * with its AWS source in docs/emulator-differences.md. When a MiniStack upgrade fixes a difference,
 * the "as released" expectation fails: drop that shim and its entry.
 */

import { CreateFunctionCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLambdaClient, createS3Client, createSfnClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { createSfnRunner } from '../../src/deploy/sfn-runner.ts';
import { deterministicZip } from '../../src/deploy/zip.ts';
import { SHARED_WAIT_SCALE, type SharedServer, sharedServer } from '../support/shared-emulators/client.ts';
import { probeRole } from '../support/shared-emulators/probe-role.ts';

/** This file's role for its probes (probe-role.ts). */
const ROLE_NAME = 'probe-differences';
const BUCKET = 'probe-bucket';
const THROWING_HANDLER = `export const handler = async () => {
  class InvalidImage extends Error { name = 'InvalidImage'; }
  throw new InvalidImage('not a decodable image');
};`;

/** One Task per behaviour under test. */
function probeDefinition(functionArn: string) {
  return {
    StartAt: 'Throw',
    States: {
      Throw: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: functionArn, 'Payload.$': '$' },
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Put' }],
        End: true,
      },
      Put: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
        Parameters: {
          Bucket: BUCKET,
          'Key.$': "States.Format('probe/{}.json', $$.Execution.Name)",
          'Body.$': '$.error',
        },
        ResultSelector: { 'name.$': '$$.Execution.Name' },
        ResultPath: '$.put',
        End: true,
      },
    },
  };
}

interface Probe {
  error: { Error: string; Cause: string } | undefined;
  put: { name: string | null } | undefined;
  status: string;
  failure: string | undefined;
  stored: string | undefined;
}

async function probe(ministack: SharedServer, role: string): Promise<Probe> {
  const config = loadConfig({ SCONES_TARGET: 'emulator', ...ministack.environment() });
  const lambda = createLambdaClient(config);
  const s3 = createS3Client(config);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const zip = deterministicZip(new Map([['index.mjs', new TextEncoder().encode(THROWING_HANDLER)]]));
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'probe-throw',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: role,
      Code: { ZipFile: zip },
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: 'probe-throw' });
  const sfn = createSfnClient(config);
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name: 'probe',
      roleArn: role,
      definition: JSON.stringify(probeDefinition(fn.FunctionArn as string)),
    }),
  );
  const record = await createSfnRunner(sfn, stateMachineArn as string, { history: true }).run(
    { s3_bucket: BUCKET, s3_key: 'x' },
    'probe-run',
  );
  const output = record.output as { error?: Probe['error']; put?: Probe['put'] } | undefined;
  const stored = await s3
    .send(new GetObjectCommand({ Bucket: BUCKET, Key: 'probe/probe-run.json' }))
    .then((o) => o.Body?.transformToString())
    .catch(() => undefined);
  // The first task failure in the history is the Lambda's, whether or not the run succeeded.
  const lambdaFailure = record.history.find((event) => event.Error !== undefined);
  const error = lambdaFailure
    ? { Error: lambdaFailure.Error as string, Cause: String(lambdaFailure.Cause) }
    : undefined;
  return { error, put: output?.put, status: record.status, failure: record.cause, stored };
}

interface NestedStartProbe {
  /** A second StartExecution of a running execution's name, same input: its ARN, or the error. */
  whileRunning: string;
  childArn: string;
  /** A `states:startExecution` Task on the name once closed: how the parent ended. */
  parent: { status: string; error: string | undefined; caught: string | undefined };
}

/** StartExecution's naming rule, directly and through the optimized integration (the intake's path). */
async function probeNestedStart(ministack: SharedServer, role: string): Promise<NestedStartProbe> {
  const sfn = createSfnClient(loadConfig({ SCONES_TARGET: 'emulator', ...ministack.environment() }));
  const child = await sfn.send(
    new CreateStateMachineCommand({
      name: 'probe-child',
      roleArn: role,
      definition: JSON.stringify({
        StartAt: 'Hold',
        // Two seconds on the shared servers, which scale Wait states too.
        States: { Hold: { Type: 'Wait', Seconds: Math.round(2 / SHARED_WAIT_SCALE), End: true } },
      }),
    }),
  );
  const childArn = child.stateMachineArn as string;
  const parent = await sfn.send(
    new CreateStateMachineCommand({
      name: 'probe-parent',
      roleArn: role,
      definition: JSON.stringify({
        StartAt: 'Start',
        States: {
          Start: {
            Type: 'Task',
            Resource: 'arn:aws:states:::states:startExecution',
            Parameters: { StateMachineArn: childArn, Name: 'taken', Input: { n: 1 } },
            Catch: [
              {
                ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'],
                ResultPath: '$.caught',
                Next: 'Caught',
              },
            ],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      }),
    }),
  );
  const input = JSON.stringify({ n: 1 });
  const first = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: childArn, name: 'taken', input }),
  );
  const whileRunning = await sfn
    .send(new StartExecutionCommand({ stateMachineArn: childArn, name: 'taken', input }))
    .then(
      (again) => again.executionArn as string,
      (error: Error) => error.name,
    );
  for (let status = 'RUNNING'; status === 'RUNNING'; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    status =
      (await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).status ?? '';
  }
  const record = await createSfnRunner(sfn, parent.stateMachineArn as string, { history: true }).run(
    {} as never,
    'probe-parent-run',
  );
  const taskFailure = record.history.find((event) => event.Error !== undefined);
  return {
    whileRunning,
    childArn: first.executionArn as string,
    parent: {
      status: record.status,
      error: record.error ?? taskFailure?.Error,
      caught: (record.output as { caught?: { Error?: string } } | undefined)?.caught?.Error,
    },
  };
}

describe('MiniStack differences from AWS', () => {
  let released: SharedServer;
  let shimmed: SharedServer;
  let asReleased: Probe;
  let withShims: Probe;
  let nestedAsReleased: NestedStartProbe;
  let nestedWithShims: NestedStartProbe;

  beforeAll(async () => {
    [released, shimmed] = await Promise.all([sharedServer('ministack-released'), sharedServer('ministack')]);
    const [releasedRole, shimmedRole] = await Promise.all(
      [released, shimmed].map((server) => probeRole(server, ROLE_NAME)),
    );
    [asReleased, withShims, nestedAsReleased, nestedWithShims] = await Promise.all([
      probe(released, releasedRole as string),
      probe(shimmed, shimmedRole as string),
      probeNestedStart(released, releasedRole as string),
      probeNestedStart(shimmed, shimmedRole as string),
    ]);
  }, 600_000);

  it('Lambda errors: AWS catches them by the thrown name, with the trace in the Cause', () => {
    expect(asReleased.error?.Error).toBe('Runtime.HandlerError');
    expect(JSON.parse(asReleased.error?.Cause ?? '{}')).not.toHaveProperty('trace');

    expect(withShims.error?.Error).toBe('InvalidImage');
    const cause = JSON.parse(withShims.error?.Cause ?? '{}');
    expect(cause).toMatchObject({ errorType: 'InvalidImage', errorMessage: 'not a decodable image' });
    expect(cause.trace[0]).toBe('InvalidImage: not a decodable image');
  });

  it('aws-sdk:s3:putObject: AWS stores the object; MiniStack as released fails with States.Runtime', () => {
    expect(asReleased.status).toBe('FAILED');
    expect(asReleased.failure).toContain('aws-sdk:s3:putObject is not yet implemented');
    expect(asReleased.stored).toBeUndefined();

    expect(withShims.status).toBe('SUCCEEDED');
    expect(JSON.parse(withShims.stored ?? '{}')).toEqual(withShims.error);
    expect((withShims as { error?: unknown }).error).toBeDefined();
  });

  it('ResultSelector resolves $$ (Context Object) paths as Parameters do', () => {
    // As released, the run fails at putObject before its ResultSelector applies (by hand, with the
    // putObject shim alone, the name came back null); with every shim it resolves.
    expect(withShims.put).toEqual({ name: 'probe-run' });
  });

  it('StartExecution of a running name with the same input: AWS returns that execution', () => {
    expect(nestedAsReleased.whileRunning).toBe('ExecutionAlreadyExists');
    expect(nestedWithShims.whileRunning).toBe(nestedWithShims.childArn);
  });

  it('a refused states:startExecution Task: AWS names it StepFunctions.ExecutionAlreadyExistsException', () => {
    expect(nestedAsReleased.parent).toMatchObject({ status: 'FAILED', error: 'ExecutionAlreadyExists' });
    expect(nestedWithShims.parent).toEqual({
      status: 'SUCCEEDED',
      error: 'StepFunctions.ExecutionAlreadyExistsException',
      caught: 'StepFunctions.ExecutionAlreadyExistsException',
    });
  });
});
