/**
 * The commands that build, deploy, promote and tear down outside the embedded tier: `build`,
 * `deploy`, `template`, `promote`, `teardown` (the SDK path, or the stage's CloudFormation stack
 * with `--via cloudformation`). Registered from main.ts; each action imports its module when run.
 */
import { type Command, Option } from 'commander';
import { lazyAction } from './lazy-action.ts';
import { DEPLOY_TARGETS, intOption, numberOption, PROMOTE_TARGETS } from './options.ts';

const commands = () => import('./commands.ts');

/** The SDK path has no template: a `--parameter` there is a mistake, not something to ignore. */
const refuseParameters = (parameters: string[]) => {
  if (parameters.length > 0)
    throw new Error('--parameter is for --via cloudformation (the SDK path has no template)');
  return {};
};
const stack = () => import('./stack.ts');

/** The SDK path (the kit's own API calls, the default) or the stage's CloudFormation stack. */
const viaOption = () =>
  new Option(
    '--via <how>',
    'sdk: the AWS APIs directly; cloudformation: the stage template through a change set (emulator or aws; docs/cloudformation.md)',
  )
    .choices(['sdk', 'cloudformation'])
    .default('sdk');

/** `--parameter Key=Value`, repeatable: a value of the stage template's parameters. */
const parameterOption = () =>
  new Option(
    '--parameter <Key=Value>',
    '--via cloudformation: a template parameter (Threshold, NotifyEmail, ModelDataUrl...), repeatable',
  )
    .argParser((pair: string, pairs: string[] = []) => [...pairs, pair])
    .default([]);

export function registerAwsCommands(program: Command): void {
  program
    .command('build')
    .description('build one zip per Lambda (esbuild, nodejs22.x, sharp for the Lambda architecture)')
    .addOption(
      new Option('--arch <arch>', 'Lambda architecture').choices(['x86_64', 'arm64']).default('x86_64'),
    )
    .option('--out <dir>', 'output folder', 'dist/lambdas')
    .action(lazyAction(commands, 'buildCommand'));

  program
    .command('deploy')
    .description(
      'deploy bucket, roles, Lambdas and state machine through the AWS APIs (--via cloudformation: the stage template through a change set)',
    )
    .addOption(
      new Option('--target <target>', 'where to deploy').choices(DEPLOY_TARGETS).makeOptionMandatory(),
    )
    .addOption(
      new Option('--arch <arch>', 'Lambda architecture').choices(['x86_64', 'arm64']).default('x86_64'),
    )
    .option(
      '--plan',
      'only report what would change (--via cloudformation: print the change set, then delete it)',
    )
    .option(
      '--no-functions',
      'skip the Lambda functions (an emulator that cannot run them: LocalStack without Docker)',
    )
    .addOption(viaOption())
    .addOption(parameterOption())
    .option(
      '--template <file>',
      '--via cloudformation: deploy this template (written by scones template for the same stage and target) instead of generating it',
    )
    .action(async ({ via, parameter, template, ...options }) => {
      if (via === 'cloudformation')
        return (await stack()).stackDeployCommand({ ...options, parameter, template });
      if (template || parameter.length > 0)
        throw new Error(
          '--template and --parameter are for --via cloudformation (the SDK deploy has no template)',
        );
      return (await commands()).deployCommand(options);
    });

  program
    .command('template')
    .description(
      "print the stage's CloudFormation template (JSON): bucket, roles, Lambdas, state machines, rules, topic, alarms, SageMaker hosting; docs/cloudformation.md",
    )
    .option('--stage <stage>', 'stage name, in every resource name and tag (default dev)')
    .addOption(
      new Option('--target <target>', 'aws, or an emulator (its endpoints go into the Lambdas)')
        .choices(['aws', ...DEPLOY_TARGETS.filter((name) => name !== 'aws')])
        .default('aws'),
    )
    .option('--bucket <name>', "the stage's bucket (aws default: scones-<stage>-<account>-<region>)")
    .addOption(
      new Option('--arch <arch>', 'Lambda architecture of the bundles')
        .choices(['x86_64', 'arm64'])
        .default('x86_64'),
    )
    .option('--out <file>', 'write the template to this file instead of stdout')
    .action(lazyAction(() => import('./template.ts'), 'templateCommand'));

  /** Where promote and teardown act: an AWS account (default) or a running `scones up`. */
  const targetOption = () =>
    new Option('--target <target>', 'aws, or local: a running scones up (nothing reaches AWS)')
      .choices(PROMOTE_TARGETS)
      .default('aws');
  const ENDPOINT_URL_HELP =
    "--target local: the running scones up's URL (default: the AWS_ENDPOINT_URL* lines it prints)";

  program
    .command('promote')
    .description(
      'promote to AWS: stage, train on SageMaker (GPU), endpoint with data capture, Lambdas, state machine; --target local: the same steps against a running scones up',
    )
    .option('--plan', 'print every action and the cost estimate; change nothing')
    .option('--yes', 'apply without asking')
    .addOption(targetOption())
    .option('--endpoint-url <url>', ENDPOINT_URL_HELP)
    .option('--stage <stage>', 'stage name, in every resource name and tag')
    .option('--region <region>', 'AWS region (else AWS_REGION or the profile)')
    .option('--profile <profile>', 'named AWS profile')
    .option('--bucket <bucket>', 'bucket for data, model artifacts, review items, captured traffic')
    .option('--endpoint-name <name>', 'SageMaker endpoint name')
    .option('--instance-type <type>', 'training instance type', undefined)
    .option('--epochs <n>', 'training epochs', intOption)
    .option('--tune', 'hyperparameter tuning job instead of one training job')
    .option('--max-tuning-jobs <n>', 'tuning: training jobs in all', intOption)
    .option('--serverless', 'serverless endpoint (no data capture) instead of a real-time instance')
    .option('--endpoint-instance-type <type>', 'real-time endpoint instance type')
    .option('--capture-sampling <percent>', 'data capture sampling percentage', numberOption)
    .option(
      '--bundles <dir>',
      'Lambda zips built before (scones build --out DIR) instead of building them now',
    )
    .option(
      '--notify-email <address>',
      'email subscription to the failure topic (confirm the link AWS sends)',
    )
    .option(
      '--alarm-low-confidence <share>',
      'alarm above this share of low-confidence decisions (0.4)',
      numberOption,
    )
    .option('--alarm-period <minutes>', 'minutes per alarm evaluation window (5)', intOption)
    .option('--alarm-failures <n>', 'failed executions per window that raise a failure alarm (1)', intOption)
    .addOption(viaOption())
    .addOption(parameterOption())
    .action(
      async ({
        via,
        parameter,
        instanceType,
        maxTuningJobs,
        captureSampling,
        alarmLowConfidence,
        alarmPeriod,
        alarmFailures,
        ...options
      }) =>
        (await (via === 'cloudformation' ? stack() : commands())).promoteCommand({
          ...options,
          ...(via === 'cloudformation' ? { parameter } : refuseParameters(parameter)),
          ...(instanceType ? { trainingInstanceType: instanceType } : {}),
          ...(maxTuningJobs ? { maxTuningJobs } : {}),
          ...(captureSampling !== undefined ? { captureSamplingPercentage: captureSampling } : {}),
          ...(alarmLowConfidence !== undefined ? { alarmLowConfidenceShare: alarmLowConfidence } : {}),
          ...(alarmPeriod !== undefined ? { alarmPeriodMinutes: alarmPeriod } : {}),
          ...(alarmFailures !== undefined ? { alarmFailures } : {}),
        }),
    );

  program
    .command('teardown')
    .description(
      'delete everything the kit created in a stage on AWS (by tag), the endpoint first; --target local: what promote made in a running scones up; --via cloudformation: the stage stack, its bucket emptied first, then its code bucket',
    )
    .addOption(
      new Option(
        '--target <target>',
        'aws, or local: a running scones up (nothing reaches AWS); --via cloudformation: aws or emulator',
      )
        .choices([...PROMOTE_TARGETS, 'emulator'])
        .default('aws'),
    )
    .option('--endpoint-url <url>', ENDPOINT_URL_HELP)
    .option('--stage <stage>', 'stage name')
    .option('--region <region>', 'AWS region')
    .option('--profile <profile>', 'named AWS profile')
    .option('--keep-data', 'keep the bucket and its objects')
    .option('--plan', 'only report what would be deleted')
    .addOption(viaOption())
    .action(async ({ via, ...options }) => {
      if (via === 'cloudformation') return (await stack()).stackTeardownCommand(options);
      if (options.target === 'emulator')
        throw new Error(
          '--target emulator is for --via cloudformation (the SDK teardown acts on aws or local)',
        );
      return (await commands()).teardownCommand(options);
    });
}
