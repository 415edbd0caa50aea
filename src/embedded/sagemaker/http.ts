/**
 * The SageMaker API on the gateway: JSON 1.1, `X-Amz-Target: SageMaker.<Action>`. Requests signed
 * for `sagemaker` share that scope with the SageMaker runtime: the router gives this route the
 * ones that name a `SageMaker.` target, the runtime the rest (its invocation paths).
 */
import { jsonServiceRoute, type Route } from '../gateway/index.ts';
import type { SageMakerService } from './types.ts';

/**
 * Larger than any valid request (the largest members: 100 hyperparameters of 2,500 characters,
 * environments, tags), small enough that no body can hurt the process.
 */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

export function sagemakerRoute(service: SageMakerService): Route {
  return jsonServiceRoute({
    name: 'sagemaker',
    signingName: 'sagemaker',
    targetPrefix: 'SageMaker.',
    maxBodyBytes: MAX_REQUEST_BYTES,
    call: (action, input) => service.call(action, input),
  });
}
