/**
 * ARNs in the local account, as SageMaker forms them: the resource name lowercased
 * (`CreateEndpoint` of `MyEndpoint` answers `arn:aws:sagemaker:us-east-1:000000000000:endpoint/myendpoint`).
 */

import { LOCAL_ACCOUNT } from '../shared/index.ts';

export { LOCAL_ACCOUNT };

export type ResourceType =
  | 'training-job'
  | 'hyper-parameter-tuning-job'
  | 'model'
  | 'endpoint-config'
  | 'endpoint'
  | 'model-package-group'
  | 'model-package';

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function arnOf(region: string, type: ResourceType, name: string): string {
  return `arn:${partitionOf(region)}:sagemaker:${region}:${LOCAL_ACCOUNT}:${type}/${name.toLowerCase()}`;
}

/** The resource type and the part after it of a SageMaker ARN, or undefined for another string. */
export function parseArn(arn: string): { type: string; resource: string } | undefined {
  const match = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:([a-z-]+)\/(.+)$/.exec(arn);
  return match ? { type: match[1] as string, resource: match[2] as string } : undefined;
}
