export {
  type CaptureMode,
  type CaptureOptions,
  type CaptureRecord,
  DataCapture,
  hourPath,
  type Invocation,
  inferenceIdProblem,
} from './data-capture.ts';
export { main, startFromEnvironment } from './endpoint-main.ts';
export { ENDPOINT_LIMITS, startEndpointServer } from './endpoint-server.ts';
export { type FaultState, MAX_LATENCY_MS } from './faults.ts';
export { FAULTS_PATH, faultsRoute } from './faults-route.ts';
export { EndpointFleet, VariantLoadError } from './fleet.ts';
export { MAX_PAYLOAD_BYTES } from './http.ts';
export {
  type EndpointMetricDatum,
  EndpointMetrics,
  type InvocationRecord,
  SAGEMAKER_METRICS_NAMESPACE,
} from './invocation-metrics.ts';
export {
  checkFaultRule,
  checkFaultRules,
  FaultRuleError,
  type FaultTarget,
  MAX_FAULT_RULES,
  type ModelFailure,
  type ModelFaultRule,
  ModelFaults,
} from './model-faults.ts';
export { createStubPredictor, hashProbabilities, looksLikeImage } from './stub-predictor.ts';
export type * from './types.ts';
