/**
 * The registration of `scones load` (options and help; light, as every registration): the command
 * itself is load-action.ts, loaded when it runs.
 */
import { type Command, Option } from 'commander';
import { TARGETS } from '../config.ts';
import { DEFAULT_DATA_DIR } from '../embedded/shared/index.ts';
import { DRIFT_KINDS } from '../load/drift-kinds.ts';
import {
  DEFAULT_BURST_CONCURRENCY,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_SEED,
  DEFAULT_STREAM_IN_FLIGHT,
} from '../load/plan-options.ts';
import { lazyAction } from './lazy-action.ts';
import { wholeNumberOption } from './options.ts';

export function registerLoadCommand(program: Command): void {
  program
    .command('load')
    .description(
      'upload test images into the intake prefix as a burst or a stream (optionally drifting) and follow each to its decision',
    )
    .option('--count <n>', 'a burst of n uploads', wholeNumberOption('--count'))
    .option('--rate <rate>', 'a stream: uploads per second (50/s) or minute (3000/m); with --duration')
    .option('--duration <duration>', 'how long the stream runs, e.g. 30s, 2m, 1h')
    .option(
      '--concurrency <n>',
      `uploads at once (burst; default ${DEFAULT_BURST_CONCURRENCY}) or unanswered PUTs before the stream lags (default ${DEFAULT_STREAM_IN_FLIGHT})`,
      wholeNumberOption('--concurrency'),
    )
    .addOption(
      new Option('--drift <kind>', 'degrade the images over the run, 0 to full strength').choices(
        DRIFT_KINDS,
      ),
    )
    .option(
      '--seed <n>',
      `which images and which noise (default ${DEFAULT_SEED}); the same seed gives the same bytes`,
      wholeNumberOption('--seed'),
    )
    .option('--stub', 'embedded: serve the stub endpoint instead of the locally trained model')
    .option('--threshold <p>', 'embedded: confidence threshold for automatic routing')
    .option('--no-capture', 'embedded: do not capture the endpoint traffic (scones monitor reads it)')
    .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
    .option(
      '--endpoint-url <url>',
      'embedded: a running `scones up` (default AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL when set)',
    )
    .addOption(
      new Option('--target <target>', 'where the uploads go')
        .choices([...TARGETS, 'compose'])
        .default('embedded'),
    )
    .option(
      '--timeout <duration>',
      `stop waiting for decisions when none arrived for this long (default ${DEFAULT_IDLE_TIMEOUT_MS / 1000}s)`,
    )
    .option('--json', 'print the report as one JSON object (the last line of stdout)')
    .option('--yes', 'aws: upload without asking after the plan')
    .option('--stage <stage>', 'aws: the promoted stage (default dev)')
    .option('--region <region>', 'aws: region')
    .option('--profile <profile>', 'aws: named profile')
    .action(lazyAction(() => import('./load-action.ts'), 'loadCommand'));
}
