/**
 * `scones up` as its own process (the real CLI, `--port 0`): the exports it prints work for the
 * SDK, uploads become decision lines, SIGINT drains an execution in flight and exits 0; without a
 * trained model (and without --stub) it starts with no endpoint, says how to get one, and an upload
 * fails with SageMaker's "not found" as its cause.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bikePng, spawnUp } from './support.ts';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scones-up-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Concurrent: each test runs its own `scones up` process over its own data folder.
describe.concurrent('scones up (CLI process)', () => {
  // The test's own expect: expect.poll needs to know its test when tests run concurrently.
  it('prints working exports and decision lines; SIGINT drains the execution in flight, exit 0', async ({
    expect,
  }) => {
    const up = spawnUp(['--stub', '--port', '0', '--data-dir', path.join(dir, 'data')], dir);
    const clients: { destroy(): void }[] = [];
    try {
      await up.lineWith('export AWS_DEFAULT_REGION=');
      const env = up.exports();
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([
          'AWS_ENDPOINT_URL_S3',
          'AWS_ENDPOINT_URL_SFN',
          'AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME',
        ]),
      );
      const credentials = {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      };
      const s3 = new S3Client({
        endpoint: env.AWS_ENDPOINT_URL_S3,
        region: env.AWS_REGION,
        credentials,
        forcePathStyle: true,
      });
      const sfn = new SFNClient({ endpoint: env.AWS_ENDPOINT_URL_SFN, region: env.AWS_REGION, credentials });
      clients.push(s3, sfn);
      const png = await bikePng();
      await s3.send(new PutObjectCommand({ Bucket: 'scones-images', Key: 'incoming/first.png', Body: png }));
      expect(await up.lineWith('incoming/first.png')).toMatch(
        /incoming\/first\.png {2}(short-range|long-range|manual-review) {2}/,
      );

      // Slow the stub (its control route), upload, and stop while the execution runs.
      const behavior = await fetch(`${env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME}/_stub/behavior`, {
        method: 'POST',
        body: JSON.stringify({ latencyMs: 1500 }),
      });
      expect(behavior.status).toBe(200);
      await s3.send(
        new PutObjectCommand({ Bucket: 'scones-images', Key: 'incoming/in-flight.png', Body: png }),
      );
      const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
      const stateMachineArn = stateMachines?.[0]?.stateMachineArn as string;
      await expect
        .poll(
          async () =>
            (await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' })))
              .executions?.length,
          { timeout: 10_000, interval: 20 },
        )
        .toBe(1);
      up.child.kill('SIGINT');
      const { code } = await up.exited;
      expect(code).toBe(0);
      expect(up.stderr.join('\n')).toContain('draining 1 in-flight execution');
      expect(up.stdout.some((line) => line.includes('incoming/in-flight.png'))).toBe(true);
      expect(up.stderr.at(-1)).toBe('scones up: stopped');
    } finally {
      for (const client of clients) client.destroy();
      if (up.child.exitCode === null) up.child.kill('SIGKILL');
    }
  }, 90_000);

  it('without a trained model and without --stub: starts with no endpoint, says how to get one, keeps serving', async ({
    expect,
  }) => {
    const up = spawnUp(['--port', '0', '--data-dir', path.join(dir, 'empty')], dir);
    let s3: S3Client | undefined;
    try {
      await up.lineWith('export AWS_DEFAULT_REGION=');
      const env = up.exports();
      await expect.poll(() => up.stderr.join('\n'), { timeout: 10_000 }).toContain('restart with --stub');
      const said = up.stderr.join('\n');
      expect(said).toContain(
        'no trained model at s3://scones-images/training-jobs/scones-local/output/model.tar.gz, so no endpoint scones-image-classification',
      );
      expect(said).toMatch(/scones train.*scones demo/);
      expect(said).toMatch(/through the SageMaker API .*CreateModel, CreateEndpointConfig, CreateEndpoint/);
      s3 = new S3Client({
        endpoint: env.AWS_ENDPOINT_URL_S3,
        region: env.AWS_REGION,
        credentials: {
          accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
        },
        forcePathStyle: true,
      });
      await s3.send(
        new PutObjectCommand({
          Bucket: 'scones-images',
          Key: 'incoming/no-endpoint.png',
          Body: await bikePng(),
        }),
      );
      // The execution fails, recorded with SageMaker's answer; the stack keeps serving.
      expect(await up.lineWith('incoming/no-endpoint.png', 'FAILED')).toContain(
        'EndpointError: Endpoint "scones-image-classification" refused the request: ValidationError (HTTP 400): Endpoint scones-image-classification of account 000000000000 not found.',
      );
      up.child.kill('SIGINT');
      expect((await up.exited).code).toBe(0);
    } finally {
      s3?.destroy();
      if (up.child.exitCode === null) up.child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses a --notify-url that is not http(s)', async () => {
    const failed = await run(
      process.execPath,
      [
        path.resolve('bin/scones.js'),
        'up',
        '--stub',
        '--port',
        '0',
        '--notify-url',
        'ftp://x',
        '--data-dir',
        path.join(dir, 'n'),
      ],
      { cwd: dir },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--notify-url must be an http:// or https:// URL'),
    });
  }, 30_000);
});
