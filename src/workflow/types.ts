/** Shapes of the data that flows through the state machine, state by state. */

/** Class index -> label, as the model was trained (CIFAR-100 fine labels 8 and 48). */
export const CLASS_LABELS = ['bicycle', 'motorcycle'] as const;
export type ClassLabel = (typeof CLASS_LABELS)[number];

/** Execution input. `image_data` is accepted (and ignored) for the seed project's event shape. */
export interface ImageEvent {
  s3_bucket: string;
  s3_key: string;
  image_data?: string;
}

/** Output of SerializeImageData. */
export interface SerializedImage {
  s3_bucket: string;
  s3_key: string;
  /** Base64 of the normalized PNG the model consumes. */
  image_data: string;
  /** Format detected from the object's bytes (png, jpeg, webp, ...). */
  source_format: string;
  width: number;
  height: number;
}

/**
 * Input of ClassifyImage: SerializeImageData's image plus the execution name, which the ASL's
 * Payload template adds from the Context Object (`$$.Execution.Name`).
 */
export interface ClassifyRequest {
  s3_bucket: string;
  s3_key: string;
  /** Base64 of the normalized PNG. */
  image_data: string;
  execution_name: string;
}

/** Output of ClassifyImage. The image itself is dropped to keep the state payload small. */
export interface Classification {
  /**
   * The decision's id: the InferenceId sent to the endpoint (`eventMetadata.inferenceId` of the
   * captured record), derived from the execution name (src/workflow/inference-id.ts).
   */
  inference_id: string;
  s3_bucket: string;
  s3_key: string;
  /** Class probabilities in class-index order. */
  inferences: number[];
  predicted_label: string;
  predicted_index: number;
  confidence: number;
}

/** Output of FilterInferences. */
export interface FilteredClassification extends Classification {
  confident: boolean;
  threshold: number;
  /** ISO-8601 time of the decision; recorded in review items. */
  decided_at: string;
}

export type Decision = 'short-range' | 'long-range' | 'manual-review';

/** Output of a successful execution. */
export interface WorkflowResult {
  decision: Decision;
  inference_id: string;
  s3_bucket: string;
  s3_key: string;
  predicted_label: string;
  confidence: number;
  inferences: number[];
  review_item?: { bucket: string; key: string };
}
