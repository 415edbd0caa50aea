export { InternalFailure, InvalidAction, MalformedQueryString, StsError } from './errors.ts';
export { stsRoute } from './http.ts';
export { createStsService } from './service.ts';
export type { CallerIdentity, StsService, StsServiceOptions } from './types.ts';
