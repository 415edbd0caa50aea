/**
 * `scones up` (the real CLI process) driven by aws-cli from `.venv` with nothing but the variables
 * it prints (no --endpoint-url, no config file): `aws s3 cp` uploads become decision lines, a bad
 * image a FAILED line and a notification line, `aws stepfunctions` finds the executions and
 * validates definitions (the kit's, a broken one, a JSONata one).
 * Needs Python (skips with the reason printed when it is missing).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureEmulatorVenv,
  type PythonEnvironment,
  PythonMissingError,
} from '../../src/emulator/python-venv.ts';
import { DEFINITION_PATHS } from '../../src/workflow/definition.ts';
import { bikePng, spawnUp, type UpProcess } from './support.ts';

const run = promisify(execFile);
let dir: string;
let up: UpProcess | undefined;
let python: PythonEnvironment | undefined;
let skip: string | undefined;

/** `aws <args>` with the printed exports only; resolves with stdout. */
async function aws(args: string[]): Promise<string> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_CONFIG_FILE: path.join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...up?.exports(),
  };
  try {
    return (await run((python as PythonEnvironment).bin('aws'), args, { env })).stdout;
  } catch (error) {
    throw new Error(`aws ${args.join(' ')} failed: ${(error as { stderr?: string }).stderr}`);
  }
}

beforeAll(async () => {
  try {
    python = await ensureEmulatorVenv();
  } catch (error) {
    if (!(error instanceof PythonMissingError)) throw error;
    skip = error.message;
    return;
  }
  dir = await mkdtemp(path.join(tmpdir(), 'scones-up-aws-'));
  await writeFile(path.join(dir, 'bike.png'), await bikePng());
  await writeFile(path.join(dir, 'not-an-image.png'), 'hello, I am text');
  up = spawnUp(['--stub', '--port', '0', '--data-dir', path.join(dir, 'data')], dir);
  await up.lineWith('export AWS_DEFAULT_REGION=');
}, 600_000);

afterAll(async () => {
  if (up && up.child.exitCode === null) {
    up.child.kill('SIGINT');
    await up.exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('scones up with aws-cli', () => {
  it('aws s3 cp of an image and of a bad one: the decision line, the FAILED line, the notification', async (context) => {
    if (skip) {
      console.warn(`skipped: ${skip}`);
      context.skip();
    }
    const process = up as UpProcess;
    await aws([
      's3',
      'cp',
      path.join(dir, 'bike.png'),
      's3://scones-images/incoming/bike.png',
      '--no-progress',
    ]);
    const decision = await process.lineWith('incoming/bike.png');
    expect(decision).toMatch(
      / {2}incoming\/bike\.png {2}(short-range|long-range|manual-review) {2}\S+ 0\.\d{3} {2}\d+ ms after upload/,
    );
    await aws([
      's3',
      'cp',
      path.join(dir, 'not-an-image.png'),
      's3://scones-images/incoming/not-an-image.png',
    ]);
    const failed = await process.lineWith('incoming/not-an-image.png', 'FAILED');
    expect(failed).toContain(
      'FAILED  InvalidImage: s3://scones-images/incoming/not-an-image.png is not a decodable image',
    );
    const notified = await process.lineWith('incoming/not-an-image.png', 'notified');
    expect(notified).toMatch(
      /notified scones-dev-execution-failures {2}FAILED InvalidImage: .* {2}execution \S+$/,
    );
  }, 120_000);

  it('aws stepfunctions lists and describes the executions the uploads started', async (context) => {
    if (skip) {
      console.warn(`skipped: ${skip}`);
      context.skip();
    }
    const machines = JSON.parse(await aws(['stepfunctions', 'list-state-machines'])).stateMachines;
    expect(machines.map((machine: { name: string }) => machine.name)).toContain(
      'scones-dev-image-classification',
    );
    const stateMachineArn = machines.find(
      (machine: { name: string }) => machine.name === 'scones-dev-image-classification',
    ).stateMachineArn as string;
    // Each aws-cli start costs a second or two: the calls that need nothing from each other run at once.
    const listed = (...extra: string[]) =>
      aws(['stepfunctions', 'list-executions', '--state-machine-arn', stateMachineArn, ...extra]);
    const [failedList, allList] = await Promise.all([
      listed('--status-filter', 'FAILED'),
      // aws-cli pages on its own (--page-size 1: one request per execution).
      listed('--page-size', '1'),
    ]);
    const failed = JSON.parse(failedList).executions;
    expect(failed).toHaveLength(1);
    const executionArn = failed[0].executionArn as string;
    const [describedText, historyText, missing] = await Promise.all([
      aws(['stepfunctions', 'describe-execution', '--execution-arn', executionArn]),
      aws(['stepfunctions', 'get-execution-history', '--execution-arn', executionArn]),
      aws(['stepfunctions', 'describe-execution', '--execution-arn', `${executionArn}-missing`]).catch(
        (error: Error) => error.message,
      ),
    ]);
    const described = JSON.parse(describedText);
    expect(described).toMatchObject({ status: 'FAILED', error: 'InvalidImage' });
    expect(JSON.parse(described.input).s3_key).toBe('incoming/not-an-image.png');
    const all = JSON.parse(allList).executions;
    expect(all.map((execution: { status: string }) => execution.status).sort()).toEqual([
      'FAILED',
      'SUCCEEDED',
    ]);
    const history = JSON.parse(historyText).events;
    expect(history.map((event: { type: string }) => event.type)).toEqual([
      'ExecutionStarted',
      'ExecutionFailed',
    ]);
    expect(missing).toContain(
      'An error occurred (ExecutionDoesNotExist) when calling the DescribeExecution operation',
    );
  }, 120_000);

  it('aws stepfunctions test-state, with the AWS_DISABLE_HOST_PREFIX_INJECTION it prints: a Pass and a mocked Task', async (context) => {
    if (skip) {
      console.warn(`skipped: ${skip}`);
      context.skip();
    }
    expect((up as UpProcess).exports().AWS_DISABLE_HOST_PREFIX_INJECTION).toBe('true');
    const pass = JSON.parse(
      await aws([
        'stepfunctions',
        'test-state',
        '--definition',
        JSON.stringify({
          Type: 'Pass',
          InputPath: '$.payload',
          Parameters: { data: 1 },
          Next: 'Another State',
        }),
        '--input',
        JSON.stringify({ payload: { foo: 'bar' } }),
        '--inspection-level',
        'DEBUG',
      ]),
    );
    expect(pass).toMatchObject({ status: 'SUCCEEDED', nextState: 'Another State', output: '{"data":1}' });
    expect(JSON.parse(pass.inspectionData.afterInputPath)).toEqual({ foo: 'bar' });
    const task = JSON.parse(
      await aws([
        'stepfunctions',
        'test-state',
        '--definition',
        JSON.stringify({
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'f', 'Payload.$': '$' },
          OutputPath: '$.Payload',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }],
          End: true,
        }),
        '--input',
        '{"n":1}',
        '--mock',
        JSON.stringify({ result: JSON.stringify({ StatusCode: 200, Payload: { label: 'bicycle' } }) }),
      ]),
    );
    expect(task).toMatchObject({ status: 'SUCCEEDED', output: '{"label":"bicycle"}' });
    const caught = JSON.parse(
      await aws([
        'stepfunctions',
        'test-state',
        '--definition',
        JSON.stringify({
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }],
          End: true,
        }),
        '--mock',
        JSON.stringify({ errorOutput: { error: 'Lambda.ServiceException', cause: 'down' } }),
      ]),
    );
    expect(caught).toMatchObject({
      status: 'CAUGHT_ERROR',
      nextState: 'Recover',
      error: 'Lambda.ServiceException',
    });
  });

  it("aws stepfunctions validate-state-machine-definition: the kit's files OK, a broken one FAIL, JSONata OK", async (context) => {
    if (skip) {
      console.warn(`skipped: ${skip}`);
      context.skip();
    }
    const validate = async (file: string, ...extra: string[]) =>
      JSON.parse(
        await aws([
          'stepfunctions',
          'validate-state-machine-definition',
          '--definition',
          `file://${file}`,
          ...extra,
        ]),
      );
    const broken = path.join(dir, 'broken.asl.json');
    await writeFile(
      broken,
      JSON.stringify({
        StartAt: 'Classify',
        States: { Classify: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'Route' } },
      }),
    );
    const jsonata = path.join(import.meta.dirname, '..', 'asl', 'fixtures', 'jsonata-routing.asl.json');
    // Each aws-cli start costs a second or two: the calls run at once.
    const [kit, failed, jsonataAnswer, refused] = await Promise.all([
      Promise.all(Object.values(DEFINITION_PATHS).map((file) => validate(file))),
      validate(broken, '--severity', 'WARNING', '--max-results', '1'),
      validate(jsonata, '--type', 'STANDARD'),
      validate(broken, '--type', 'BOGUS').catch((error: Error) => error.message),
    ]);
    expect(kit).toEqual(
      Object.values(DEFINITION_PATHS).map(() => ({ result: 'OK', diagnostics: [], truncated: false })),
    );
    expect(failed).toEqual({
      result: 'FAIL',
      diagnostics: [
        {
          severity: 'ERROR',
          code: 'MISSING_TRANSITION_TARGET',
          message: "Missing 'Next' target: Route",
          location: '/States/Classify/Next',
        },
      ],
      // And no terminal state: two errors, one listed.
      truncated: true,
    });
    expect(jsonataAnswer).toEqual({ result: 'OK', diagnostics: [], truncated: false });
    expect(refused).toContain(
      'An error occurred (ValidationException) when calling the ValidateStateMachineDefinition operation',
    );
  }, 120_000);

  it('Ctrl-C (SIGINT) stops it cleanly: exit code 0', async (context) => {
    if (skip) {
      console.warn(`skipped: ${skip}`);
      context.skip();
    }
    const process = up as UpProcess;
    process.child.kill('SIGINT');
    expect((await process.exited).code).toBe(0);
  }, 60_000);
});
