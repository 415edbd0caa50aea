/**
 * Shapes every part of the promotion shares: one action of a promotion (what it does to which
 * resource, and why); plan, apply, the smoke verdict and the console links all read it.
 */

/**
 * create/update: the resource is made or changed; none: it is already as wanted (reused);
 * wait: work already under way is waited for (resume); run: an operation that is idempotent by
 * itself (staging, smoke execution); skip: not done, with the reason in `detail`.
 */
export type ActionChange = 'create' | 'update' | 'none' | 'wait' | 'run' | 'skip';

export type ResourceType =
  | 's3 bucket'
  | 's3 objects'
  | 'iam role'
  | 'sagemaker training job'
  | 'sagemaker tuning job'
  | 'sagemaker model'
  | 'sagemaker endpoint config'
  | 'sagemaker endpoint'
  | 'lambda function'
  | 'step functions state machine'
  | 'step functions execution'
  | 's3 bucket notifications'
  | 'sns topic'
  | 'sns subscription'
  | 'eventbridge rule'
  | 'cloudwatch alarm';

export interface PromotionAction {
  step: string;
  resourceType: ResourceType;
  name: string;
  change: ActionChange;
  /** Why, or what: reasons of an update, the settings of a create, the reason of a skip. */
  detail: string;
  arn?: string;
}
