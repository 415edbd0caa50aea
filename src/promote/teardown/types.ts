/** What teardown finds in a stage and what it reports having deleted, stopped and kept. */
import type { ProgressListener } from '../progress.ts';

export type KitResourceType =
  | 'sagemaker endpoint'
  | 'sagemaker endpoint config'
  | 'sagemaker model'
  | 'sagemaker training job'
  | 'sagemaker tuning job'
  | 'step functions state machine'
  | 'lambda function'
  | 'iam role'
  | 's3 bucket'
  | 's3 bucket notifications'
  | 'eventbridge rule'
  | 'sns topic'
  | 'sns subscription'
  | 'cloudwatch alarm';

export interface KitResource {
  type: KitResourceType;
  name: string;
  arn: string;
  /** Training and tuning jobs: their status (in-progress ones are stopped); subscriptions: pending or not. */
  status?: string;
}

export interface TeardownItem {
  type: KitResourceType;
  name: string;
  arn: string;
}

/** Found but not torn down, and why (a job record, a bucket kept, what a local stack provides). */
export type KeptItem = TeardownItem & { reason: string };

/** What discovery finds in a stage: what teardown removes, and what it reports as kept from the start. */
export interface Discovery {
  found: KitResource[];
  kept: KeptItem[];
}

export interface TeardownReport {
  stage: string;
  accountId: string;
  region: string;
  /** True for `plan`: nothing was deleted or stopped; the lists say what would be. */
  planned: boolean;
  deleted: TeardownItem[];
  /** Running training or tuning jobs stopped (they bill while they run). */
  stopped: TeardownItem[];
  kept: KeptItem[];
}

export interface TeardownControls {
  onProgress?: ProgressListener;
}
