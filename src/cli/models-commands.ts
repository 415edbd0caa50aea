/** Registrations of `scones models`, `rollout` and `rollback` (actions in models.ts, loaded when they run). */
import type { Command } from 'commander';
import { DEFAULT_DATA_DIR } from '../embedded/shared/index.ts';
import { lazyAction } from './lazy-action.ts';
import { bakeSecondsOption, canaryPercentOption } from './options.ts';

const models = () => import('./models.ts');

const where = (command: Command) =>
  command
    .option('--data-dir <dir>', 'where the embedded tier keeps its data', DEFAULT_DATA_DIR)
    .option(
      '--endpoint-url <url>',
      "a running scones up's URL: its registry and endpoint instead of this process's",
    );

const canary = (command: Command) =>
  command
    .option(
      '--canary-percent <p>',
      'share of the new fleet the canary takes first, 1-50 (default 10)',
      canaryPercentOption,
    )
    .option(
      '--bake-seconds <n>',
      'how long the canary bakes before the rest moves (default 30)',
      bakeSecondsOption,
    )
    .option('--force', 'deploy a Rejected or not yet approved version anyway')
    .option(
      '--json',
      'one JSON line: outcome (promoted, rolled-back, unchanged), target, before, after, ...',
    );

export function registerModelCommands(program: Command): void {
  where(
    program
      .command('models')
      .description(
        "the model registry (the retraining's candidates): each version's status, reason, metrics, creation time, and which one serves the endpoint",
      )
      .option('--json', 'one JSON object: group, versions, serving'),
  ).action(lazyAction(models, 'modelsCommand'));

  canary(
    where(
      program
        .command('rollout')
        .description(
          "deploy a registry version to the stage's endpoint as a blue/green canary (auto-rollback on the scones-<stage>-endpoint-5xx alarm when it exists); waits and prints promoted or rolled-back",
        )
        .argument('<version>', 'the version number (or model package ARN), as `scones models` lists it'),
    ),
  ).action(lazyAction(models, 'rolloutCommand'));

  canary(
    where(
      program
        .command('rollback')
        .description(
          "go back to the version that served before the current one (or the kit's original model), or to the version given, as a canary",
        )
        .argument('[version]', 'the version to go back to (default: what served before)'),
    ),
  ).action(lazyAction(models, 'rollbackCommand'));
}
