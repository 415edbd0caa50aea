import { describe, expect, it } from 'vitest';
import { filterInferences } from '../../lambdas/filter-inferences/filter.ts';
import { createHandler } from '../../lambdas/filter-inferences/handler.ts';
import { DEFAULTS, loadConfig } from '../../src/config.ts';
import type { Classification } from '../../src/workflow/types.ts';
import { invokeLambdaEntry } from './lambda-entry.ts';
import { captureTelemetry } from './telemetry-capture.ts';

const FIXED_TIME = new Date('2026-11-26T12:34:56.789Z');
const clock = () => FIXED_TIME;
/** Output these tests do not look at (telemetry.test.ts does). */
const telemetry = captureTelemetry().options;

function classification(inferences: [number, number]): Classification {
  const index = inferences[1] > inferences[0] ? 1 : 0;
  return {
    inference_id: 'order-17-exec',
    s3_bucket: 'images',
    s3_key: 'order-17.png',
    inferences,
    predicted_index: index,
    predicted_label: index === 1 ? 'motorcycle' : 'bicycle',
    confidence: inferences[index],
  };
}

describe('filterInferences', () => {
  it('is confident at or above the threshold and not below it', () => {
    const options = { threshold: 0.8, now: clock };
    expect(filterInferences(classification([0.2, 0.8]), options).confident).toBe(true);
    expect(filterInferences(classification([0.05, 0.95]), options).confident).toBe(true);
    expect(filterInferences(classification([0.21, 0.79]), options).confident).toBe(false);
  });

  it('decides on the top probability, not on the confidence field it was given', () => {
    const stale = { ...classification([0.1, 0.9]), confidence: 0.3 };
    expect(filterInferences(stale, { threshold: 0.8, now: clock })).toMatchObject({
      confident: true,
      confidence: 0.9,
    });
  });
});

describe('FilterInferences handler', () => {
  it('returns the classification with the decision, the threshold and the injected time', async () => {
    const filter = createHandler({ threshold: 0.8, now: clock, telemetry });
    const input = classification([0.07, 0.93]);

    expect(await filter(input)).toEqual({
      ...input,
      confident: true,
      threshold: 0.8,
      decided_at: '2026-11-26T12:34:56.789Z',
    });
  });

  it('treats low confidence as a normal result, not an error', async () => {
    const filter = createHandler({ threshold: 0.8, now: clock, telemetry });
    await expect(filter(classification([0.55, 0.45]))).resolves.toMatchObject({
      confident: false,
      predicted_label: 'bicycle',
    });
  });

  it('takes the threshold from configuration (default 0.80, THRESHOLD overrides)', async () => {
    expect(loadConfig({}).threshold).toBe(DEFAULTS.threshold);
    const input = classification([0.15, 0.85]);
    expect((await createHandler({ threshold: loadConfig({}).threshold, telemetry })(input)).confident).toBe(
      true,
    );
    const strict = createHandler({ threshold: loadConfig({ THRESHOLD: '0.9' }).threshold, telemetry });
    expect(await strict(input)).toMatchObject({ confident: false, threshold: 0.9 });
  });

  it('Lambda entry: reads THRESHOLD from the environment', async () => {
    const input = classification([0.1, 0.9]);
    const entry = 'lambdas/filter-inferences/handler.ts';
    expect(await invokeLambdaEntry(entry, input, { THRESHOLD: '0.95' })).toMatchObject({
      result: { confident: false, threshold: 0.95 },
    });
    expect(await invokeLambdaEntry(entry, input, { THRESHOLD: 'high' })).toMatchObject({
      error: { name: 'ConfigError', message: expect.stringContaining('THRESHOLD') },
    });
  });

  it('uses the current time when no clock is injected', async () => {
    const before = Date.now();
    const { decided_at } = await createHandler({ threshold: 0.8, telemetry })(classification([0.1, 0.9]));
    expect(Date.parse(decided_at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(decided_at)).toBeLessThanOrEqual(Date.now());
  });

  it('drops fields that are not part of the contract, such as a stray image_data', async () => {
    const result = await createHandler({ threshold: 0.8, now: clock, telemetry })({
      ...classification([0.1, 0.9]),
      image_data: 'iVBORw0KGgo=',
    });
    expect(result).not.toHaveProperty('image_data');
  });

  it.each([
    ['no inferences', { s3_bucket: 'b', s3_key: 'k' }, 'no "inferences" field'],
    ['too few probabilities', { ...classification([0.1, 0.9]), inferences: [1] }, 'list of 2 probabilities'],
    ['a probability above 1', { ...classification([0.1, 0.9]), inferences: [0.1, 1.9] }, '"inferences[1]"'],
    [
      'an index that is not the top class',
      { ...classification([0.1, 0.9]), predicted_index: 0 },
      'not the most probable',
    ],
    [
      'a label that does not match the index',
      { ...classification([0.1, 0.9]), predicted_label: 'bicycle' },
      'does not match "predicted_index" 1 (motorcycle)',
    ],
    ['no s3_key', { ...classification([0.1, 0.9]), s3_key: undefined }, 'no "s3_key" field'],
    [
      'no inference_id',
      { ...classification([0.1, 0.9]), inference_id: undefined },
      'no "inference_id" field',
    ],
    [
      'an inference id SageMaker would refuse',
      { ...classification([0.1, 0.9]), inference_id: 'x'.repeat(65) },
      '"inference_id" must be 1-64 printable ASCII characters',
    ],
  ])('refuses an event with %s', async (_case, event, detail) => {
    const filter = createHandler({ threshold: 0.8, now: clock, telemetry });
    await expect(filter(event)).rejects.toMatchObject({
      name: 'InvalidEvent',
      message: expect.stringContaining(detail),
    });
  });
});
