/**
 * One line of SageMaker data capture (JSON Lines, one invocation per line):
 *
 *   {"captureData": {"endpointInput": {...}, "endpointOutput": {"observedContentType":
 *     "application/json", "mode": "OUTPUT", "data": "[0.93, 0.07]", "encoding": "JSON"}},
 *    "eventMetadata": {"eventId": "...", "inferenceId": "...", "inferenceTime": "2026-11-26T10:00:05Z"},
 *    "eventVersion": "0"}
 *
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture-endpoint.html).
 * The output may be JSON or BASE64 of JSON; it is the class probabilities as a list, or
 * `{"prediction": [...]}`. `inferenceId` is there when the caller passed InferenceId to
 * InvokeEndpoint; older captures have only `eventId`, which still joins ground truth written
 * against it.
 */
import type { CapturedInference } from './types.ts';

export type CaptureLineResult = { inference: CapturedInference } | { skipped: string };

interface CaptureLine {
  captureData?: { endpointOutput?: { data?: unknown; encoding?: unknown } };
  eventMetadata?: { inferenceTime?: unknown; inferenceId?: unknown; eventId?: unknown };
}

function probabilitiesOf(json: string): number[] | undefined {
  const parsed = JSON.parse(json) as unknown;
  const list = Array.isArray(parsed) ? parsed : (parsed as { prediction?: unknown } | null)?.prediction;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.every((p) => typeof p === 'number' && Number.isFinite(p)) ? (list as number[]) : undefined;
}

/** Parses one capture line; a line that is no inference says why (counted in the report). */
export function parseCaptureLine(line: string): CaptureLineResult {
  let record: CaptureLine;
  try {
    record = JSON.parse(line) as CaptureLine;
  } catch {
    return { skipped: 'not JSON' };
  }
  const output = record?.captureData?.endpointOutput;
  if (!output || typeof output.data !== 'string') return { skipped: 'no endpoint output' };
  const metadata = record.eventMetadata;
  const timeMs =
    typeof metadata?.inferenceTime === 'string' ? Date.parse(metadata.inferenceTime) : Number.NaN;
  if (Number.isNaN(timeMs)) return { skipped: 'no inference time' };
  let probabilities: number[] | undefined;
  try {
    const json =
      output.encoding === 'BASE64' ? Buffer.from(output.data, 'base64').toString('utf8') : output.data;
    probabilities = probabilitiesOf(json);
  } catch {
    probabilities = undefined;
  }
  if (!probabilities) return { skipped: 'output is not a list of probabilities' };
  return {
    inference: {
      timeMs,
      probabilities,
      ...(typeof metadata?.inferenceId === 'string' && metadata.inferenceId
        ? { inferenceId: metadata.inferenceId }
        : {}),
      ...(typeof metadata?.eventId === 'string' ? { eventId: metadata.eventId } : {}),
    },
  };
}

/** Index and value of the top probability (the prediction and its confidence). */
export function topProbability(probabilities: readonly number[]): { index: number; confidence: number } {
  let index = 0;
  for (let i = 1; i < probabilities.length; i++) {
    if ((probabilities[i] as number) > (probabilities[index] as number)) index = i;
  }
  return { index, confidence: probabilities[index] as number };
}
