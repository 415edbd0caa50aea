export { chooseHosting, type HostingChoice } from './hosting-choice.ts';
export { refuseInexpressible } from './inexpressible.ts';
export { promoteViaStack } from './promote-stack.ts';
export type {
  StackHosting,
  StackPromoteControls,
  StackPromoteOptions,
  StackPromotionResult,
} from './types.ts';
