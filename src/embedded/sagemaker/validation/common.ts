/**
 * Shapes several operations share, with the constraints of the SageMaker API reference
 * (sagemaker-2017-07-24): resource names, tags, S3 URIs, role ARNs and the List* parameters.
 */
import { document, int, list, map, oneOf, type Shape, str, struct, timestamp } from './shapes.ts';

/** Training jobs, endpoint configs, endpoints, variants, model package groups and packages. */
export const ENTITY_NAME = str({ max: 63, pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}' });
export const TRAINING_JOB_NAME = str({ min: 1, max: 63, pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}' });
/** Models allow inner runs of hyphens too. */
export const MODEL_NAME = str({ max: 63, pattern: '^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?' });
export const TUNING_JOB_NAME = str({ min: 1, max: 32, pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}' });
/** A name or the ARN of a resource (model package groups). */
export const ARN_OR_NAME = str({
  min: 1,
  max: 170,
  pattern:
    '^(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:[a-z\\-]*\\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)$',
});
/** A name, an ARN, or either with a `/<version>` (model packages). */
export const VERSIONED_ARN_OR_NAME = str({
  min: 1,
  max: 176,
  pattern:
    '^(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:[a-z\\-]*\\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\\/[0-9]{1,9})?$',
});
export const RESOURCE_ARN = str({ max: 256, pattern: '^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:.+' });
export const ROLE_ARN = str({
  min: 20,
  max: 2048,
  pattern: '^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$',
});
export const S3_URI = str({ max: 1024, pattern: '^(https|s3)://([^/]+)/?(.*)$' });
export const KMS_KEY_ID = str({ max: 2048, pattern: '^[a-zA-Z0-9:/_-]*$' });
export const DESCRIPTION = str({ max: 1024, pattern: '[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*' });
export const ENVIRONMENT = map(
  str({ max: 1024, pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' }),
  str({ max: 1024, pattern: '^[\\S\\s]*$' }),
  { max: 100 },
);
export const IMAGE = str({ max: 255, pattern: '^[\\S]+$' });
export const MODEL_DATA_URL = S3_URI;

const TAG_TEXT = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$';
export const TAG = struct(
  { Key: str({ min: 1, max: 128, pattern: TAG_TEXT }), Value: str({ max: 256, pattern: TAG_TEXT }) },
  ['Key', 'Value'],
);
export const TAGS = list(TAG, { max: 50 });

/** Structures this service keeps and echoes without reading (VpcConfig, ExperimentConfig, ...). */
export const OPAQUE: Shape = document;

export const SORT_ORDER = oneOf(['Ascending', 'Descending']);
export const NEXT_TOKEN = str({ max: 8192, pattern: '.*' });
export const MAX_RESULTS = int({ min: 1, max: 100 });
export const NAME_CONTAINS = str({ max: 63, pattern: '^[a-zA-Z0-9\\-]+$' });

/** The members every List* operation of this service takes. */
export function listRequest(sortBy: readonly string[], more: Record<string, Shape> = {}): Shape {
  return struct({
    NextToken: NEXT_TOKEN,
    MaxResults: MAX_RESULTS,
    NameContains: NAME_CONTAINS,
    CreationTimeAfter: timestamp,
    CreationTimeBefore: timestamp,
    SortBy: oneOf(sortBy),
    SortOrder: SORT_ORDER,
    ...more,
  });
}
