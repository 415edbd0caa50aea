/**
 * Containers tier, started by testcontainers: the MiniStack image and the kit's endpoint image on one
 * network, the workflow deployed into MiniStack by the deploy module, and every one of the 200
 * shipped test images decided exactly as the embedded tier decides it. The Lambdas run inside the
 * MiniStack container and call the endpoint container by its network alias; the embedded tier runs
 * the same stub predictor in-process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Network, type StartedNetwork } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, createSfnClient } from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import { deploy } from '../../src/deploy/index.ts';
import { createSfnRunner, type SfnRunner } from '../../src/deploy/sfn-runner.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import { decideAll } from '../support/outcomes.ts';
import { badInputs, shippedTestImages, type TestImage, uploadAll } from '../support/test-images.ts';
import { EndpointContainer, StartedEndpointContainer } from './support/endpoint-container.ts';
import { containerEngine, requireImages } from './support/engine.ts';
import { KIT_IMAGE, MINISTACK_IMAGE } from './support/images.ts';
import { MiniStackContainer, StartedMiniStackContainer } from './support/ministack-container.ts';

const engine = await containerEngine();

describe.skipIf(!engine.available)(
  'containers tier (testcontainers) in parity with the embedded tier',
  () => {
    let network: StartedNetwork;
    let ministack: StartedMiniStackContainer;
    let endpoint: StartedEndpointContainer;
    let embedded: EmbeddedRuntime;
    let config: KitConfig;
    let runner: SfnRunner;
    let dataDir: string;
    let images: TestImage[];
    const bad = badInputs();

    beforeAll(async () => {
      await requireImages(engine, [KIT_IMAGE, MINISTACK_IMAGE]);
      network = await new Network().start();
      [ministack, endpoint] = await Promise.all([
        new MiniStackContainer().withNetwork(network).start(),
        new EndpointContainer().withNetwork(network).withNetworkAliases('endpoint').start(),
      ]);
      config = loadConfig({ SCONES_TARGET: 'containers', ...ministack.environment() });
      const deployment = await deploy({
        config,
        lambdaEndpoints: {
          s3: StartedMiniStackContainer.LAMBDA_S3_URL,
          sagemakerRuntime: `http://endpoint:${StartedEndpointContainer.PORT}`,
        },
        log: () => {},
      });
      runner = createSfnRunner(createSfnClient(config), deployment.stateMachineArn);

      dataDir = await mkdtemp(join(tmpdir(), 'scones-containers-parity-'));
      embedded = await startEmbeddedRuntime({ dataDir, predictor: createStubPredictor(), retryDelayMs: 10 });
      images = await shippedTestImages();
      const objects = [
        ...images.map((image) => ({ key: image.key, body: image.png })),
        { key: bad.notAnImage.key, body: bad.notAnImage.body },
      ];
      await uploadAll(embedded.s3, embedded.config.bucket, objects);
      await uploadAll(createS3Client(config), config.bucket, objects);
    }, 600_000);

    afterAll(async () => {
      await embedded?.stop();
      await Promise.all([ministack?.stop(), endpoint?.stop()]);
      await network?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('decides all 200 shipped test images as the embedded tier does', async () => {
      expect(images).toHaveLength(200);
      const keys = images.map((image) => image.key);
      const onEmbedded = await decideAll((event) => embedded.run(event), embedded.config.bucket, keys, 8);
      // Four in flight: MiniStack runs a Node process per concurrent Lambda environment, on 2 cores.
      const onContainers = await decideAll((event) => runner.run(event), config.bucket, keys, 4);

      const mismatches = keys
        .filter((key) => JSON.stringify(onEmbedded.get(key)) !== JSON.stringify(onContainers.get(key)))
        .map((key) => ({ key, embedded: onEmbedded.get(key), containers: onContainers.get(key) }));
      expect(mismatches).toEqual([]);
      const decisions = new Set([...onContainers.values()].map((outcome) => outcome.decision));
      expect([...decisions].sort()).toEqual(['long-range', 'manual-review', 'short-range']);
    }, 900_000);

    it('fails a bad image and a missing key with the same Error on both tiers', async () => {
      const keys = [bad.notAnImage.key, bad.missingKey];
      const onEmbedded = await decideAll((event) => embedded.run(event), embedded.config.bucket, keys, 2);
      const onContainers = await decideAll((event) => runner.run(event), config.bucket, keys, 2);
      expect(onContainers.get(bad.notAnImage.key)?.error).toBe('InvalidImage');
      expect(onContainers.get(bad.missingKey)?.error).toBe('ImageNotFound');
      for (const key of keys) expect(onContainers.get(key), key).toEqual(onEmbedded.get(key));
    }, 120_000);
  },
);
