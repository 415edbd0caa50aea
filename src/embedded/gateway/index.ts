export { readBody } from './body.ts';
export {
  announceIfReachable,
  applyServerLimits,
  DEFAULT_SERVER_LIMITS,
  guardRequests,
  isLoopbackAddress,
  serverOptionsFor,
} from './hardening.ts';
export type * from './types.ts';
