/**
 * `scones`: the kit's command line. Each command is a thin layer over a module that the tests
 * exercise directly; this file registers the commands (names, options, help) and parses them.
 *
 * Start-up: registering must stay cheap, so this file and the `register...Command` modules import
 * commander and light modules only (options.ts); each action imports its command's module when
 * that command runs (lazyAction). test/cli/startup.test.ts guards it.
 */
import { Command, Option } from 'commander';
import { TARGETS } from '../config.ts';
import { DEFAULT_DATA_DIR } from '../embedded/shared/index.ts';
import { DEFAULT_UP_PORT } from '../up/default-port.ts';
import { lazyAction } from './lazy-action.ts';
import { registerLoadCommand } from './load.ts';
import { registerModelCommands } from './models-commands.ts';
import { registerMonitorCommand } from './monitor.ts';
import {
  DEFAULT_REVIEW_PORT,
  DEPLOY_TARGETS,
  intOption,
  numberOption,
  PROMOTE_TARGETS,
  parseBatchConcurrency,
  parseFailurePercentage,
  parseThresholdOption,
  TEST_CASE_TARGETS,
} from './options.ts';

const commands = () => import('./commands.ts');
const stack = () => import('./stack.ts');

/** The SDK path (the kit's own API calls, the default) or the stage's CloudFormation stack. */
const viaOption = () =>
  new Option(
    '--via <how>',
    'sdk: the AWS APIs directly; cloudformation: the stage template through a change set (emulator or aws; docs/cloudformation.md)',
  )
    .choices(['sdk', 'cloudformation'])
    .default('sdk');

const program = new Command('scones')
  .description('Local-first kit for the Scones Unlimited image-classification workflow')
  .showHelpAfterError();

program
  .command('demo')
  .description(
    'stage the shipped CIFAR-100 data, train the model (first run), run the workflow for the 200 test images',
  )
  .option('--json', 'one JSON object per image on stdout')
  .option('--stub', 'use the deterministic stub endpoint instead of the locally trained model')
  .option('--threshold <p>', 'confidence threshold for automatic routing', parseThresholdOption)
  .option('--limit <n>', 'run only the first n test images', (v) => Number.parseInt(v, 10))
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
  .option('--graph <dir>', 'write a picture of each execution path (PNG) into this folder')
  .option('--verbose', "also print the Lambdas' JSON log and metric lines to stderr")
  .action(lazyAction(() => import('./demo.ts'), 'demoCommand'));

program
  .command('classify')
  .description(
    'run the workflow for images: local files or s3://bucket/key; or one s3://bucket/prefix/ for every image under it, as one batch',
  )
  .argument('<images...>', 'image files or s3:// URIs, or one prefix URI ending in /')
  .addOption(
    new Option('--target <target>', 'where the workflow runs')
      .choices([...TARGETS, 'compose'])
      .default('embedded'),
  )
  .option('--json', 'one JSON object per image on stdout')
  .option('--stub', 'embedded: use the stub endpoint instead of the locally trained model')
  .option('--threshold <p>', 'confidence threshold for automatic routing', parseThresholdOption)
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
  .option('--graph <dir>', 'write a picture of each execution path (PNG) into this folder')
  .option('--verbose', "embedded: also print the Lambdas' JSON log and metric lines to stderr")
  .option('--max-concurrency <n>', 'prefix: images classified at once (default 40)', parseBatchConcurrency)
  .option(
    '--tolerated-failure-percentage <p>',
    'prefix: share of failed images (0-100) the batch still succeeds with (default 0)',
    parseFailurePercentage,
  )
  .action(lazyAction(() => import('./classify.ts'), 'classifyCommand'));

program
  .command('retrain')
  .description(
    'retrain the classifier from the reviewed labels (statemachine/model-retraining.asl.json): train, evaluate against the model in service, gate, register, deploy; waits and prints the outcome',
  )
  .option(
    '--json',
    'one JSON line: outcome (promoted, rejected, rolled-back, failed), candidate, in_service, ...',
  )
  .option('--epochs <n>', "training epochs (default 30, the notebook's)", intOption)
  .option('--mini-batch-size <n>', 'training mini-batch size (default 32)', intOption)
  .option('--learning-rate <x>', 'training learning rate (default 0.1)', numberOption)
  .option(
    '--clean-margin <x>',
    'the gate: accuracy the candidate may lose on the clean test split (default 0.01)',
    numberOption,
  )
  .option(
    '--evaluation-share <x>',
    'share of reviewed images held out for evaluation (default 0.2)',
    numberOption,
  )
  .option(
    '--tune',
    'train with a hyperparameter tuning job (learning rate, mini-batch size) instead of one job',
  )
  .option('--tuning-jobs <n>', 'with --tune: training jobs of the tuning job (default 4)', intOption)
  .option(
    '--canary-percent <n>',
    "the rollout's canary: share of traffic the candidate takes first (default 10)",
    intOption,
  )
  .option(
    '--bake-seconds <n>',
    'how long the canary bakes, its rollout alarm watched, before it takes all traffic (default 300)',
    intOption,
  )
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
  .option('--endpoint-url <url>', "a running scones up's URL: retrain there instead of in this process")
  .option('--verbose', "also print the Lambdas' JSON log and metric lines to stderr")
  .action(lazyAction(() => import('./retrain.ts'), 'retrainCommand'));

program
  .command('graph')
  .description('draw the state machine (SVG, or PNG when the file name ends in .png)')
  .option('--out <file>', 'output file', 'workflow.svg')
  .addOption(
    new Option('--state-machine <name>', 'which state machine')
      .choices(['classification', 'intake', 'batch', 'retraining'])
      .default('classification'),
  )
  .action(lazyAction(() => import('./graph.ts'), 'graphCommand'));

program
  .command('stage')
  .description('stage CIFAR-100 (PNG images + .lst manifests, SageMaker layout) into S3')
  .addOption(
    new Option('--target <target>', 'where the bucket is')
      .choices([...TARGETS, 'compose'])
      .default('embedded'),
  )
  .option(
    '--source <path-or-url>',
    'a CIFAR-100 binary .bin, folder or cifar-100-binary.tar.gz (path or URL)',
  )
  .option('--prefix <prefix>', 'key prefix of the channels')
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
  .action(lazyAction(commands, 'stageCommand'));

program
  .command('train')
  .description(
    'train the classifier locally (CPU) on the staged data; writes model.tar.gz like a training job',
  )
  .option('--epochs <n>', 'training epochs', intOption)
  .option('--seed <n>', 'random seed (runs are reproducible)', intOption)
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
  .action(lazyAction(commands, 'trainCommand'));

program
  .command('serve')
  .description(
    'run the local SageMaker-compatible endpoint as its own process (PORT, PREDICTOR, MODEL_ARTIFACT, ...)',
  )
  .action(lazyAction(commands, 'serveCommand'));

program
  .command('emulator')
  .description(
    "run an AWS emulator as a host process (no Docker) until Ctrl-C: MiniStack with the kit's AWS-compatibility shims, or LocalStack",
  )
  .option('--port <port>', 'port to listen on', intOption, 4566)
  .addOption(
    new Option('--engine <engine>', 'which emulator')
      .choices(['ministack', 'localstack'])
      .default('ministack'),
  )
  .action(lazyAction(commands, 'emulatorCommand'));

program
  .command('test-cases')
  .description(
    "run the state machine's test cases (statemachine/test-cases, Step Functions Local's mock-config format); exits 1 on any unexpected outcome",
  )
  .addOption(new Option('--target <target>', 'engine').choices(TEST_CASE_TARGETS).default('embedded'))
  .option(
    '--case <name>',
    'run only this case (repeatable)',
    (name: string, names: string[]) => [...names, name],
    [],
  )
  .option('--json', 'one JSON object per case on stdout instead of the table')
  .option('--real-retry-waits', "sleep the ASL's real Retry intervals (seconds) instead of shortened ones")
  .action(lazyAction(() => import('./test-cases.ts'), 'testCasesCommand'));

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
  .addOption(new Option('--target <target>', 'where to deploy').choices(DEPLOY_TARGETS).makeOptionMandatory())
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
  .option(
    '--parameter <Key=Value>',
    '--via cloudformation: a template parameter (Threshold, NotifyEmail, ModelDataUrl...), repeatable',
    (pair: string, pairs: string[]) => [...pairs, pair],
    [],
  )
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
  .option('--bundles <dir>', 'Lambda zips built before (scones build --out DIR) instead of building them now')
  .option('--notify-email <address>', 'email subscription to the failure topic (confirm the link AWS sends)')
  .option(
    '--alarm-low-confidence <share>',
    'alarm above this share of low-confidence decisions (0.4)',
    numberOption,
  )
  .option('--alarm-period <minutes>', 'minutes per alarm evaluation window (5)', intOption)
  .option('--alarm-failures <n>', 'failed executions per window that raise a failure alarm (1)', intOption)
  .action(
    async ({
      instanceType,
      maxTuningJobs,
      captureSampling,
      alarmLowConfidence,
      alarmPeriod,
      alarmFailures,
      ...options
    }) =>
      (await commands()).promoteCommand({
        ...options,
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

program
  .command('up')
  .description(
    'the embedded tier as a local stack until Ctrl-C: S3 and Step Functions on one port; uploads under the intake prefix start executions, one line per decision',
  )
  .option(
    '--port <port>',
    'port of the local S3 and Step Functions API (0: a free one)',
    intOption,
    DEFAULT_UP_PORT,
  )
  .option('--stub', 'serve the deterministic stub endpoint instead of the trained model')
  .option(
    '--watch',
    'reload lambdas/, statemachine/ and eventrules/ when they change (for the next executions)',
  )
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
  .option('--notify-url <url>', 'also POST every failure notification (JSON) to this URL')
  .option('--intake-prefix <prefix>', 'key prefix of uploads that start executions (default incoming/)')
  .option('--verbose', "also print the Lambdas' JSON log and metric lines to stderr")
  .action(lazyAction(() => import('./up.ts'), 'upCommand'));

registerMonitorCommand(program);
registerLoadCommand(program);
registerModelCommands(program);

program
  .command('review')
  .description('the manual-review page on 127.0.0.1: label low-confidence images, write ground truth')
  .option('--port <port>', 'port to listen on (0: a free one)', intOption, DEFAULT_REVIEW_PORT)
  .addOption(
    new Option('--target <target>', 'where the bucket is')
      .choices([...TARGETS, 'compose'])
      .default('embedded'),
  )
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
  .option('--reviewer <name>', 'name recorded with each decision (default: $SCONES_REVIEWER or login)')
  .action(lazyAction(() => import('./review.ts'), 'reviewCommand'));

try {
  await program.parseAsync();
} catch (error) {
  // The command itself could not run (bad option, unreachable target): say why, exit non-zero.
  const err = error as Error;
  process.stderr.write(`scones: ${err.name === 'Error' ? '' : `${err.name}: `}${err.message}\n`);
  process.exitCode = 1;
}
