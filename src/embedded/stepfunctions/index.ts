export { registeredStateMachines } from './api/host.ts';
export { createSfnApiHandler, stepFunctionsRoute } from './api/http.ts';
export type * from './api/types.ts';
export { type BatchEngineOptions, createBatchEngine } from './batch-engine.ts';
// The Distributed Map's result files, for the tests that check them directly.
export { ResultFiles, resultKeyPrefix } from './distributed-map/results.ts';
export { EmbeddedEngine, type EngineOptions } from './engine.ts';
export { ExecutionAlreadyExists, ExecutionRegistry, InvalidName } from './execution-registry.ts';
export { ExecutionStarter } from './execution-starter.ts';
export { createIntakeEngine, type IntakeEngineOptions } from './intake-engine.ts';
export { bindLambdaInvoke, payloadSize, STATE_PAYLOAD_LIMIT_BYTES } from './integrations/lambda.ts';
export { mockedTaskHandlers, stateMachineNameOf } from './integrations/mocked-tasks.ts';
export { createRetrainingEngine, type RetrainingEngineOptions } from './retraining-engine.ts';
export { type RegisteredStateMachine, StateMachineRegistry } from './state-machine-registry.ts';
export type * from './types.ts';
export {
  createEngine,
  currentEngine,
  hostableModules,
  REPO_WORKFLOW_CODE,
  stateMachineFactory,
  stateMachineRoles,
  type WorkflowVersion,
} from './workflow-version.ts';
