export { ensureEndpoint, ensureEndpointConfig, ensureModel } from './hosting.ts';
