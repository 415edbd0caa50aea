/**
 * The built-in image-classification algorithm's image, as the SageMaker Python SDK v2's
 * `image_uris.retrieve("image-classification", region)` returns it:
 * `<registry account>.dkr.ecr.<region>.<partition DNS suffix>/image-classification:1`.
 *
 * Data, not code: the registry account per region is the `versions["1"].registries` table of the
 * SDK's `src/sagemaker/image_uri_config/image-classification.json` (aws/sagemaker-python-sdk,
 * branch master-v2, read 2026-12); the DNS suffix per partition is botocore's endpoint data for
 * ECR. The same image serves training and inference.
 */

export const ALGORITHM_REPOSITORY = 'image-classification';

export const IMAGE_CLASSIFICATION_REGISTRIES: Readonly<Record<string, string>> = {
  'af-south-1': '455444449433',
  'ap-east-1': '286214385809',
  'ap-northeast-1': '501404015308',
  'ap-northeast-2': '306986355934',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '991648021394',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '475088953585',
  'ap-southeast-2': '544295431143',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '469771592824',
  'ca-west-1': '190319476487',
  'cn-north-1': '390948362332',
  'cn-northwest-1': '387376663083',
  'eu-central-1': '813361260812',
  'eu-central-2': '680994064768',
  'eu-north-1': '669576153137',
  'eu-south-1': '257386234256',
  'eu-south-2': '104374241257',
  'eu-west-1': '685385470294',
  'eu-west-2': '644912444149',
  'eu-west-3': '749696950732',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '249704162688',
  'sa-east-1': '855470959533',
  'us-east-1': '811284229777',
  'us-east-2': '825641698319',
  'us-gov-east-1': '237065988967',
  'us-gov-west-1': '226302683700',
  'us-iso-east-1': '490574956308',
  'us-isob-east-1': '765400339828',
  'us-isof-east-1': '108575199400',
  'us-isof-south-1': '124985052026',
  'us-west-1': '632365934929',
  'us-west-2': '433757028032',
};

/** DNS suffix of ECR in the region's partition (botocore: aws, aws-cn, aws-us-gov, aws-iso*). */
export function dnsSuffix(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-isof-')) return 'csp.hci.ic.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  return 'amazonaws.com';
}

/** The URI the SDK retrieves for `region`; undefined where the algorithm is not published. */
export function imageClassificationUri(region: string): string | undefined {
  const account = IMAGE_CLASSIFICATION_REGISTRIES[region];
  return account && `${account}.dkr.ecr.${region}.${dnsSuffix(region)}/${ALGORITHM_REPOSITORY}:1`;
}

const IMAGE_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.([a-z0-9.]+)\/image-classification(?::(1|latest))?$/;

/**
 * The region whose image-classification image `uri` is (the `:1` tag the SDK gives, `:latest`
 * that older notebooks used, or no tag), or undefined for any other image.
 */
export function algorithmImageRegion(uri: string): string | undefined {
  const match = IMAGE_URI.exec(uri.trim());
  if (!match) return undefined;
  const [, account, region, suffix] = match as unknown as [string, string, string, string];
  return IMAGE_CLASSIFICATION_REGISTRIES[region] === account && dnsSuffix(region) === suffix
    ? region
    : undefined;
}

/** What the local SageMaker runs, for the ValidationException on any other image. */
export function unsupportedImageMessage(what: string, uri: string, region: string): string {
  return (
    `${what} ${JSON.stringify(uri)} is not an image the local SageMaker can run. It runs the built-in ` +
    `image-classification algorithm only: the image sagemaker.image_uris.retrieve("image-classification", ` +
    `region) returns, e.g. ${imageClassificationUri(region) ?? imageClassificationUri('us-east-1')}.`
  );
}
