/**
 * A promotion whose smoke execution did not succeed is a failed promotion: the error says what
 * went wrong (the execution's Error and Cause, the state that failed, its console link), what was
 * left running in the account (the endpoint bills by the hour) and how to tear it down.
 */
import type { ResolvedPromoteOptions } from '../options.ts';
import type { PromotionTarget } from '../target.ts';
import type { PromotionAction } from '../types.ts';
import type { SmokeFailure } from './types.ts';

export class SmokeTestFailedError extends Error {
  override name = 'SmokeTestFailedError';
  readonly failure: SmokeFailure;
  /** What the promotion did before the smoke execution (every resource is still in place). */
  readonly actions: PromotionAction[];

  constructor(message: string, failure: SmokeFailure, actions: PromotionAction[]) {
    super(message);
    this.failure = failure;
    this.actions = actions;
  }
}

/** `scones teardown` with the options that reach this very stage, account and region. */
export function teardownCommandFor(target: PromotionTarget, profile?: string): string {
  const parts = ['scones teardown', `--stage ${target.stage}`, `--region ${target.region}`];
  if (target.kind === 'local') parts.push('--target local');
  if (profile) parts.push(`--profile ${profile}`);
  return parts.join(' ');
}

/** The resources a promotion made or found, by kind, for "what is left running". */
function leftRunning(
  actions: PromotionAction[],
  options: ResolvedPromoteOptions,
  endpointPerHourUsd: number,
  target: PromotionTarget,
): string[] {
  const inPlace = actions.filter((item) => item.change !== 'skip' && item.resourceType !== 's3 objects');
  const names = (type: PromotionAction['resourceType']) =>
    inPlace.filter((item) => item.resourceType === type).map((item) => item.name);
  const lines: string[] = [];
  for (const endpoint of names('sagemaker endpoint')) {
    if (target.kind === 'local') {
      lines.push(`sagemaker endpoint ${endpoint}: served by the local stack (not billed) until torn down`);
      continue;
    }
    lines.push(
      options.serverless
        ? `sagemaker endpoint ${endpoint}: serverless (${options.serverlessMemoryMb} MB), billed per request only`
        : `sagemaker endpoint ${endpoint}: ${options.endpointInstanceCount} x ${options.endpointInstanceType}, billed ~$${endpointPerHourUsd.toFixed(4)}/hour until torn down`,
    );
  }
  const others: [PromotionAction['resourceType'], string][] = [
    ['step functions state machine', 'step functions state machine'],
    ['lambda function', 'lambda functions'],
    ['sagemaker model', 'sagemaker model'],
    ['sagemaker endpoint config', 'sagemaker endpoint config'],
    ['iam role', 'iam roles'],
    ['s3 bucket', 's3 bucket (data, model artifacts, captured traffic)'],
  ];
  for (const [type, label] of others) {
    const found = names(type);
    if (found.length > 0) lines.push(`${label}: ${found.join(', ')}`);
  }
  return lines;
}

export function smokeFailureMessage(input: {
  failure: SmokeFailure;
  target: PromotionTarget;
  actions: PromotionAction[];
  options: ResolvedPromoteOptions;
  endpointPerHourUsd: number;
  profile?: string;
}): string {
  const { failure, target } = input;
  const lines = [
    `the smoke execution ended ${failure.status}: stage "${target.stage}" is deployed but does not classify end to end.`,
    `  Error: ${failure.error ?? '(none given)'}`,
    `  Cause: ${failure.cause ?? '(none given)'}`,
  ];
  if (failure.failedState) lines.push(`  failed in state: ${failure.failedState}`);
  lines.push(`  execution: ${failure.executionArn}`);
  if (failure.consoleUrl) lines.push(`  console: ${failure.consoleUrl}`);
  lines.push(
    `Left in account ${target.accountId}, ${target.region}:`,
    ...leftRunning(input.actions, input.options, input.endpointPerHourUsd, target).map((line) => `  ${line}`),
    'Fix the cause and run `scones promote` again (it resumes and changes only what differs), or remove it all:',
    `  ${teardownCommandFor(target, input.profile)}`,
  );
  return lines.join('\n');
}
