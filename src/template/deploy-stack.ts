/**
 * `deployStack`: the stage's template deployed through a CloudFormation change set, the way a
 * pipeline ships it. Parameter values are refused before anything exists; the bundles and the
 * template go to the code bucket (code-bucket.ts); a change set (CREATE for a new stack, UPDATE
 * otherwise) is created and waited for; `plan` prints its changes and deletes it (and the empty
 * stack a CREATE change set makes); otherwise it is executed and the stack waited for. A failed
 * operation is reported with its first failing resource and reason, and how to retry.
 */
import {
  type CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  ExecuteChangeSetCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { createCloudFormationClient } from '../aws/clients.ts';
import type { KitConfig, Service } from '../config.ts';
import { type BundleInfo, buildBundles, KIT_ROOT, type LambdaArchitecture } from '../deploy/bundle.ts';
import { changeLines, isNothingToChange } from './change-report.ts';
import { uploadStackCode } from './code-bucket.ts';
import { BUNDLE_KEYS, CODE_BUCKET, codeKeyParameter } from './parameters.ts';
import { whatFailed, whyChangeSetFailed } from './stack-failure.ts';
import { keptParameters, StackInputError, stackParameters } from './stack-input.ts';
import { stackTarget } from './stack-target.ts';
import {
  deleteStackAndWait,
  describeStack,
  POLL_DEFAULTS,
  type PollSettings,
  waitForChangeSet,
  waitForStack,
} from './stack-wait.ts';
import { generateTemplate } from './template.ts';
import type { CfnTemplate } from './types.ts';

export interface DeployStackOptions {
  /** Target, stage (the stack is `scones-<stage>`), region, the stage's bucket. */
  config: KitConfig;
  /** Prebuilt bundles; built into `<kit>/.scones/bundles/<arch>` when omitted. */
  bundles?: BundleInfo[];
  arch?: LambdaArchitecture;
  /** Local targets: the endpoints the Lambdas use (as deploy's `lambdaEndpoints`). */
  lambdaEndpoints?: Partial<Record<Service, string>>;
  /**
   * The template to deploy (`--template FILE`: one `scones template` wrote and a pipeline or a
   * reviewer kept); generated for the config's stage and target when omitted.
   */
  template?: CfnTemplate;
  /** Values of the template's parameters (Threshold, NotifyEmail, ModelDataUrl...); not the code's. */
  parameters?: Record<string, string>;
  /** Print the change set's changes and delete it: nothing is executed. */
  plan?: boolean;
  log?: (line: string) => void;
  poll?: Partial<PollSettings>;
}

export interface StackDeployResult {
  stackName: string;
  changeSetType: 'CREATE' | 'UPDATE';
  /** The change set's lines (changeLines); empty when there was nothing to change. */
  changes: string[];
  /** False when the change set had no changes (nothing was executed). */
  changed: boolean;
  planned: boolean;
  /** The stack's outputs after the deployment (none for a plan of a new stack). */
  outputs: Record<string, string>;
  /** The stack's parameter values after the deployment (before it, for a plan). */
  parameters: Record<string, string>;
  /** Whether the target's CloudFormation has SageMaker's resource types (not MiniStack's). */
  hostsSageMaker: boolean;
}

/** A change set that could not be created (other than an empty one): nothing was changed. */
export class ChangeSetFailed extends Error {
  override name = 'ChangeSetFailed';
}

/** The stack's operation failed and was rolled back (or could not be). */
export class StackDeployFailed extends Error {
  override name = 'StackDeployFailed';
}

/** Another operation is running on the stack; CloudFormation refuses a second one. */
export class StackBusyError extends Error {
  override name = 'StackBusyError';
}

const FAILED = /ROLLBACK_COMPLETE$|_FAILED$/;
const CODE_PARAMETERS = new Set<string>([CODE_BUCKET, ...BUNDLE_KEYS.map(codeKeyParameter)]);

export const outputsOf = (stack: Stack | undefined): Record<string, string> =>
  Object.fromEntries(
    (stack?.Outputs ?? []).flatMap((output) =>
      output.OutputKey && output.OutputValue !== undefined ? [[output.OutputKey, output.OutputValue]] : [],
    ),
  );

const parametersOf = (stack: Stack | undefined): Record<string, string> =>
  Object.fromEntries(
    (stack?.Parameters ?? []).flatMap((parameter) =>
      parameter.ParameterKey && parameter.ParameterValue !== undefined
        ? [[parameter.ParameterKey, parameter.ParameterValue]]
        : [],
    ),
  );

/** What a deployment ends with, read from the stack (or, when nothing ran, the stack as it was). */
const stateOf = (stack: Stack | undefined) => ({
  outputs: outputsOf(stack),
  parameters: parametersOf(stack),
});

/** Checks the given values (code parameters are the deployer's own) before anything is uploaded. */
function checkedValues(
  options: DeployStackOptions,
  template: CfnTemplate,
  hostsSageMaker: boolean,
): Record<string, string> {
  const values = options.parameters ?? {};
  const own = Object.keys(values).filter((name) => CODE_PARAMETERS.has(name));
  if (own.length > 0) {
    throw new StackInputError(
      `Nothing was deployed: ${own.join(', ')} ${own.length === 1 ? 'is' : 'are'} set by the deployer (the uploaded bundles), not given`,
    );
  }
  const placeholders = Object.fromEntries([...CODE_PARAMETERS].map((name) => [name, 'set-by-upload']));
  stackParameters({ template, values: { ...placeholders, ...values }, hostsSageMaker });
  return values;
}

const nothingChanged = (type: 'CREATE' | 'UPDATE') =>
  `Nothing was changed${type === 'UPDATE' ? ': the stack is as it was' : ''}; fix the cause and deploy again`;

async function deleteChangeSet(cfn: CloudFormationClient, stackName: string, changeSetName: string) {
  await cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }));
}

/** A CREATE change set leaves a stack in REVIEW_IN_PROGRESS; with the change set gone, so goes it. */
async function deleteReviewStack(cfn: CloudFormationClient, stackName: string, settings: PollSettings) {
  const stack = await describeStack(cfn, stackName);
  if (stack?.StackStatus !== 'REVIEW_IN_PROGRESS') return;
  await deleteStackAndWait(cfn, stack, { log: () => {}, settings });
}

/** The existing stack and the change set type; a stack a failed creation left empty is deleted first. */
async function currentStack(
  cfn: CloudFormationClient,
  stackName: string,
  log: (line: string) => void,
  settings: PollSettings,
) {
  const stack = await describeStack(cfn, stackName);
  const status = stack?.StackStatus ?? '';
  if (stack && status === 'ROLLBACK_COMPLETE') {
    // A creation that failed: nothing is left in it, and CloudFormation can only delete it.
    log(`deleting ${stackName}: its creation had failed (ROLLBACK_COMPLETE), no resource is left in it`);
    await deleteStackAndWait(cfn, stack, { log, settings });
    return { stack: undefined, type: 'CREATE' as const };
  }
  if (status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS') {
    throw new StackBusyError(
      `Stack ${stackName} is ${status}: wait until that operation ends, then deploy again`,
    );
  }
  const exists = stack !== undefined && status !== 'REVIEW_IN_PROGRESS';
  return { stack: exists ? stack : undefined, type: exists ? ('UPDATE' as const) : ('CREATE' as const) };
}

export async function deployStack(options: DeployStackOptions): Promise<StackDeployResult> {
  const { config } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const settings = { ...POLL_DEFAULTS, ...options.poll };
  const arch = options.arch ?? 'x86_64';
  const template =
    options.template ??
    generateTemplate({
      config,
      arch,
      ...(options.lambdaEndpoints ? { lambdaEndpoints: options.lambdaEndpoints } : {}),
    });
  const target = await stackTarget(config);
  const values = checkedValues(options, template, target.hostsSageMaker);
  const { stackName } = target;

  let bundles = options.bundles;
  if (!bundles) {
    log(`building Lambda bundles (${arch})`);
    bundles = await buildBundles({ arch, outDir: `${KIT_ROOT}/.scones/bundles/${arch}` });
  }
  const code = await uploadStackCode(target.code, bundles, template);
  log(`code bucket ${target.code.bucket}: ${code.uploaded.length} new object(s)`);
  const given = { ...code.parameters, ...values };
  const parameters = stackParameters({ template, values: given, hostsSageMaker: target.hostsSageMaker });

  const cfn = createCloudFormationClient(config);
  const { stack: existing, type } = await currentStack(cfn, stackName, log, settings);
  const previous = (existing?.Parameters ?? []).flatMap((parameter) => parameter.ParameterKey ?? []);
  const kept = keptParameters(template, given, previous);
  if (kept.length > 0)
    log(`keeping the stack's ${kept.map((parameter) => parameter.ParameterKey).join(', ')}`);
  const changeSetName = `scones-${Date.now()}`;
  log(`${options.plan ? 'planning' : 'deploying'} stack ${stackName} (${type} change set ${changeSetName})`);
  try {
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: stackName,
        ChangeSetName: changeSetName,
        ChangeSetType: type,
        TemplateURL: code.templateUrl,
        Parameters: [...parameters, ...kept],
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        Description: `scones deploy --via cloudformation, stage ${config.stage}`,
      }),
    );
  } catch (error) {
    // CloudFormation refuses a template it cannot read (a resource type it lacks, a bad
    // reference) at once, with a ValidationError: no change set exists, the stack is untouched.
    if ((error as Error).name !== 'ValidationError') throw error;
    throw new ChangeSetFailed(
      `CloudFormation refused the change set of ${stackName}: ${(error as Error).message}. ${nothingChanged(type)}`,
    );
  }
  const changeSet = await waitForChangeSet(cfn, stackName, changeSetName, settings);
  const result = {
    stackName,
    changeSetType: type,
    planned: Boolean(options.plan),
    hostsSageMaker: target.hostsSageMaker,
  };

  if (changeSet.Status === 'FAILED') {
    const why = isNothingToChange(changeSet.StatusReason) ? '' : await whyChangeSetFailed(cfn, changeSet);
    await deleteChangeSet(cfn, stackName, changeSetName);
    if (type === 'CREATE') await deleteReviewStack(cfn, stackName, settings);
    if (isNothingToChange(changeSet.StatusReason)) {
      log('nothing to change: the stack already has this template and these parameters');
      return { ...result, changes: [], changed: false, ...stateOf(existing) };
    }
    throw new ChangeSetFailed(
      `Change set ${changeSetName} of ${stackName} failed: ${why}. ${nothingChanged(type)}`,
    );
  }

  const changes = changeLines(changeSet.Changes);
  for (const line of changes) log(line);
  if (options.plan) {
    await deleteChangeSet(cfn, stackName, changeSetName);
    if (type === 'CREATE') await deleteReviewStack(cfn, stackName, settings);
    log(`plan only: change set deleted, nothing executed (${changes.length} change(s))`);
    return { ...result, changes, changed: changes.length > 0, ...stateOf(existing) };
  }

  const since = changeSet.CreationTime ?? new Date();
  await cfn.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }));
  const stack = await waitForStack(cfn, stackName, { since, log, settings });
  const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
  if (!stack || FAILED.test(status)) {
    const what = await whatFailed(cfn, stackName, since, stack);
    const retry =
      type === 'UPDATE'
        ? 'The stack was rolled back to what it was before this deploy; fix the cause and run the deploy again'
        : 'Nothing of the new stack was kept; fix the cause and run the deploy again (it deletes the failed stack first)';
    throw new StackDeployFailed(`Stack ${stackName} ended ${status}: ${what}. ${retry}`);
  }
  log(`stack ${stackName}: ${status}`);
  return { ...result, changes, changed: true, ...stateOf(stack) };
}
