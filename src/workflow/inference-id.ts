/**
 * The one id of a routing decision. The classify Lambda sends it as InvokeEndpoint's `InferenceId`
 * (SageMaker writes it into the captured record as `eventMetadata.inferenceId`), it travels in the
 * state as `inference_id` into the execution output and the review item, and a reviewer's ground
 * truth record names it as `eventMetadata.eventId`: execution, capture, review and ground truth
 * join on it.
 *
 * It is the execution name whenever SageMaker accepts that as an InferenceId: 1-64 printable ASCII
 * characters, the first not a space (SageMaker Runtime API reference, InvokeEndpoint, `InferenceId`:
 * length 1-64, pattern `\A\S[\p{Print}]*\z`). Execution names may be longer (up to 80 characters)
 * and may hold non-ASCII letters; those map to a deterministic id (a readable prefix and a hash), so
 * anyone holding the execution name can compute the id again.
 */
import { createHash } from 'node:crypto';

export const INFERENCE_ID_MAX_LENGTH = 64;

const PRINTABLE_ASCII = /^[\x21-\x7e][\x20-\x7e]*$/;
const HASH_CHARS = 16;

export function isValidInferenceId(value: string): boolean {
  return value.length <= INFERENCE_ID_MAX_LENGTH && PRINTABLE_ASCII.test(value);
}

/** The InferenceId of the execution `executionName`: the name itself when it is a valid id. */
export function inferenceIdFor(executionName: string): string {
  if (isValidInferenceId(executionName)) return executionName;
  const hash = createHash('sha256').update(executionName, 'utf8').digest('hex').slice(0, HASH_CHARS);
  const prefix = executionName
    .replace(/[^\x21-\x7e]/g, '_')
    .slice(0, INFERENCE_ID_MAX_LENGTH - HASH_CHARS - 1);
  return `${prefix}-${hash}`;
}
