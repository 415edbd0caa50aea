/**
 * Parity of the emulator tier with the embedded tier: the same ASL file and the same Lambda code
 * (bundled and deployed into MiniStack through the deploy module) decide every one of the 200
 * shipped test images exactly as the embedded tier does, with the same endpoint server behind both;
 * bad inputs fail with the same Error (and the same errorType/errorMessage in the Cause).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIamClient } from '../../src/aws/clients.ts';
import { resourceNames } from '../../src/deploy/index.ts';
import { createSfnRunner } from '../../src/deploy/sfn-runner.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import type { ExecutionRecord } from '../../src/workflow/execution.ts';
import type { ImageEvent, WorkflowResult } from '../../src/workflow/types.ts';
import { type EmulatorStack, startSharedEmulatorStack } from '../support/emulator-stack.ts';
import { decideAll, decisionOf } from '../support/outcomes.ts';
import { isolatedStage } from '../support/shared-emulators/client.ts';
import { badInputs, shippedTestImages, type TestImage, uploadAll } from '../support/test-images.ts';

/** Four in flight: MiniStack starts a Node process per concurrent Lambda environment, on 2 cores. */
const runAll = (run: (event: ImageEvent) => Promise<ExecutionRecord>, bucket: string, keys: string[]) =>
  decideAll(run, bucket, keys, 4);

const STAGE = 'parity';

describe('emulator tier (MiniStack) in parity with the embedded tier', () => {
  let embedded: EmbeddedRuntime;
  let emulator: EmulatorStack;
  let dataDir: string;
  let images: TestImage[];
  const bad = badInputs();
  const stub = createStubPredictor();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'scones-parity-'));
    // One stage and bucket on both tiers: error messages name the bucket.
    embedded = await startEmbeddedRuntime({
      dataDir,
      predictor: stub,
      retryDelayMs: 10,
      env: isolatedStage(STAGE),
    });
    // The deployed Lambdas call the embedded runtime's endpoint server: one endpoint behind both.
    // The shared MiniStack scales retry intervals to 5 %, as the embedded tier's retryDelayMs.
    emulator = await startSharedEmulatorStack(STAGE, { endpointUrl: embedded.endpoint.url });
    images = await shippedTestImages();
    const objects = [
      ...images.map((image) => ({ key: image.key, body: image.png })),
      { key: bad.notAnImage.key, body: bad.notAnImage.body },
      { key: bad.truncated.key, body: bad.truncated.body },
    ];
    await uploadAll(embedded.s3, embedded.config.bucket, objects);
    await uploadAll(emulator.s3, emulator.config.bucket, objects);
  }, 300_000);

  afterAll(async () => {
    await emulator?.stop();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('decides all 200 shipped test images as the embedded tier does', async () => {
    expect(images).toHaveLength(200);
    const keys = images.map((image) => image.key);
    const onEmbedded = await runAll((event) => embedded.run(event), embedded.config.bucket, keys);
    const onEmulator = await runAll((event) => emulator.runner.run(event), emulator.config.bucket, keys);

    expect(onEmulator.size).toBe(200);
    const mismatches = keys.filter(
      (key) => JSON.stringify(onEmbedded.get(key)) !== JSON.stringify(onEmulator.get(key)),
    );
    expect(
      mismatches.map((key) => ({ key, embedded: onEmbedded.get(key), emulator: onEmulator.get(key) })),
    ).toEqual([]);

    // Real images are classified, not failed, and the stub's spread reaches every route.
    const decisions = new Set([...onEmulator.values()].map((outcome) => outcome.decision));
    expect(decisions.has('error')).toBe(false);
    expect([...decisions].sort()).toEqual(['long-range', 'manual-review', 'short-range']);
  }, 600_000);

  it('fails bad inputs with the same Error on both tiers', async () => {
    const keys = [bad.notAnImage.key, bad.truncated.key, bad.missingKey];
    const onEmbedded = await runAll((event) => embedded.run(event), embedded.config.bucket, keys);
    const onEmulator = await runAll((event) => emulator.runner.run(event), emulator.config.bucket, keys);
    for (const key of keys) {
      expect(onEmulator.get(key)?.decision, key).toBe('error');
      expect(onEmulator.get(key), key).toEqual(onEmbedded.get(key));
    }
    expect(onEmulator.get(bad.missingKey)?.error).toBe('ImageNotFound');
    for (const key of keys)
      expect(onEmulator.get(key)?.errorType, `Cause of ${key} names the error`).toBe(
        onEmulator.get(key)?.error,
      );
    expect(onEmulator.get(bad.notAnImage.key)?.error).toBe('InvalidImage');

    // The deployed bundle's source map is honoured: the trace names the TypeScript source.
    const failed = await emulator.runner.run({ s3_bucket: emulator.config.bucket, s3_key: bad.missingKey });
    const trace = (JSON.parse(failed.cause ?? '{}') as { trace?: string[] }).trace ?? [];
    expect(trace.some((line) => line.includes('lambdas/serialize-image-data/'))).toBe(true);
  }, 120_000);

  it('writes the review item of a low-confidence image to the bucket, keyed by execution name', async () => {
    const image = images[0] as TestImage;
    stub.setProbabilities([0.55, 0.45]);
    try {
      const record = await emulator.runner.run(
        { s3_bucket: emulator.config.bucket, s3_key: image.key },
        'review-check',
      );
      const result = record.output as WorkflowResult;
      expect(result.decision).toBe('manual-review');
      // $$.Execution.Name inside ClassifyImage's Payload template: the decision's id.
      expect(result.inference_id).toBe('review-check');
      expect(result.review_item).toEqual({ bucket: emulator.config.bucket, key: 'review/review-check.json' });
      const stored = await emulator.s3.send(
        new GetObjectCommand({ Bucket: emulator.config.bucket, Key: 'review/review-check.json' }),
      );
      expect(stored.ContentType).toBe('application/json');
      const item = JSON.parse(await (stored.Body?.transformToString() ?? '{}')) as Record<string, unknown>;
      expect(item).toMatchObject({
        inference_id: 'review-check',
        s3_key: image.key,
        confidence: 0.55,
        confident: false,
      });
    } finally {
      stub.setProbabilities(undefined);
    }
  }, 120_000);

  it('runs the Lambdas under their deployed roles: without its policy serialize is denied, a redeploy restores it', async () => {
    const names = resourceNames(emulator.config.stage);
    const event = { s3_bucket: emulator.config.bucket, s3_key: (images[0] as TestImage).key };
    await createIamClient(emulator.config).send(
      new PutRolePolicyCommand({
        RoleName: names.functionRoles.serialize,
        PolicyName: names.inlinePolicy,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::another-bucket/*' }],
        }),
      }),
    );
    const denied = await emulator.runner.run(event);
    expect(denied.status).toBe('FAILED');
    expect(denied.cause).toContain('not authorized to perform: s3:GetObject');

    const repair = await emulator.redeploy();
    expect(repair.changes.filter((c) => c.change !== 'none').map((c) => `${c.name}:${c.reasons}`)).toEqual([
      `${names.functionRoles.serialize}:inline policy`,
    ]);
    expect((await emulator.runner.run(event)).status).toBe('SUCCEEDED');
  }, 120_000);

  it('retries EndpointUnavailable by its name and ends alike on both tiers', async () => {
    const event = { s3_bucket: emulator.config.bucket, s3_key: (images[1] as TestImage).key };
    const traced = createSfnRunner(emulator.sfn, emulator.deployment.stateMachineArn, {
      history: true,
      pollMs: 25,
      maxPollMs: 100,
    });
    const mentionsOutage = (record: ExecutionRecord) =>
      record.history.some((entry) => JSON.stringify(entry).includes('EndpointUnavailable'));
    const { faults } = embedded.endpoint;
    try {
      faults.failNext(1, 503);
      const embeddedRetried = await embedded.run(event);
      faults.failNext(1, 503);
      const emulatorRetried = await traced.run(event);
      expect(decisionOf(emulatorRetried).decision).not.toBe('error');
      expect(decisionOf(emulatorRetried)).toEqual(decisionOf(embeddedRetried));
      expect(mentionsOutage(emulatorRetried)).toBe(true);
      expect(mentionsOutage(embeddedRetried)).toBe(true);

      faults.failAlways(503);
      const embeddedDown = await embedded.run(event);
      const emulatorDown = await traced.run(event);
      expect(decisionOf(emulatorDown).error).toBe('EndpointUnavailable');
      expect(decisionOf(emulatorDown)).toEqual(decisionOf(embeddedDown));
    } finally {
      await faults.reset();
    }
  }, 120_000);
});
