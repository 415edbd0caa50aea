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
import { registerAwsCommands } from './aws-commands.ts';
import { lazyAction } from './lazy-action.ts';
import { registerLoadCommand } from './load.ts';
import { registerModelCommands } from './models-commands.ts';
import { registerMonitorCommand } from './monitor.ts';
import {
  DEFAULT_REVIEW_PORT,
  intOption,
  numberOption,
  parseBatchConcurrency,
  parseFailurePercentage,
  parseThresholdOption,
  TEST_CASE_TARGETS,
} from './options.ts';

const commands = () => import('./commands.ts');

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

registerAwsCommands(program);

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
