/**
 * `scones retrain --json` on the embedded tier, training for real (one epoch on the shipped CIFAR
 * subset, staged on first use): with no model in service, the candidate is promoted through
 * CreateEndpoint. The JSON line is the contract the checks read: `outcome`, `candidate`,
 * `in_service`. (The gate stopping a real bad candidate: test/embedded/retraining-real.test.ts;
 * one real training here keeps the suite's time down.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCONES = path.resolve('bin/scones.js');

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-retrain-'));
});
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
    expect(first.training_set).toMatchObject({ original_train: 900, evaluation_clean: 200 });
    // One epoch on 900 images: better than chance on the two classes, measured by the kit's predictor.
    expect(first.evaluation.candidate.clean).toBeGreaterThan(0.6);
    expect(first.in_service.model_data).toBe(first.candidate.model_data);
  }, 300_000);
});
