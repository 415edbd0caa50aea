export {
  InvalidParameterException,
  LogsError,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  SerializationException,
  ServiceUnavailableException,
  UnknownOperationException,
  ValidationException,
} from './errors.ts';
export { logsRoute, MAX_REQUEST_BYTES } from './http.ts';
export { createLogsService } from './service.ts';
export type { InputLogEvent, LogsService, LogsServiceOptions } from './types.ts';
