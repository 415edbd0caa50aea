/**
 * The compose stack as a user runs it: the compose file plus overrides comes up (under podman here:
 * MiniStack and the kit's images built from the local base), the one-shot `deploy` service deploys
 * the workflow and exits 0, and `scones classify --target compose` on the host classifies a bicycle
 * and a motorcycle through the published 127.0.0.1 ports (see docker-compose.yml's header).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageOutcome } from '../../src/cli/report.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { freePort } from '../../src/emulator/moto-server.ts';
import { PROJECT_ROOT } from '../../src/emulator/python-venv.ts';
import { decisionOf } from '../support/outcomes.ts';
import { shippedTestImages, type TestImage } from '../support/test-images.ts';
import { ComposeStack, composeFilesFor } from './support/compose-stack.ts';
import { containerEngine, requireImages } from './support/engine.ts';
import { KIT_IMAGE, MINISTACK_IMAGE } from './support/images.ts';

const run = promisify(execFile);
const CLI = join(PROJECT_ROOT, 'bin', 'scones.js');
const engine = await containerEngine();

describe.skipIf(!engine.available)('compose stack: up, deploy, classify from the host', () => {
  let stack: ComposeStack;
  let cliEnvironment: Record<string, string> = {};
  let deployExitCode: number;
  let deployLogs = '';

  beforeAll(async () => {
    const files = composeFilesFor(engine);
    if (files.includes('docker-compose.podman.yml'))
      await requireImages(engine, [KIT_IMAGE, MINISTACK_IMAGE]);
    const ports = { emulator: await freePort(), stepFunctions: await freePort(), endpoint: await freePort() };
    stack = new ComposeStack(engine, files, ports);
    await stack.up();
    deployExitCode = await stack.exitCodeOf('deploy', 300_000);
    deployLogs = await stack.logs('deploy');
    // The stack's host ports are free ones here, not the compose file's defaults: tell the CLI.
    cliEnvironment = {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${ports.emulator}`,
      AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${ports.stepFunctions}`,
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: `http://127.0.0.1:${ports.endpoint}`,
    };
  }, 600_000);

  afterAll(async () => {
    await stack?.down();
  }, 180_000);

  it('the deploy one-shot waits for its peers, deploys and exits 0', () => {
    expect(deployExitCode, deployLogs).toBe(0);
    expect(deployLogs).toContain('deploy: Step Functions is ready');
    expect(deployLogs).toMatch(
      /state machine arn:aws:states:.*:stateMachine:scones-dev-image-classification/,
    );
  });

  it('`scones classify --target compose` classifies a bicycle and a motorcycle as the embedded tier does', async () => {
    const images = await shippedTestImages('compose/');
    const picked = ['bicycle', 'motorcycle'].map(
      (label) => images.find((image) => image.label === label) as TestImage,
    );
    const dir = await mkdtemp(join(tmpdir(), 'scones-compose-test-'));
    let embedded: EmbeddedRuntime | undefined;
    try {
      const files = await Promise.all(
        picked.map(async (image) => {
          const file = join(dir, `${image.label}.png`);
          await writeFile(file, image.png);
          return file;
        }),
      );
      const { stdout } = await run(
        process.execPath,
        [CLI, 'classify', '--target', 'compose', '--json', ...files],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, ...cliEnvironment },
          timeout: 120_000,
        },
      );
      const outcomes = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as ImageOutcome);
      expect(outcomes).toHaveLength(2);

      embedded = await startEmbeddedRuntime({
        dataDir: join(dir, 'embedded'),
        predictor: createStubPredictor(),
      });
      for (const [index, image] of picked.entries()) {
        const outcome = outcomes[index] as ImageOutcome;
        expect(outcome.decision, JSON.stringify(outcome)).not.toBe('error');
        await embedded.s3.send(
          new PutObjectCommand({ Bucket: embedded.config.bucket, Key: image.key, Body: image.png }),
        );
        const reference = decisionOf(
          await embedded.run({ s3_bucket: embedded.config.bucket, s3_key: image.key }),
        );
        expect(
          { decision: outcome.decision, confidence: outcome.confidence, predicted: outcome.predicted },
          image.label,
        ).toEqual({
          decision: reference.decision,
          confidence: reference.confidence,
          predicted: reference.predictedLabel,
        });
      }
    } finally {
      await embedded?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
