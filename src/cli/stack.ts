/**
 * `scones deploy --via cloudformation` and `scones teardown --via cloudformation`: the stage's
 * template (src/template/) deployed through a change set, or its stack deleted. The SDK path
 * (`--via sdk`, the default) is src/deploy/ and src/promote/'s teardown, untouched by this.
 */
import type { PromoteOptions } from '../promote/index.ts';
import { validateStage } from '../promote/options.ts';
import { deploymentConfig } from '../targets/index.ts';
import { deleteStack, deployStack, readTemplateFile } from '../template/index.ts';
import { confirmOnTerminal } from './commands.ts';
import { log } from './log.ts';
import { templateBucket } from './template.ts';

/** Where CloudFormation is: AWS, or MiniStack (the other local targets have none that applies updates). */
export const STACK_TARGETS = ['emulator', 'aws'];

export class StackCommandError extends Error {
  override name = 'StackCommandError';
}

function refuseTarget(target: string) {
  if (!STACK_TARGETS.includes(target)) {
    throw new StackCommandError(
      `--via cloudformation deploys to ${STACK_TARGETS.join(' or ')}, not ${target} (LocalStack's and moto's CloudFormation report updates that did nothing: docs/cloudformation.md)`,
    );
  }
}

/** `Key=Value` of `--parameter`, collected into the template's parameter values. */
export function parseParameters(pairs: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new StackCommandError(`--parameter takes Key=Value; got "${pair}"`);
    values[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return values;
}

function stackConfig(target: string, options: { stage?: string; region?: string; profile?: string }) {
  refuseTarget(target);
  const stage = validateStage(options.stage ?? process.env.SCONES_STAGE ?? 'dev');
  // The credential chain reads AWS_PROFILE: setting it is how --profile reaches every client.
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  const env = {
    ...process.env,
    SCONES_STAGE: stage,
    ...(options.region ? { AWS_REGION: options.region } : {}),
  };
  const config = deploymentConfig(target, env);
  return { ...config, bucket: templateBucket(target, stage, config.bucket) };
}

export async function stackDeployCommand(options: {
  target: string;
  plan?: boolean;
  arch: 'x86_64' | 'arm64';
  functions?: boolean;
  parameter?: string[];
  template?: string;
}) {
  if (options.functions === false) {
    throw new StackCommandError('--no-functions is for the SDK path: the template always has the functions');
  }
  const config = stackConfig(options.target, {});
  const template = options.template ? await readTemplateFile(options.template, config) : undefined;
  const result = await deployStack({
    config,
    ...(template ? { template } : {}),
    arch: options.arch,
    parameters: parseParameters(options.parameter ?? []),
    ...(options.plan ? { plan: true } : {}),
    log,
  });
  if (result.planned || !result.changed) return;
  for (const [key, value] of Object.entries(result.outputs)) log(`${key}: ${value}`);
}

export async function stackTeardownCommand(options: {
  target: string;
  stage?: string;
  region?: string;
  profile?: string;
  keepData?: boolean;
  plan?: boolean;
}) {
  if (options.keepData || options.plan) {
    throw new StackCommandError(
      `${options.keepData ? '--keep-data' : '--plan'} is for the SDK teardown: the stack owns the stage's bucket and deletes it with everything else`,
    );
  }
  const config = stackConfig(options.target, options);
  await deleteStack({ config, log });
}

/**
 * `scones promote --via cloudformation`: the stage's stack, then the runs (staging, training), the
 * endpoint through a second change set, the smoke execution (src/promote/stack/).
 */
export async function promoteCommand(
  options: Omit<PromoteOptions, 'bundles'> & {
    plan?: boolean;
    yes?: boolean;
    bundles?: string;
    parameter?: string[];
  },
) {
  const { plan, yes, bundles: bundlesDir, parameter, ...rest } = options;
  if (rest.target !== undefined && rest.target !== 'aws') {
    throw new StackCommandError(
      `promote --via cloudformation promotes to aws, not ${rest.target}: a running scones up has no CloudFormation (deploy --via cloudformation --target emulator is the local stack)`,
    );
  }
  const { promoteViaStack } = await import('../promote/index.ts');
  const bundles = bundlesDir
    ? await (await import('../deploy/index.ts')).readBundles(bundlesDir, rest.arch ?? 'x86_64')
    : undefined;
  const result = await promoteViaStack(
    { ...rest, ...(bundles ? { bundles } : {}), parameters: parseParameters(parameter ?? []) },
    {
      ...(plan ? { plan: true } : {}),
      ...(yes ? { yes: true } : { confirm: () => confirmOnTerminal('Apply this plan? [y/N] ') }),
    },
  );
  if (!result.applied && !plan)
    log('not applied: nothing was changed (pass --yes to apply without a prompt)');
  for (const [key, value] of Object.entries(result.outputs)) log(`${key}: ${value}`);
}
