export { renderTeardown } from './render.ts';
export { teardown } from './teardown.ts';
export type { TeardownControls, TeardownItem, TeardownReport } from './types.ts';
