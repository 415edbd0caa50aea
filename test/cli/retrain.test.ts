/**
 * `scones retrain --json` on the embedded tier, training for real: with no model in service, the
 * candidate is promoted through CreateEndpoint. The JSON line is the contract the checks
 * read: `outcome`, `candidate`, `in_service`. The data folder is staged first, as the command would
 * stage it, and its manifests are cut to a fifth of the training split and half of the test split:
 * the command's path is what this tests (how well a real model does and the gate stopping a bad
 * one: test/embedded/retraining-real.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/aws/clients.ts';
import { datasetPrefix, stageData } from '../../src/cli/local-model.ts';
import { DEFAULTS, endpointEnvironment, loadConfig } from '../../src/config.ts';
import { startLocalS3 } from '../../src/embedded/s3/index.ts';

const run = promisify(execFile);
const SCONES = path.resolve('bin/scones.js');

const TRAIN_IMAGES = 180;
const TEST_IMAGES = 100;

/** Every n-th line of a staged manifest (both classes stay), `count` of them. */
async function cutManifest(s3: S3Client, key: string, count: number): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: DEFAULTS.bucket, Key: key }));
  const lines = ((await object.Body?.transformToString()) ?? '').split('\n').filter(Boolean);
  const step = Math.floor(lines.length / count);
  const kept = lines.filter((_, index) => index % step === 0).slice(0, count);
  await s3.send(new PutObjectCommand({ Bucket: DEFAULTS.bucket, Key: key, Body: `${kept.join('\n')}\n` }));
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-retrain-'));
  const local = await startLocalS3({ directory: path.join(dataDir, 's3'), buckets: [DEFAULTS.bucket] });
  const s3 = createS3Client(
    loadConfig({ SCONES_TARGET: 'embedded', ...endpointEnvironment({ s3: local.endpoint }) }),
  );
  try {
    await stageData(s3, DEFAULTS.bucket);
    await cutManifest(s3, `${datasetPrefix()}train_lst/train.lst`, TRAIN_IMAGES);
    await cutManifest(s3, `${datasetPrefix()}test_lst/test.lst`, TEST_IMAGES);
  } finally {
    s3.destroy();
    await local.stop();
  }
}, 120_000);
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

interface Report {
  outcome: string;
  reason: string;
  candidate: { model_package_arn: string; status: string; model_data: string };
  in_service: { endpoint: string; endpoint_config: string; model_data: string };
  evaluation: { candidate: { clean: number }; current: unknown };
  training_set: { original_train: number; evaluation_clean: number };
}

async function retrain(): Promise<Report> {
  const { stdout } = await run(
    process.execPath,
    [SCONES, 'retrain', '--json', '--epochs', '1', '--data-dir', dataDir],
    { timeout: 240_000, env: { ...process.env, SCONES_TARGET: 'embedded' } },
  );
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as Report;
}

describe('scones retrain --json (real training)', () => {
  it('promotes the first candidate, nothing being in service yet', async () => {
    const first = await retrain();
    expect(first.outcome).toBe('promoted');
    expect(first.reason).toBe('no model in service to compare with');
    expect(first.candidate.model_package_arn).toMatch(/:model-package\/scones-dev-image-classifier\/1$/);
    expect(first.candidate.status).toBe('Approved');
    expect(first.training_set).toMatchObject({
      original_train: TRAIN_IMAGES,
      evaluation_clean: TEST_IMAGES,
    });
    // Scored by the kit's predictor on the held-out clean part (nothing serves to compare with).
    expect(first.evaluation.candidate.clean).toBeGreaterThanOrEqual(0);
    expect(first.evaluation.candidate.clean).toBeLessThanOrEqual(1);
    expect(first.evaluation.current).toBeNull();
    expect(first.in_service.model_data).toBe(first.candidate.model_data);
  }, 300_000);
});
