/**
 * The compose stack as a user runs it: the compose file plus overrides comes up (under podman here:
 * MiniStack and the kit's images built from the local base), the one-shot `deploy` service deploys
 * the workflow and exits 0, and the host classifies a bicycle and a motorcycle through the published
 * 127.0.0.1 ports, the way `scones classify --target compose` does (see docker-compose.yml's header).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, createSfnClient } from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import { resourceNames } from '../../src/deploy/names.ts';
import { createSfnRunner } from '../../src/deploy/sfn-runner.ts';
import { createStubPredictor } from '../../src/embedded/predictors.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import type { WorkflowResult } from '../../src/workflow/types.ts';
import { freePort } from '../support/moto-server.ts';
import { shippedTestImages, type TestImage } from '../support/test-images.ts';
import { ComposeStack, composeFilesFor } from './support/compose-stack.ts';
import { containerEngine, requireImages } from './support/engine.ts';
import { KIT_IMAGE, MINISTACK_IMAGE } from './support/images.ts';
import { decisionOf } from './support/outcomes.ts';

const engine = await containerEngine();

describe.skipIf(!engine.available)('compose stack: up, deploy, classify from the host', () => {
  let stack: ComposeStack;
  let config: KitConfig;
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
    // What the CLI sets for `--target compose` (the compose file's header).
    config = loadConfig({
      SCONES_TARGET: 'containers',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${ports.emulator}`,
      AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${ports.stepFunctions}`,
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: `http://127.0.0.1:${ports.endpoint}`,
    });
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

  it('classifies a bicycle and a motorcycle from the host as the embedded tier does', async () => {
    const images = await shippedTestImages('compose/');
    const picked = ['bicycle', 'motorcycle'].map(
      (label) => images.find((image) => image.label === label) as TestImage,
    );

    const s3 = createS3Client(config);
    for (const image of picked) {
      await s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: image.key, Body: image.png }));
    }
    const sfn = createSfnClient(config);
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    const name = resourceNames(config.stage).stateMachine;
    const stateMachine = stateMachines?.find((machine) => machine.name === name);
    expect(stateMachine, `state machine ${name} deployed`).toBeDefined();
    const runner = createSfnRunner(sfn, stateMachine?.stateMachineArn as string);

    const dataDir = await mkdtemp(join(tmpdir(), 'scones-compose-test-'));
    let embedded: EmbeddedRuntime | undefined;
    try {
      embedded = await startEmbeddedRuntime({ dataDir, predictor: createStubPredictor() });
      for (const image of picked) {
        const record = await runner.run({ s3_bucket: config.bucket, s3_key: image.key });
        expect(record.status, `${image.key}: ${record.error} ${record.cause}`).toBe('SUCCEEDED');
        expect((record.output as WorkflowResult).s3_key).toBe(image.key);

        await embedded.s3.send(
          new PutObjectCommand({ Bucket: embedded.config.bucket, Key: image.key, Body: image.png }),
        );
        const reference = await embedded.run({ s3_bucket: embedded.config.bucket, s3_key: image.key });
        expect(decisionOf(record), image.key).toEqual(decisionOf(reference));
      }
    } finally {
      await embedded?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
