/**
 * The routing decision's input: is the top class probability at or above the threshold? A low
 * confidence is a normal outcome (the order goes to manual review), never an error.
 */
import type { Classification, FilteredClassification } from '../../src/workflow/types.ts';

export interface FilterOptions {
  threshold: number;
  /** Clock for `decided_at`; injectable so tests get a fixed time. */
  now: () => Date;
}

export function filterInferences(
  classification: Classification,
  options: FilterOptions,
): FilteredClassification {
  // Decide on the probabilities themselves rather than trusting the upstream `confidence` field.
  const topProbability = Math.max(...classification.inferences);
  return {
    s3_bucket: classification.s3_bucket,
    s3_key: classification.s3_key,
    inferences: classification.inferences,
    predicted_label: classification.predicted_label,
    predicted_index: classification.predicted_index,
    confidence: topProbability,
    confident: topProbability >= options.threshold,
    threshold: options.threshold,
    decided_at: options.now().toISOString(),
  };
}
