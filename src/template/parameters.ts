/**
 * What differs between deployments of one stage's template: where the bundles are, the routing
 * threshold, the email the failure topic notifies, the initial model. Names are fixed per stage
 * (the state machines, Lambdas and the classify Lambda's endpoint name come from src/workflow/names.ts).
 */
import type { BundleInfo } from '../deploy/index.ts';
import type { CfnParameter } from './types.ts';

/** The bundles the stack's functions run (src/deploy/bundle.ts keys). */
export const BUNDLE_KEYS = ['serialize', 'classify', 'filter', 'summarize', 'build', 'evaluate'] as const;
export type BundleKey = (typeof BUNDLE_KEYS)[number] & BundleInfo['key'];

export const CODE_BUCKET = 'CodeBucket';
export const codeKeyParameter = (key: BundleKey) => `CodeKey${key[0]?.toUpperCase()}${key.slice(1)}`;
export const THRESHOLD = 'Threshold';
export const NOTIFY_EMAIL = 'NotifyEmail';
export const MODEL_DATA_URL = 'ModelDataUrl';
export const ALGORITHM_IMAGE = 'AlgorithmImage';
export const ENDPOINT_INSTANCE_TYPE = 'EndpointInstanceType';

/** Conditions: an email subscription only with an address; the initial endpoint only with a model. */
export const HAS_NOTIFY_EMAIL = 'HasNotifyEmail';
export const CREATES_ENDPOINT = 'CreatesEndpoint';

export function templateParameters(input: {
  threshold: number;
  algorithmImage: string;
  endpointInstanceType: string;
}): Record<string, CfnParameter> {
  const codeKeys = Object.fromEntries(
    BUNDLE_KEYS.map((key): [string, CfnParameter] => [
      codeKeyParameter(key),
      {
        Type: 'String',
        Description: `S3 key of the ${key} Lambda's zip in CodeBucket (a new key per build: CloudFormation updates the code when it changes)`,
        MinLength: 1,
      },
    ]),
  );
  return {
    [CODE_BUCKET]: {
      Type: 'String',
      Description:
        "Bucket holding the Lambda bundles (the deploying command uploads them; not the stage's bucket, which this stack creates)",
      MinLength: 3,
    },
    ...codeKeys,
    [THRESHOLD]: {
      Type: 'Number',
      Description: 'Confidence below which an image is flagged for manual review',
      Default: input.threshold,
      MinValue: 0,
      MaxValue: 1,
    },
    [NOTIFY_EMAIL]: {
      Type: 'String',
      Description:
        'Email address the failure topic notifies (AWS sends a confirmation link first); empty: none',
      Default: '',
    },
    [MODEL_DATA_URL]: {
      Type: 'String',
      Description:
        'S3 URL of the initial model artifact (model.tar.gz); empty: no model, endpoint config or endpoint (promote or the retraining loop makes them)',
      Default: '',
      AllowedPattern: '^(s3://.+)?$',
    },
    [ALGORITHM_IMAGE]: {
      Type: 'String',
      Description:
        "The built-in image-classification algorithm's image in this region (training and hosting)",
      Default: input.algorithmImage,
      MinLength: 1,
    },
    [ENDPOINT_INSTANCE_TYPE]: {
      Type: 'String',
      Description: 'Instance type of the initial endpoint',
      Default: input.endpointInstanceType,
      AllowedPattern: '^ml\\..+',
    },
  };
}

export const TEMPLATE_CONDITIONS = {
  [HAS_NOTIFY_EMAIL]: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: NOTIFY_EMAIL }, ''] }] },
  [CREATES_ENDPOINT]: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: MODEL_DATA_URL }, ''] }] },
};
