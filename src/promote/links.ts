/** AWS console links of what a promotion made, printed at its end; none for the local target, which has no console. */
import type { PromotionTarget } from './target.ts';
import type { PromotionAction } from './types.ts';

function consoleHost(target: PromotionTarget): string {
  if (target.partition === 'aws-cn') return `${target.region}.console.amazonaws.cn`;
  if (target.partition === 'aws-us-gov') return 'console.amazonaws-us-gov.com';
  return `${target.region}.console.aws.amazon.com`;
}

export function consoleLink(target: PromotionTarget, item: PromotionAction): string | undefined {
  if (target.kind === 'local') return undefined;
  const host = `https://${consoleHost(target)}`;
  const region = `region=${target.region}`;
  const name = encodeURIComponent(item.name);
  switch (item.resourceType) {
    case 's3 bucket':
      return `https://s3.console.aws.amazon.com/s3/buckets/${name}?${region}`;
    case 'sagemaker training job':
      return `${host}/sagemaker/home?${region}#/jobs/${name}`;
    case 'sagemaker tuning job':
      return `${host}/sagemaker/home?${region}#/hyper-tuning-jobs/${name}`;
    case 'sagemaker model':
      return `${host}/sagemaker/home?${region}#/models/${name}`;
    case 'sagemaker endpoint config':
      return `${host}/sagemaker/home?${region}#/endpointConfig/${name}`;
    case 'sagemaker endpoint':
      return `${host}/sagemaker/home?${region}#/endpoints/${name}`;
    case 'lambda function':
      return `${host}/lambda/home?${region}#/functions/${name}`;
    case 'iam role':
      return `https://console.aws.amazon.com/iam/home#/roles/details/${name}`;
    case 'step functions state machine':
      return item.arn
        ? `${host}/states/home?${region}#/statemachines/view/${encodeURIComponent(item.arn)}`
        : undefined;
    case 'step functions execution':
      return item.arn
        ? `${host}/states/home?${region}#/v2/executions/details/${encodeURIComponent(item.arn)}`
        : undefined;
    default:
      return undefined;
  }
}

export function consoleLinks(
  target: PromotionTarget,
  actions: PromotionAction[],
  capturePrefix: string,
): { name: string; url: string }[] {
  if (target.kind === 'local') return [];
  const capture = {
    name: 'captured endpoint traffic',
    url: `https://s3.console.aws.amazon.com/s3/buckets/${target.bucket}?region=${target.region}&prefix=${encodeURIComponent(capturePrefix)}`,
  };
  const links = actions.flatMap((item) => {
    const url = item.change === 'skip' ? undefined : consoleLink(target, item);
    return url ? [{ name: `${item.resourceType} ${item.name}`, url }] : [];
  });
  return [...links, capture];
}
