/**
 * The local SageMaker control plane (JSON 1.1, `X-Amz-Target: SageMaker.<action>`), without HTTP:
 * the gateway routes the requests to `call` and writes its answers and errors. See README.md.
 */

export { imageClassificationUri } from './algorithm/image-uris.ts';
export {
  ConflictException,
  HostingFailure,
  InternalFailure,
  ResourceInUse,
  ResourceLimitExceeded,
  ResourceNotFound,
  SageMakerServiceError,
  SerializationException,
  TrainingFailure,
  UnknownOperationException,
  ValidationException,
} from './errors.ts';
export { MAX_REQUEST_BYTES, sagemakerRoute } from './http.ts';
export { createSageMakerService } from './service.ts';
export { createLocalTrainingRunner, type LocalTrainingRunnerOptions } from './training/runner.ts';
export type {
  AlarmState,
  AlarmStateSource,
  CaptureSettings,
  EndpointDeployment,
  EndpointHosting,
  EpochMetrics,
  ImageClassificationHyperparameters,
  SageMakerService,
  SageMakerServiceOptions,
  TrainingLogEvent,
  TrainingProgress,
  TrainingRun,
  TrainingRunner,
  TrainingRunResult,
  VariantDeployment,
  VariantWeight,
} from './types.ts';
