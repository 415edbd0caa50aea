export { jsonAnswer, sendJson, sendText, textAnswer, writeAnswer } from './answers.ts';
export { readBody } from './body.ts';
export {
  announceIfReachable,
  applyServerLimits,
  DEFAULT_SERVER_LIMITS,
  guardRequests,
  isLoopbackAddress,
  listenOn,
  serverOptionsFor,
} from './hardening.ts';
export { jsonServiceRoute } from './json-route.ts';
export { routerFor, signingServiceOf } from './router.ts';
export { startGateway } from './server.ts';
export type * from './types.ts';
