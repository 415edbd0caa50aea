/**
 * The model behind a SageMaker endpoint, as the local endpoint serves it: a predictor turns one
 * request body into class probabilities. The endpoint (src/embedded/sagemaker-runtime/) owns HTTP,
 * content negotiation, faults and capture; the stub there and the trained model (training/) both
 * implement this contract, so each side imports it from here and neither depends on the other.
 */

export interface Predictor {
  /** Whether the model is loaded; drives `GET /ping` (200 or 503). */
  ready(): boolean;
  /** Class probabilities in class-index order. Throws `ModelInputError` for undecodable input. */
  predict(body: Buffer, contentType: string): Promise<number[]>;
}

/**
 * The request cannot be evaluated (not an image, truncated, unsupported type). The container
 * answers it with `statusCode`, which SageMaker Runtime reports as `ModelError` 424 with
 * `OriginalStatusCode`.
 */
export class ModelInputError extends Error {
  override name = 'ModelInputError';
  readonly statusCode: number;

  constructor(message: string, statusCode = 400) {
    super(message);
    this.statusCode = statusCode;
  }
}
