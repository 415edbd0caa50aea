export { CborError, decodeCbor, encodeCbor } from './cbor.ts';
export {
  CloudWatchError,
  InternalServiceFault,
  InvalidFormatFault,
  InvalidNextToken,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  LimitExceededFault,
  MissingRequiredParameterException,
  RequestEntityTooLargeException,
  ResourceNotFound,
  SerializationException,
  UnknownOperationException,
  ValidationException,
} from './errors.ts';
export { breaches, type Evaluation, evaluateAlarm } from './evaluate.ts';
export { cloudWatchRoute, MAX_REQUEST_BYTES, TARGET_PREFIX } from './http.ts';
export { createCloudWatchService } from './service.ts';
export type * from './types.ts';
