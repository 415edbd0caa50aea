/**
 * Which account and region a promotion or teardown acts on, decided before anything else and
 * printed first. Credentials come from the standard AWS chain (environment, shared profile, SSO,
 * instance role); none are ever stored by the kit.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createStsClient } from '../aws/clients.ts';
import { type KitConfig, loadConfig } from '../config.ts';
import { partitionOf } from '../workflow/names.ts';
import { PROMOTE_DEFAULTS, type TargetOptions, validateStage } from './options.ts';

export interface PromotionTarget {
  stage: string;
  region: string;
  accountId: string;
  partition: string;
  /** Who is acting (STS caller ARN), printed with the account. */
  callerArn: string;
  bucket: string;
  endpointName: string;
  /** Client configuration for every step: target `aws` unless tests pass an emulator config. */
  config: KitConfig;
}

export class TargetError extends Error {
  override name = 'TargetError';
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

export async function resolveTarget(options: TargetOptions): Promise<PromotionTarget> {
  const stage = validateStage(options.stage ?? process.env.SCONES_STAGE ?? PROMOTE_DEFAULTS.stage);
  // The credential chain reads AWS_PROFILE; setting it here is how --profile reaches every client.
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  const region = await resolveRegion(options);
  const base = options.config ?? loadConfig({ ...process.env, SCONES_TARGET: 'aws' });
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
  const bucket = options.bucket ?? `scones-${stage}-${identity.Account}-${region}`;
  return {
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

/** The two lines printed before any change: where, and as whom. */
export function describeTarget(target: PromotionTarget): string {
  return [
    `account ${target.accountId} (${target.callerArn})`,
    `region  ${target.region}, stage "${target.stage}", bucket ${target.bucket}`,
  ].join('\n');
}
