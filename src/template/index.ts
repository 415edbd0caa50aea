export {
  type DeleteStackOptions,
  deleteStack,
  StackDeleteFailed,
  type StackDeleteResult,
} from './delete-stack.ts';
export {
  ChangeSetFailed,
  type DeployStackOptions,
  deployStack,
  StackBusyError,
  StackDeployFailed,
  type StackDeployResult,
} from './deploy-stack.ts';
export { TemplateValueError } from './intrinsics.ts';
export {
  BUNDLE_KEYS,
  CODE_BUCKET,
  codeKeyParameter,
  ENDPOINT_INSTANCE_TYPE,
  MODEL_DATA_URL,
  NOTIFY_EMAIL,
  THRESHOLD,
} from './parameters.ts';
export { StackInputError } from './stack-input.ts';
export { StackWaitTimeout } from './stack-wait.ts';
export { generateTemplate, TemplateInputError } from './template.ts';
export { checkedTemplate, readTemplateFile } from './template-file.ts';
export type { CfnResource, CfnTemplate, TemplateOptions } from './types.ts';
