/** FilterInferences Lambda: validate the classification, compare it with the configured threshold. */
import { loadConfig } from '../../src/config.ts';
import { InvalidEvent } from '../../src/workflow/errors.ts';
import { DIMENSION, METRIC } from '../../src/workflow/metrics.ts';
import { CLASS_LABELS, type Classification, type FilteredClassification } from '../../src/workflow/types.ts';
import {
  type EventRecord,
  requireEventObject,
  requireInferenceId,
  requireNonEmptyString,
  requireProbabilityList,
} from '../shared/event-fields.ts';
import {
  type InstrumentedHandler,
  type InvocationContext,
  instrument,
  MetricUnit,
  type TelemetryOptions,
} from '../shared/telemetry.ts';
import { filterInferences, routeOf } from './filter.ts';

const STATE = 'FilterInferences';

export interface FilterHandlerDependencies {
  threshold: number;
  now?: () => Date;
  /** Where logs and metrics go; default stdout and process.env, as on Lambda. */
  telemetry?: TelemetryOptions;
}

export type FilterHandler = InstrumentedHandler<FilteredClassification>;

function requirePredictedIndex(record: EventRecord, inferences: number[]): number {
  const index = record.predicted_index;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= inferences.length) {
    throw new InvalidEvent(
      `${STATE}: "predicted_index" must be an integer from 0 to ${inferences.length - 1}`,
    );
  }
  if ((inferences[index] ?? -1) < Math.max(...inferences)) {
    throw new InvalidEvent(
      `${STATE}: "predicted_index" ${index} is not the most probable class of ${JSON.stringify(inferences)}`,
    );
  }
  return index;
}

export function parseClassificationEvent(event: unknown): Classification {
  const record = requireEventObject(event, STATE);
  const inferences = requireProbabilityList(record, 'inferences', CLASS_LABELS.length, STATE);
  const predictedIndex = requirePredictedIndex(record, inferences);
  const label = requireNonEmptyString(record, 'predicted_label', STATE);
  if (label !== CLASS_LABELS[predictedIndex]) {
    throw new InvalidEvent(
      `${STATE}: "predicted_label" "${label}" does not match "predicted_index" ${predictedIndex} (${CLASS_LABELS[predictedIndex]})`,
    );
  }
  return {
    inference_id: requireInferenceId(record, 'inference_id', STATE),
    s3_bucket: requireNonEmptyString(record, 's3_bucket', STATE),
    s3_key: requireNonEmptyString(record, 's3_key', STATE),
    inferences,
    predicted_index: predictedIndex,
    predicted_label: label,
    confidence: inferences[predictedIndex] ?? 0,
  };
}

export function createHandler(deps: FilterHandlerDependencies): FilterHandler {
  const options = { threshold: deps.threshold, now: deps.now ?? (() => new Date()) };
  return instrument(STATE, deps.telemetry ?? {}, async (event, invocation) => {
    const result = filterInferences(parseClassificationEvent(event), options);
    const route = routeOf(result);
    invocation.metric(METRIC.confidence, MetricUnit.NoUnit, result.confidence);
    invocation.metric(METRIC.lowConfidence, MetricUnit.Count, result.confident ? 0 : 1);
    invocation.metric(METRIC.decisions, MetricUnit.Count, 1, { [DIMENSION.route]: route });
    invocation.info('decision', {
      route,
      predicted_label: result.predicted_label,
      confidence: result.confidence,
      confident: result.confident,
      threshold: result.threshold,
    });
    return result;
  });
}

let lambdaHandler: FilterHandler | undefined;

/** Lambda entry point; THRESHOLD is read (and validated) once per cold start. */
export async function handler(event: unknown, context?: InvocationContext): Promise<FilteredClassification> {
  lambdaHandler ??= createHandler({ threshold: loadConfig().threshold });
  return lambdaHandler(event, context);
}
