/**
 * The routing decision's input: is the top class probability at or above the threshold? A low
 * confidence is a normal outcome (the order goes to manual review), never an error.
 */
import type { Classification, Decision, FilteredClassification } from '../../src/workflow/types.ts';

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
    inference_id: classification.inference_id,
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

/**
 * The route the ASL's RouteByConfidence Choice takes for this result (a confident bicycle goes
 * short-range, a confident motorcycle long-range, anything else to manual review), for the
 * `Decisions` metric; the embedded workflow test checks that the two agree.
 */
export function routeOf(result: Pick<FilteredClassification, 'confident' | 'predicted_label'>): Decision {
  if (result.confident && result.predicted_label === 'bicycle') return 'short-range';
  if (result.confident && result.predicted_label === 'motorcycle') return 'long-range';
  return 'manual-review';
}
