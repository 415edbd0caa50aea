/**
 * Registry of SageMaker's built-in image-classification algorithm (MXNet, version 1) per region.
 *
 * Source: the registry accounts AWS publishes for `image-classification` version "1" in the
 * SageMaker Python SDK's `src/sagemaker/image_uri_config/image-classification.json`
 * (github.com/aws/sagemaker-python-sdk) and the "Docker Registry Paths and Example Code" pages of
 * the SageMaker developer guide (docs.aws.amazon.com/sagemaker/latest/dg-ecr-paths/). Checked
 * 2026-11-26. The same image serves training and inference.
 */

export const ALGORITHM_REPOSITORY = 'image-classification';
export const ALGORITHM_VERSION = '1';

export const IMAGE_CLASSIFICATION_REGISTRIES: Readonly<Record<string, string>> = {
  'ap-east-1': '286214385809',
  'ap-northeast-1': '501404015308',
  'ap-northeast-2': '306986355934',
  'ap-south-1': '991648021394',
  'ap-southeast-1': '475088953585',
  'ap-southeast-2': '544295431143',
  'ca-central-1': '469771592824',
  'cn-north-1': '390948362332',
  'cn-northwest-1': '387376663083',
  'eu-central-1': '813361260812',
  'eu-north-1': '669576153137',
  'eu-west-1': '685385470294',
  'eu-west-2': '644912444149',
  'eu-west-3': '749696950732',
  'me-south-1': '249704162688',
  'sa-east-1': '855470959533',
  'us-east-1': '811284229777',
  'us-east-2': '825641698319',
  'us-gov-west-1': '226302683700',
  'us-west-1': '632365934929',
  'us-west-2': '433757028032',
};

export class UnsupportedRegionError extends Error {
  override name = 'UnsupportedRegionError';
}

export function algorithmImageUri(region: string): string {
  const account = IMAGE_CLASSIFICATION_REGISTRIES[region];
  if (!account) {
    throw new UnsupportedRegionError(
      `No image-classification algorithm registry is known for region "${region}"; ` +
        `supported: ${Object.keys(IMAGE_CLASSIFICATION_REGISTRIES).join(', ')}`,
    );
  }
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${domain}/${ALGORITHM_REPOSITORY}:${ALGORITHM_VERSION}`;
}
