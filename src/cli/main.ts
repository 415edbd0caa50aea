/**
 * `scones`: the kit's command line. Each command is a thin layer over a module that the tests
 * exercise directly; this file parses options and prints.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { TARGETS } from '../config.ts';
import { DEFAULT_DATA_DIR } from '../embedded/runtime.ts';
import { classifyCommand } from './classify.ts';
import {
  buildCommand,
  deployCommand,
  emulatorCommand,
  monitorCommand,
  promoteCommand,
  serveCommand,
  stageCommand,
  teardownCommand,
  trainCommand,
} from './commands.ts';
import { demoCommand } from './demo.ts';
import { graphCommand } from './graph.ts';

function parseThresholdOption(value: string): string {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('must be a number between 0 and 1');
  return value;
}

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
  .action(demoCommand);

program
  .command('classify')
  .description('run the workflow for images: local files or s3://bucket/key')
  .argument('<images...>', 'image files or s3:// URIs')
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
  .action(classifyCommand);

program
  .command('graph')
  .description('draw the state machine (SVG, or PNG when the file name ends in .png)')
  .option('--out <file>', 'output file', 'workflow.svg')
  .action(graphCommand);

const intOption = (value: string) => {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
};
const numberOption = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
};
const deployTargets = ['emulator', 'compose', 'containers', 'aws'];

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
  .action(stageCommand);

program
  .command('train')
  .description(
    'train the classifier locally (CPU) on the staged data; writes model.tar.gz like a training job',
  )
  .option('--epochs <n>', 'training epochs', intOption)
  .option('--seed <n>', 'random seed (runs are reproducible)', intOption)
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
  .action(trainCommand);

program
  .command('serve')
  .description(
    'run the local SageMaker-compatible endpoint as its own process (PORT, PREDICTOR, MODEL_ARTIFACT, ...)',
  )
  .action(serveCommand);

program
  .command('emulator')
  .description(
    "run MiniStack (an AWS emulator, no Docker) with the kit's AWS-compatibility shims, until Ctrl-C",
  )
  .option('--port <port>', 'port to listen on', intOption, 4566)
  .action(emulatorCommand);

program
  .command('build')
  .description('build one zip per Lambda (esbuild, nodejs22.x, sharp for the Lambda architecture)')
  .addOption(
    new Option('--arch <arch>', 'Lambda architecture').choices(['x86_64', 'arm64']).default('x86_64'),
  )
  .option('--out <dir>', 'output folder', 'dist/lambdas')
  .action(buildCommand);

program
  .command('deploy')
  .description('deploy bucket, roles, Lambdas and state machine through the AWS APIs')
  .addOption(new Option('--target <target>', 'where to deploy').choices(deployTargets).makeOptionMandatory())
  .addOption(
    new Option('--arch <arch>', 'Lambda architecture').choices(['x86_64', 'arm64']).default('x86_64'),
  )
  .option('--plan', 'only report what would change')
  .action(deployCommand);

program
  .command('promote')
  .description(
    'promote to AWS: stage, train on SageMaker (GPU), endpoint with data capture, Lambdas, state machine',
  )
  .option('--plan', 'print every action and the cost estimate; change nothing')
  .option('--yes', 'apply without asking')
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
  .action(({ instanceType, maxTuningJobs, captureSampling, ...options }) =>
    promoteCommand({
      ...options,
      ...(instanceType ? { trainingInstanceType: instanceType } : {}),
      ...(maxTuningJobs ? { maxTuningJobs } : {}),
      ...(captureSampling !== undefined ? { captureSamplingPercentage: captureSampling } : {}),
    }),
  );

program
  .command('teardown')
  .description('delete everything the kit created in a stage on AWS (by tag), the endpoint first')
  .option('--stage <stage>', 'stage name')
  .option('--region <region>', 'AWS region')
  .option('--profile <profile>', 'named AWS profile')
  .option('--keep-data', 'keep the bucket and its objects')
  .option('--plan', 'only report what would be deleted')
  .action(teardownCommand);

program
  .command('monitor')
  .description("confidence over time from the embedded endpoint's captured traffic, as a table and a chart")
  .option('--out <file>', 'chart file (SVG, or PNG when it ends in .png)', 'confidence.png')
  .option('--bucket-minutes <n>', 'minutes per point', intOption, 1)
  .option('--threshold <p>', 'routing threshold to compare with', parseThresholdOption)
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
  .action(monitorCommand);

try {
  await program.parseAsync();
} catch (error) {
  // The command itself could not run (bad option, unreachable target): say why, exit non-zero.
  const err = error as Error;
  process.stderr.write(`scones: ${err.name === 'Error' ? '' : `${err.name}: `}${err.message}\n`);
  process.exitCode = 1;
}
