/**
 * The registration of `scones monitor` (options and help; light, as every registration): the
 * command itself is monitor-action.ts, loaded when it runs.
 */
import { type Command, Option } from 'commander';
import { TARGETS } from '../config.ts';
import { DEFAULT_DATA_DIR } from '../embedded/shared/index.ts';
import { ALARM_NAMES, DEFAULT_ALARM_MINIMUMS } from '../monitor/alarms/index.ts';
import { lazyAction } from './lazy-action.ts';
import { ALARM_EXIT_CODE, collect, countOption, DEFAULT_REPORT, parseThresholdOption } from './options.ts';

export function registerMonitorCommand(program: Command): void {
  program
    .command('monitor')
    .description(
      'HTML report of captured endpoint traffic, ground truth and the Lambdas\u2019 metrics, with alarms',
    )
    .option('--out <file>', `report file (default ${DEFAULT_REPORT}; with --json, only when given)`)
    .option('--json', 'print the figures and alarms as one JSON object on one line')
    .option('--fail-on-alarm', `exit ${ALARM_EXIT_CODE} when any alarm is in ALARM`)
    .option('--since <time>', 'start of the range: ISO-8601 time or a duration back from now (6h, 7d)')
    .option('--until <time>', 'end of the range (exclusive), same forms')
    .addOption(
      new Option('--target <target>', 'where the data is')
        .choices([...TARGETS, 'compose'])
        .default('embedded'),
    )
    .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
    .option(
      '--threshold <p>',
      'routing threshold to compare with (default THRESHOLD or 0.8)',
      parseThresholdOption,
    )
    .option(
      '--alarm <rule=threshold>',
      `alarm threshold, repeatable; rules: ${ALARM_NAMES.join(', ')}`,
      collect,
    )
    .option('--window <duration>', 'window width (default: chosen from the span), e.g. 30s, 5m, 1h, 1d')
    .option('--baseline-until <time>', 'baseline = the windows before this time (default: the first quarter)')
    .option(
      '--min-window-inferences <n>',
      `inferences a window needs for the confidence alarms (default ${DEFAULT_ALARM_MINIMUMS.windowInferences})`,
      countOption,
    )
    .option(
      '--min-labels <n>',
      `labels the accuracy alarm needs (default ${DEFAULT_ALARM_MINIMUMS.labels})`,
      countOption,
    )
    .option(
      '--min-drift-inferences <n>',
      `inferences a window and the baseline need for the drift alarms (default ${DEFAULT_ALARM_MINIMUMS.driftInferences})`,
      countOption,
    )
    .option('--stage <stage>', 'aws: the promoted stage (default dev)')
    .option('--region <region>', 'aws: region')
    .option('--profile <profile>', 'aws: named profile')
    .option('--bucket <bucket>', 'the bucket (default: the target\u2019s)')
    .option('--endpoint-name <name>', 'the endpoint whose capture to read (default: the target\u2019s)')
    .action(lazyAction(() => import('./monitor-action.ts'), 'monitorCommand'));
}
