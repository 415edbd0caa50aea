/**
 * `scones models`, `scones rollout <version>` and `scones rollback [<version>]`: the model registry
 * of the stage (the retraining's candidates, src/registry/) and what its endpoint serves; a chosen
 * version onto the endpoint as a canary; back to what served before.
 */
import {
  type RegistryListing,
  type RegistryVersion,
  type RolloutReport,
  rollback,
  rollout,
  type Serving,
} from '../registry/index.ts';
import { log } from './log.ts';
import { type OpenedRegistry, openRegistry, type RegistryTargetOptions } from './registry-target.ts';

export interface ModelsOptions extends RegistryTargetOptions {
  json?: boolean;
}

export interface RolloutOptions extends RegistryTargetOptions {
  json?: boolean;
  canaryPercent?: number;
  bakeSeconds?: number;
  force?: boolean;
}

async function withRegistry<T>(options: RegistryTargetOptions, work: (opened: OpenedRegistry) => Promise<T>) {
  const opened = await openRegistry(options);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

const figure = (value: number | null | undefined) => (typeof value === 'number' ? value.toFixed(3) : '-');

function servingLine(serving: Serving): string {
  if (serving.status === 'missing') return `${serving.endpoint}: no endpoint`;
  const what =
    serving.version !== null
      ? `version ${serving.version}`
      : serving.original
        ? `the kit's original model (${serving.model}, not in the registry)`
        : (serving.model ?? 'no model');
  return `${serving.endpoint} (${serving.status}): ${what}${serving.model_data ? `, ${serving.model_data}` : ''}`;
}

function row(version: RegistryVersion): string[] {
  const accuracy = version.metrics?.accuracy;
  return [
    `${version.serving ? '*' : ' '} ${version.version}`,
    version.status,
    version.created.replace(/\.\d+Z$/, 'Z'),
    figure(accuracy?.all),
    figure(accuracy?.clean),
    figure(accuracy?.reviewed),
    figure(version.metrics?.reviewed_gain),
    (version.reason ?? version.metrics_note ?? '').slice(0, 90),
  ];
}

/** The registry as a table: one row per version, `*` on the one serving. */
export function formatListing(listing: RegistryListing): string {
  const lines = [`registry ${listing.group}`, `serving  ${servingLine(listing.serving)}`];
  if (!listing.group_exists) {
    lines.push('no model package group yet: `scones retrain` registers every candidate there');
    return lines.join('\n');
  }
  if (listing.versions.length === 0) {
    lines.push('no versions yet');
    return lines.join('\n');
  }
  const header = ['version', 'status', 'created', 'acc', 'clean', 'reviewed', 'gain', 'reason'];
  const rows = [header, ...listing.versions.map(row)];
  const widths = header.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  lines.push('');
  for (const cells of rows)
    lines.push(
      cells
        .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    );
  lines.push(
    '',
    '* serves the endpoint; acc/clean/reviewed: accuracy on the held-out set (its report); gain: reviewed accuracy minus the model in service',
  );
  return lines.join('\n');
}

export function formatRollout(report: RolloutReport, verb: 'rollout' | 'rollback'): string {
  const what =
    report.target.version !== null
      ? `version ${report.target.version}`
      : `the original model (${report.target.model})`;
  const seconds = (report.duration_ms / 1000).toFixed(1);
  const lines = [`${verb} of ${what}: ${report.outcome} (${seconds} s)`];
  lines.push(`  before  ${servingLine(report.before)}`);
  lines.push(`  after   ${servingLine(report.after)}`);
  if (report.endpoint_config) lines.push(`  config  ${report.endpoint_config}`);
  if (report.outcome !== 'unchanged')
    lines.push(
      `  canary  ${report.canary_percent} %, baked ${report.bake_seconds} s, ${report.alarm ? `auto-rollback on ${report.alarm}` : 'no rollout alarm in CloudWatch'}`,
    );
  if (report.failure_reason) lines.push(`  reason  ${report.failure_reason}`);
  return lines.join('\n');
}

export async function modelsCommand(options: ModelsOptions): Promise<void> {
  await withRegistry(options, async ({ apis, scope }) => {
    const { describeRegistry } = await import('../registry/index.ts');
    const listing = await describeRegistry(apis, scope);
    process.stdout.write(`${options.json ? JSON.stringify(listing) : formatListing(listing)}\n`);
  });
}

const rolloutSettings = (options: RolloutOptions, json: boolean | undefined) => ({
  ...(options.canaryPercent === undefined ? {} : { canaryPercent: options.canaryPercent }),
  ...(options.bakeSeconds === undefined ? {} : { bakeSeconds: options.bakeSeconds }),
  ...(options.force ? { force: true } : {}),
  ...(json ? {} : { progress: log }),
});

function finish(report: RolloutReport, options: RolloutOptions, verb: 'rollout' | 'rollback') {
  process.stdout.write(`${options.json ? JSON.stringify(report) : formatRollout(report, verb)}\n`);
  // A rolled-back update is an outcome the caller must see, not a success.
  if (report.outcome === 'rolled-back') process.exitCode = 1;
}

export async function rolloutCommand(version: string, options: RolloutOptions): Promise<void> {
  await withRegistry(options, async ({ apis, scope, where }) => {
    if (!options.json) log(`rolling out version ${version} on ${where} ...`);
    finish(
      await rollout(apis, scope, { version, ...rolloutSettings(options, options.json) }),
      options,
      'rollout',
    );
  });
}

export async function rollbackCommand(version: string | undefined, options: RolloutOptions): Promise<void> {
  await withRegistry(options, async ({ apis, scope, where }) => {
    if (!options.json) log(`rolling back on ${where} ...`);
    const report = await rollback(apis, scope, {
      ...(version === undefined ? {} : { version }),
      ...rolloutSettings(options, options.json),
    });
    finish(report, options, 'rollback');
  });
}
