/**
 * A smoke execution that fails makes the promotion fail. moto runs the deployed ASL here with its
 * own interpreter (`execute_state_machine`), and cannot run the Lambdas (it would need Docker), so
 * the smoke execution really fails: the first Task state's Lambda fails, the ASL's Catch routes to
 * ClassificationFailed and the execution ends FAILED with that Error and Cause. The test reads the
 * execution back on its own and checks that promote, and the `scones promote` command, report it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSfnClient } from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import type { BundleInfo } from '../../src/deploy/index.ts';
import { promote, SmokeTestFailedError } from '../../src/promote/index.ts';
import { type SharedServer, sharedBundles, sharedServer } from '../support/shared-emulators/client.ts';

const REGION = 'us-east-1';
const STAGE = 'smoke';
const ROOT = resolve(import.meta.dirname, '..', '..');

let moto: SharedServer;
let config: KitConfig;
let bundles: BundleInfo[];
const credentials = { AWS_ACCESS_KEY_ID: 'moto-test', AWS_SECRET_ACCESS_KEY: 'moto-test' };

beforeAll(async () => {
  // moto with its own ASL interpreter on (moto's config API), instead of executions that stay
  // RUNNING: this file's own server of the run (shared-emulators/servers.ts).
  [moto, bundles] = await Promise.all([sharedServer('moto-interpreter'), sharedBundles()]);
  config = loadConfig({ SCONES_TARGET: 'aws', ...moto.environment(), ...credentials });
  config.credentials = { accessKeyId: 'moto-test', secretAccessKey: 'moto-test' };
}, 600_000);

/** The Task state entered last before the first TaskFailed of the history (read forward). */
function failedTaskState(events: { type?: string; stateEnteredEventDetails?: { name?: string } }[]) {
  let entered: string | undefined;
  for (const event of events) {
    if (event.type === 'TaskStateEntered') entered = event.stateEnteredEventDetails?.name;
    if (event.type === 'TaskFailed' || event.type === 'LambdaFunctionFailed') return entered;
  }
  return undefined;
}

describe('a smoke execution that does not succeed', () => {
  it('makes promote fail with the Error, Cause, console link, what is left running and the teardown command', async () => {
    const events: string[] = [];
    const failed = await promote(
      { config, region: REGION, stage: STAGE, pollIntervalMs: 5, bundles, smokeTest: true },
      { yes: true, onProgress: (event) => events.push(event.message) },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(SmokeTestFailedError);
    const error = failed as SmokeTestFailedError;

    // The execution as Step Functions records it, read independently of promote.
    const sfn = createSfnClient(config);
    const execution = await sfn.send(
      new DescribeExecutionCommand({ executionArn: error.failure.executionArn }),
    );
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBeTruthy();
    expect(execution.cause).toBeTruthy();
    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: error.failure.executionArn, maxResults: 1000 }),
    );
    const failedState = failedTaskState(history.events ?? []);
    expect(failedState).toBeTruthy();

    expect(error.failure).toMatchObject({
      status: 'FAILED',
      error: execution.error,
      cause: execution.cause,
      failedState,
    });
    const message = error.message;
    expect(message).toContain('the smoke execution ended FAILED');
    expect(message).toContain(`Error: ${execution.error}`);
    expect(message).toContain(`Cause: ${execution.cause}`);
    expect(message).toContain(`failed in state: ${failedState}`);
    expect(message).toContain(
      `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${encodeURIComponent(error.failure.executionArn)}`,
    );
    expect(message).toMatch(
      new RegExp(
        `sagemaker endpoint scones-${STAGE}-image-classification: 1 x ml\\.m5\\.large, billed ~\\$0\\.\\d+/hour`,
      ),
    );
    expect(message).toContain(`scones teardown --stage ${STAGE} --region ${REGION}`);
    // Everything before the smoke step was applied, and no "Promoted" success line was printed.
    expect(error.actions.map((item) => item.resourceType)).toContain('sagemaker endpoint');
    expect(events.some((line) => line.startsWith('Promoted stage'))).toBe(false);
  }, 240_000);

  it('stops a smoke execution that does not end in time, then fails the same way', async () => {
    // moto's default: executions stay RUNNING (no interpreter), as a stuck execution would.
    const set = (execute: boolean) =>
      fetch(`${moto.url}/moto-api/config`, {
        method: 'POST',
        body: JSON.stringify({ stepfunctions: { execute_state_machine: execute } }),
      });
    expect((await set(false)).ok).toBe(true);
    try {
      const failed = await promote(
        { config, region: REGION, stage: STAGE, pollIntervalMs: 5, bundles, smokeTimeoutMs: 300 },
        { yes: true, onProgress: () => undefined },
      ).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(SmokeTestFailedError);
      const error = failed as SmokeTestFailedError;
      expect(error.failure).toMatchObject({ status: 'ABORTED', error: 'SmokeTimeout' });
      expect(error.failure.cause).toContain('after 300 ms; stopped by scones promote');
      const execution = await createSfnClient(config).send(
        new DescribeExecutionCommand({ executionArn: error.failure.executionArn }),
      );
      expect(execution.status).toBe('ABORTED'); // nothing left running
      expect(error.message).toContain('the smoke execution ended ABORTED');
    } finally {
      await set(true);
    }
  }, 240_000);

  it('makes `scones promote` exit non-zero and print the failure', async () => {
    const stage = 'smokecli';
    const env: NodeJS.ProcessEnv = { ...process.env, ...moto.environment(), ...credentials };
    delete env.AWS_PROFILE;
    // The run's bundles, as `scones build --out DIR` leaves them: building them again is not what this tests.
    const bundlesDir = dirname(bundles[0]?.zipPath as string);
    const args = [
      join(ROOT, 'bin', 'scones.js'),
      'promote',
      '--yes',
      '--stage',
      stage,
      '--region',
      REGION,
      '--bundles',
      bundlesDir,
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(1);
    expect(stderr).toContain('SmokeTestFailedError: the smoke execution ended FAILED');
    expect(stderr).toMatch(/ {2}Error: \S+/);
    expect(stderr).toContain('#/v2/executions/details/');
    expect(stderr).toContain(`scones teardown --stage ${stage} --region ${REGION}`);
    expect(stdout).toContain('smoke execution: FAILED');
  }, 300_000);
});
