export { type TestStateRefusalCode, TestStateRefused } from './errors.ts';
export { type TestStateOptions, testState } from './run.ts';
export type { TestStateRequest, TestStateResponse } from './types.ts';
