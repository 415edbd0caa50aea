export { TemplateValueError } from './intrinsics.ts';
export {
  BUNDLE_KEYS,
  CODE_BUCKET,
  codeKeyParameter,
  MODEL_DATA_URL,
  NOTIFY_EMAIL,
  THRESHOLD,
} from './parameters.ts';
export { generateTemplate, TemplateInputError } from './template.ts';
export type { CfnResource, CfnTemplate, TemplateOptions } from './types.ts';
