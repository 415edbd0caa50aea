/**
 * The retraining Lambdas' pure parts: event validation (InvalidEvent names the field), ground-truth
 * label parsing (malformed, unusable, by name or index), the seeded held-out draw, and the figures
 * (accuracy, per-class precision/recall, null where nothing was predicted or present).
 */
import { describe, expect, it } from 'vitest';
import { heldOutDraw } from '../../lambdas/build-training-set/build.ts';
import { parseBuildEvent } from '../../lambdas/build-training-set/handler.ts';
import { parseLabel } from '../../lambdas/build-training-set/reviewed-labels.ts';
import { figuresOf } from '../../lambdas/evaluate-candidate/figures.ts';
import { parseEvaluateEvent } from '../../lambdas/evaluate-candidate/handler.ts';

const BUILD = {
  run_id: 'run-1',
  bucket: 'b',
  dataset_prefix: 'datasets/cifar-100/',
  ground_truth_prefix: 'ground_truth/',
  capture_prefix: 'data_capture/',
  output_prefix: 'retraining/',
  evaluation_share: 0.2,
  seed: 'scones',
};

describe('BuildTrainingSet event', () => {
  it('accepts the ASL payload', () => {
    expect(parseBuildEvent(BUILD)).toEqual(BUILD);
  });

  it.each([
    [{ evaluation_share: 1 }, /"evaluation_share" must be a number from 0 to below 1/],
    [{ evaluation_share: '0.2' }, /"evaluation_share"/],
    [{ run_id: 'a/b' }, /"run_id" may hold letters, digits/],
    [{ dataset_prefix: 'datasets' }, /"dataset_prefix" must be a key prefix ending in "\/"/],
    [{ bucket: '' }, /"bucket" must be a non-empty string/],
  ])('refuses %j', (change, message) => {
    expect(() => parseBuildEvent({ ...BUILD, ...change })).toThrow(message);
    expect(() => parseBuildEvent({ ...BUILD, ...change })).toThrow(
      expect.objectContaining({ name: 'InvalidEvent' }),
    );
  });
});

describe('ground-truth labels', () => {
  const line = (data: unknown, eventId: unknown = 'id-1') =>
    JSON.stringify({
      groundTruthData: { data, encoding: 'CSV' },
      eventMetadata: { eventId },
      eventVersion: '0',
    });

  it('reads a class by name (any case), by index, or as the first CSV field', () => {
    expect(parseLabel(line('motorcycle'))).toEqual({ eventId: 'id-1', label: 1 });
    expect(parseLabel(line('Bicycle'))).toEqual({ eventId: 'id-1', label: 0 });
    expect(parseLabel(line('1'))).toEqual({ eventId: 'id-1', label: 1 });
    expect(parseLabel(line(0))).toEqual({ eventId: 'id-1', label: 0 });
    expect(parseLabel(line('"bicycle",0.9'))).toEqual({ eventId: 'id-1', label: 0 });
  });

  it('calls a label naming no class unusable, and a record without id or label malformed', () => {
    expect(parseLabel(line('neither'))).toEqual({ eventId: 'id-1', label: 'unusable' });
    expect(parseLabel(line('7'))).toEqual({ eventId: 'id-1', label: 'unusable' });
    expect(parseLabel(line('bicycle', ''))).toBeUndefined();
    expect(parseLabel(line(''))).toBeUndefined();
    expect(parseLabel('{"groundTruthData":')).toBeUndefined();
  });
});

describe('the held-out draw', () => {
  it('is fixed by seed and id, and spreads ids over [0, 1)', () => {
    expect(heldOutDraw('s', 'a')).toBe(heldOutDraw('s', 'a'));
    expect(heldOutDraw('s', 'a')).not.toBe(heldOutDraw('t', 'a'));
    const draws = Array.from({ length: 1000 }, (_, i) => heldOutDraw('scones', `id-${i}`));
    const share = draws.filter((draw) => draw < 0.2).length / draws.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.25);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});

describe('figures', () => {
  it('accuracy and per-class precision and recall', () => {
    const figures = figuresOf(
      [
        { label: 0, predicted: 0 },
        { label: 0, predicted: 1 },
        { label: 1, predicted: 1 },
        { label: 1, predicted: 1 },
      ],
      ['bicycle', 'motorcycle'],
    );
    expect(figures.accuracy).toBe(0.75);
    expect(figures.classes).toEqual([
      { label: 'bicycle', precision: 1, recall: 0.5, support: 2 },
      { label: 'motorcycle', precision: 2 / 3, recall: 1, support: 2 },
    ]);
  });

  it('null where there is nothing to divide by', () => {
    const figures = figuresOf([{ label: 1, predicted: 1 }], ['bicycle', 'motorcycle']);
    expect(figures.classes[0]).toEqual({ label: 'bicycle', precision: null, recall: null, support: 0 });
    expect(figuresOf([], ['bicycle', 'motorcycle']).accuracy).toBeNull();
  });
});

describe('EvaluateCandidate event', () => {
  const EVALUATE = {
    bucket: 'b',
    evaluation_manifest: 's3://b/e.jsonl',
    candidate_model: 's3://b/c.tar.gz',
    current_model: null,
    report_uri: 's3://b/r.json',
  };

  it('takes a null current model as none in service', () => {
    const { current_model: _none, ...rest } = EVALUATE;
    expect(parseEvaluateEvent(EVALUATE)).toEqual(rest);
  });

  it('refuses a current model that is no URI', () => {
    expect(() => parseEvaluateEvent({ ...EVALUATE, current_model: 3 })).toThrow(
      /"current_model" must be an S3 URI or null/,
    );
  });
});
