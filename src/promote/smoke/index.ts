export { runSmokeExecution } from './smoke.ts';
export { SmokeTestFailedError, smokeFailureMessage, teardownCommandFor } from './smoke-failure.ts';
export type { SmokeFailure, SmokeOutcome } from './types.ts';
