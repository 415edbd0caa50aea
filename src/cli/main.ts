/**
 * `scones`: the kit's command line. Each command is a thin layer over a module that the tests
 * exercise directly; this file parses options and prints.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { TARGETS } from '../config.ts';
import { classifyCommand } from './classify.ts';
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
  .description('stage the shipped CIFAR-100 test images, run the workflow for each, print the decisions')
  .option('--json', 'one JSON object per image on stdout')
  .option('--stub', 'use the deterministic stub endpoint instead of the locally trained model')
  .option('--threshold <p>', 'confidence threshold for automatic routing', parseThresholdOption)
  .option('--limit <n>', 'run only the first n test images', (v) => Number.parseInt(v, 10))
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', '.scones/embedded')
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
  .option('--data-dir <dir>', 'where the embedded tier keeps its data', '.scones/embedded')
  .option('--graph <dir>', 'write a picture of each execution path (PNG) into this folder')
  .action(classifyCommand);

program
  .command('graph')
  .description('draw the state machine (SVG, or PNG when the file name ends in .png)')
  .option('--out <file>', 'output file', 'workflow.svg')
  .action(graphCommand);

try {
  await program.parseAsync();
} catch (error) {
  // The command itself could not run (bad option, unreachable target): say why, exit non-zero.
  const err = error as Error;
  process.stderr.write(`scones: ${err.name === 'Error' ? '' : `${err.name}: `}${err.message}\n`);
  process.exitCode = 1;
}
