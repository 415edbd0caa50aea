/** `scones models` and `rollout`'s text: the serving version marked, the original model named, metrics shown. */
import { describe, expect, it } from 'vitest';
import { formatListing, formatRollout } from '../../src/cli/models.ts';
import type { RegistryListing, RegistryVersion, Serving } from '../../src/registry/index.ts';

const version = (n: number, status: string, serving: boolean, accuracy: number | null): RegistryVersion => ({
  version: n,
  arn: `arn:aws:sagemaker:us-east-1:000000000000:model-package/scones-dev-image-classifier/${n}`,
  status,
  reason: status === 'Rejected' ? 'worse on the clean part' : 'passed the gate',
  created: '2026-12-07T08:00:00.000Z',
  model_data: `s3://b/retraining/models/${n}/model.tar.gz`,
  image: null,
  training_job: null,
  metrics:
    accuracy === null
      ? null
      : {
          source: 's3://b/r.json',
          accuracy: { all: accuracy, clean: 0.95, reviewed: 0.8 },
          current_accuracy: null,
          clean_drop: 0,
          reviewed_gain: 0.3,
        },
  ...(accuracy === null ? { metrics_note: 'report missing: s3://b/r.json' } : {}),
  serving,
});

const serving = (over: Partial<Serving>): Serving => ({
  endpoint: 'scones-image-classification',
  status: 'InService',
  endpoint_config: 'c',
  model: 'scones-image-classification-model-0123456789',
  model_data: 's3://b/models/model.tar.gz',
  version: null,
  version_arn: null,
  original: false,
  ...over,
});

describe('formatListing', () => {
  it('marks the serving version and prints its figures', () => {
    const listing: RegistryListing = {
      group: 'scones-dev-image-classifier',
      group_exists: true,
      versions: [
        version(1, 'Approved', false, 0.9),
        version(2, 'Rejected', false, null),
        version(3, 'Approved', true, 0.93),
      ],
      serving: serving({ version: 3 }),
    };
    const text = formatListing(listing);
    expect(text).toContain('serving  scones-image-classification (InService): version 3');
    const rows = text.split('\n').filter((line) => /^[* ] \d/.test(line));
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatch(
      /^\* 3 +Approved +2026-12-07T08:00:00Z +0\.930 +0\.950 +0\.800 +0\.300 +passed the gate$/,
    );
    expect(rows[1]).toMatch(/^ {2}2 +Rejected .* - +- +- +- +worse on the clean part$/);
  });

  it("names the kit's original model when it serves, and an empty registry", () => {
    const text = formatListing({
      group: 'g',
      group_exists: false,
      versions: [],
      serving: serving({ original: true }),
    });
    expect(text).toContain(
      "the kit's original model (scones-image-classification-model-0123456789, not in the registry)",
    );
    expect(text).toContain('no model package group yet');
  });
});

describe('formatRollout', () => {
  it('says rolled back, why, and what serves', () => {
    const text = formatRollout(
      {
        outcome: 'rolled-back',
        target: { version: 2, arn: 'a', model: 'm', model_data: null },
        before: serving({ original: true }),
        after: serving({ original: true }),
        endpoint_config: 'scones-dev-ro-v2-x',
        failure_reason: 'alarm scones-dev-endpoint-5xx went to ALARM',
        alarm: 'scones-dev-endpoint-5xx',
        canary_percent: 10,
        bake_seconds: 30,
        duration_ms: 1500,
      },
      'rollout',
    );
    expect(text.split('\n')[0]).toBe('rollout of version 2: rolled-back (1.5 s)');
    expect(text).toContain('auto-rollback on scones-dev-endpoint-5xx');
    expect(text).toContain('reason  alarm scones-dev-endpoint-5xx went to ALARM');
  });
});
