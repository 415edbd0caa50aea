export { findStateMachine } from './api-workflow.ts';
export { lazyClients, type OwnedClients } from './clients.ts';
export { connectDeployed, type DeployedOptions } from './deployed.ts';
export { startEmbeddedStore, startEmbeddedTarget } from './embedded.ts';
export { connectLocalStack, runningStackEndpoint, startLocalStack } from './local-stack.ts';
export { namesOf } from './names.ts';
export { deploymentConfig, placeTarget, startTarget, targetOf } from './select.ts';
export type {
  AwsStage,
  EmbeddedStart,
  EmbeddedTarget,
  LocalStackTarget,
  StartedTarget,
  StateMachineRole,
  TargetClients,
  TargetKind,
  TargetNames,
  TargetPlacement,
  TargetRequest,
} from './types.ts';
