import { describe, expect, it } from 'vitest';
import {
  INFERENCE_ID_MAX_LENGTH,
  inferenceIdFor,
  isValidInferenceId,
} from '../../src/workflow/inference-id.ts';

describe('inferenceIdFor', () => {
  it('is the execution name when SageMaker accepts it as an InferenceId', () => {
    for (const name of ['a', 'order-17', 'd3b07384-d9a0-4c9b-8f6e-1a2b3c4d5e6f', 'x'.repeat(64)]) {
      expect(inferenceIdFor(name)).toBe(name);
    }
  });

  it('maps longer and non-ASCII names to distinct, stable, valid ids', () => {
    const names = ['y'.repeat(65), 'y'.repeat(80), `${'y'.repeat(64)}z`, 'commande-vélo-17', 'заказ'];
    const ids = names.map(inferenceIdFor);
    for (const id of ids) expect(isValidInferenceId(id), id).toBe(true);
    expect(new Set(ids).size).toBe(names.length);
    expect(ids.map((id) => id.length).every((length) => length <= INFERENCE_ID_MAX_LENGTH)).toBe(true);
    expect(inferenceIdFor('commande-vélo-17')).toMatch(/^commande-v_lo-17-[0-9a-f]{16}$/);
    expect(names.map(inferenceIdFor)).toEqual(ids);
  });

  it('knows what SageMaker refuses', () => {
    expect(isValidInferenceId('')).toBe(false);
    expect(isValidInferenceId(' leading-space')).toBe(false);
    expect(isValidInferenceId('tab\there')).toBe(false);
    expect(isValidInferenceId('x'.repeat(65))).toBe(false);
    expect(isValidInferenceId('inner space ok')).toBe(true);
  });
});
