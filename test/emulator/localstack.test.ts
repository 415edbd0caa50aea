/**
 * The LocalStack tier: LocalStack 4.14.0 from PyPI as a host process (no Docker) on a free port,
 * the kit deployed into it through the deploy module, and where LocalStack, as pinned, stands
 * against AWS (docs/emulator-differences.md, "LocalStack"). When an upgrade changes one of the
 * "as released" observations, the test fails: update that entry.
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createIamClient,
  createLambdaClient,
  createS3Client,
  createSfnClient,
} from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import { deploy, resourceNames } from '../../src/deploy/index.ts';
import { createSfnRunner } from '../../src/deploy/sfn-runner.ts';
import { deterministicZip } from '../../src/deploy/zip.ts';
import { findPython, LOCALSTACK_VENV, PythonMissingError } from '../../src/emulator/python-venv.ts';
import { isolatedStage, type SharedServer, sharedServer } from '../support/shared-emulators/client.ts';
import { LOCALSTACK_PROBE } from '../support/shared-emulators/mock-configs.ts';
import { MOCK_PROBE_DEFINITION } from '../test-cases/support.ts';

const ROLE = 'arn:aws:iam::000000000000:role/probe';
// The shared LocalStack reads LOCALSTACK_PROBE.config from its mock configuration: the probe's one
// Task mocks a single failure, and its first retry has no mocked response.
const PROBE_MACHINE = LOCALSTACK_PROBE.machine;

describe('LocalStack tier (localstack, host process, no Docker)', () => {
  let localstack: SharedServer;
  let config: KitConfig;

  beforeAll(async () => {
    // The run's shared LocalStack (a fresh clone installs it into .venv-localstack/ first).
    localstack = await sharedServer('localstack');
    config = loadConfig({
      SCONES_TARGET: 'emulator',
      ...isolatedStage('lstest'),
      ...localstack.environment(),
    });
  }, 600_000);

  it('listens on 127.0.0.1 at a free port and reports LocalStack 4.14.0', async () => {
    expect(localstack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(localstack.url).not.toContain(':4566');
    const health = (await (await fetch(`${localstack.url}/_localstack/health`)).json()) as {
      version: string;
    };
    expect(health.version).toBe('4.14.0');
  });

  it('deploys bucket, roles and state machine through the deploy module, idempotently', async () => {
    const first = await deploy({ config, functions: false, events: false, log: () => {} });
    const names = resourceNames(config.stage);
    const changes = first.changes.map((change) => `${change.change} ${change.kind} ${change.name}`);
    expect(changes).toEqual(
      expect.arrayContaining([
        `create bucket ${config.bucket}`,
        ...Object.values(names.functionRoles).map((role) => `create role ${role}`),
        `create role ${names.stateMachineRole}`,
        `create state-machine ${names.stateMachine}`,
      ]),
    );
    expect(changes.filter((change) => change.includes(' function '))).toEqual([]);
    await createS3Client(config).send(new HeadBucketCommand({ Bucket: config.bucket }));
    const role = await createIamClient(config).send(new GetRoleCommand({ RoleName: names.stateMachineRole }));
    expect(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '')).toContain('states.amazonaws.com');
    const machine = await createSfnClient(config).send(
      new DescribeStateMachineCommand({ stateMachineArn: first.stateMachineArn }),
    );
    // The state machine names the functions' ARNs, though they are not deployed.
    expect(machine.definition).toContain(`function:${names.functions.classify}`);

    const second = await deploy({ config, functions: false, events: false, log: () => {} });
    expect(second.changed).toBe(false);
  });

  it('stores a Lambda function but cannot run it without a container engine (state Failed)', async () => {
    const lambda = createLambdaClient(config);
    const zip = deterministicZip(
      new Map([['index.mjs', new TextEncoder().encode('export const handler = async () => 1;')]]),
    );
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'probe-no-engine',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: ROLE,
        Code: { ZipFile: zip },
      }),
    );
    let state: string | undefined;
    let reason: string | undefined;
    for (let i = 0; i < 100 && (state === undefined || state === 'Pending'); i++) {
      ({ State: state, StateReason: reason } = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'probe-no-engine' }),
      ));
      if (state === 'Pending') await new Promise((done) => setTimeout(done, 200));
    }
    expect(state).toBe('Failed');
    // It fetches its runtime init from the internet and runs functions in containers.
    expect(reason).toContain('lambda-runtime');
  });

  it('an invocation past the mocked responses: AWS fails the execution; LocalStack as released fails the task with a catchable States.Runtime', async () => {
    const sfn = createSfnClient(config);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: PROBE_MACHINE,
        roleArn: ROLE,
        definition: JSON.stringify(MOCK_PROBE_DEFINITION),
      }),
    );
    const record = await createSfnRunner(sfn, `${stateMachineArn}#OneResponseOnly`, { history: true }).run(
      { s3_bucket: 'b', s3_key: 'k' },
      'past-last-key',
    );
    const failures = record.history
      .filter((event) => event.type === 'TaskFailed')
      .map((event) => event.Error);
    expect(failures).toEqual(['Boom', 'States.Runtime']);
    // AWS: "the state machine execution will fail", and States.ALL does not catch States.Runtime.
    expect(record.status).toBe('SUCCEEDED');
    expect((record.output as { error?: { Error?: string } }).error?.Error).toBe('States.Runtime');
  });

  it('DescribeExecution of a failed execution has no output, as on AWS', async () => {
    const sfn = createSfnClient(config);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'probe-fail',
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E', Cause: 'c' } } }),
      }),
    );
    const record = await createSfnRunner(sfn, stateMachineArn as string).run(
      { s3_bucket: 'b', s3_key: 'k' },
      'fails',
    );
    expect(record).toMatchObject({ status: 'FAILED', error: 'E', cause: 'c' });
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: record.executionArn }));
    expect(described.output).toBeUndefined();
  });
});

describe('the Python of the localstack venv', () => {
  it('is a Python >= 3.13 found on PATH or in pyenv', async () => {
    const python = await findPython(LOCALSTACK_VENV);
    const { stdout } = await promisify(execFile)(python, ['-c', 'import sys; print(sys.version_info[1])']);
    expect(Number(stdout)).toBeGreaterThanOrEqual(13);
  });

  it('names what to install when no Python is recent enough', async () => {
    const impossible = { ...LOCALSTACK_VENV, minMinor: 99 };
    const error = await findPython(impossible).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PythonMissingError);
    expect((error as Error).message).toMatch(/No Python >= 3\.99 was found \(tried .*python3.*\)/);
    expect((error as Error).message).toContain('pyenv install 3.99');
    expect((error as Error).message).toContain('SCONES_LOCALSTACK_PYTHON');
  });
});
