/** Shared fixtures for the model tests: metadata for a small two-class model. */
import { ARTIFACT_FORMAT, type ModelMetadata } from '../../training/artifact.ts';

export function smallModelMetadata(): ModelMetadata {
  return {
    format: ARTIFACT_FORMAT,
    classNames: ['bicycle', 'motorcycle'],
    inputShape: [32, 32, 3],
    layout: 'NHWC',
    normalization: { mean: [120, 115, 105], std: [60, 58, 62] },
    output: 'probabilities',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}
