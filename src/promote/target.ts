/**
 * Which account and region a promotion or teardown acts on, decided before anything else and
 * printed first. On AWS, credentials come from the standard AWS chain (environment, shared
 * profile, SSO, instance role); none are ever stored by the kit. On the local target, a running
 * `scones up` stands in for the account (local-stack.ts).
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createStsClient } from '../aws/clients.ts';
import { type KitConfig, loadConfig, SERVICES } from '../config.ts';
import { partitionOf } from '../workflow/names.ts';
import { connectLocalStack } from './local-stack.ts';
import {
  PROMOTE_DEFAULTS,
  type PromotionTargetKind,
  type TargetOptions,
  validateStage,
  validateTargetKind,
} from './options.ts';

export interface PromotionTarget {
  /** `aws`: an AWS account; `local`: a running `scones up`. */
  kind: PromotionTargetKind;
  stage: string;
  region: string;
  accountId: string;
  partition: string;
  /** Who is acting (STS caller ARN), printed with the account. */
  callerArn: string;
  bucket: string;
  endpointName: string;
  /** Local target: the stack's URL, printed with the account. */
  stackUrl?: string;
  /** Client configuration for every step: target `aws` unless tests pass an emulator config. */
  config: KitConfig;
}

export class TargetError extends Error {
  override name = 'TargetError';
}

/** The bucket a stage uses unless one is given: bucket names are global, so account and region are in it. */
export function defaultBucketName(stage: string, accountId: string, region: string): string {
  return `scones-${stage}-${accountId}-${region}`;
}

/** Region from the option, else what the SDK's own chain finds (AWS_REGION, AWS_DEFAULT_REGION, profile). */
async function resolveRegion(options: TargetOptions): Promise<string> {
  if (options.region) return options.region;
  try {
    const region = await new STSClient(options.profile ? { profile: options.profile } : {}).config.region();
    if (region) return region;
  } catch {
    // The SDK throws when no source names a region: reported below.
  }
  throw new TargetError(
    'No AWS region given: pass --region, set AWS_REGION, or use a profile (--profile) whose config names a region',
  );
}

/**
 * Local endpoints for some services only (what `scones up` exports) would send part of an AWS
 * promotion (S3, SageMaker, ...) to them and the rest (IAM, Lambda) to AWS: refused, naming the
 * way out. Every service pointed elsewhere (an emulator in tests) is a whole target, and stands.
 */
function refuseMixedEndpoints(config: KitConfig): void {
  const local = SERVICES.filter((service) => config.endpointFor(service));
  if (local.length === 0 || local.length === SERVICES.length) return;
  const toAws = SERVICES.filter((service) => !config.endpointFor(service));
  throw new TargetError(
    `Local endpoints are set for ${local.join(', ')} (AWS_ENDPOINT_URL_*) but not for ${toAws.join(', ')}: ` +
      'promoting to AWS would send part of it there and the rest to AWS. Promote to that local stack ' +
      'with --target local, or unset the AWS_ENDPOINT_URL* variables to promote to AWS.',
  );
}

async function awsTarget(options: TargetOptions, stage: string): Promise<PromotionTarget> {
  if (options.endpointUrl !== undefined)
    throw new TargetError('--endpoint-url names a local stack: pass --target local with it');
  // The credential chain reads AWS_PROFILE; setting it here is how --profile reaches every client.
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  const region = await resolveRegion(options);
  const base = options.config ?? loadConfig({ ...(options.env ?? process.env), SCONES_TARGET: 'aws' });
  if (!options.config) refuseMixedEndpoints(base);
  const endpointName = options.endpointName ?? `scones-${stage}-image-classification`;
  const probeConfig: KitConfig = { ...base, region, stage, endpointName };

  let identity: { Account?: string; Arn?: string };
  try {
    identity = await createStsClient(probeConfig).send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw new TargetError(
      `Cannot identify the AWS account (STS GetCallerIdentity failed: ${(error as Error).message}). ` +
        'Credentials come from the standard chain: environment variables, a profile (--profile or ' +
        'AWS_PROFILE, e.g. after `aws configure` or `aws sso login`), or an instance role.',
    );
  }
  if (!identity.Account) throw new TargetError('STS GetCallerIdentity returned no account id');
  const bucket = options.bucket ?? defaultBucketName(stage, identity.Account, region);
  return {
    kind: 'aws',
    stage,
    region,
    accountId: identity.Account,
    partition: partitionOf(region),
    callerArn: identity.Arn ?? 'unknown caller',
    bucket,
    endpointName,
    config: { ...probeConfig, bucket },
  };
}

async function localTarget(options: TargetOptions, stage: string): Promise<PromotionTarget> {
  const stack = await connectLocalStack(options, stage);
  const { region, endpointName } = stack.config;
  const bucket = options.bucket ?? defaultBucketName(stage, stack.accountId, region);
  return {
    kind: 'local',
    stage,
    region,
    accountId: stack.accountId,
    partition: partitionOf(region),
    callerArn: stack.callerArn,
    bucket,
    endpointName,
    stackUrl: stack.url,
    config: { ...stack.config, bucket },
  };
}

const RESOLVERS: Record<
  PromotionTargetKind,
  (options: TargetOptions, stage: string) => Promise<PromotionTarget>
> = { aws: awsTarget, local: localTarget };

export async function resolveTarget(options: TargetOptions): Promise<PromotionTarget> {
  const kind = validateTargetKind(options.target ?? 'aws');
  const env = options.env ?? process.env;
  const stage = validateStage(options.stage ?? env.SCONES_STAGE ?? PROMOTE_DEFAULTS.stage);
  return RESOLVERS[kind](options, stage);
}

/** The two lines printed before any change: where, and as whom. */
export function describeTarget(target: PromotionTarget): string {
  const where = target.stackUrl
    ? `local stack ${target.stackUrl} (scones up): account ${target.accountId} (${target.callerArn})`
    : `account ${target.accountId} (${target.callerArn})`;
  return [where, `region  ${target.region}, stage "${target.stage}", bucket ${target.bucket}`].join('\n');
}
