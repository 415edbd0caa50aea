/** Text renderings of plans and actions, as `scones promote` prints them. */
import { type CostEstimate, LOCAL_COST_NOTE } from '../cost/index.ts';
import { SERVERLESS_CAPTURE_NOTE } from '../specs.ts';
import type { ActionChange, PromotionAction } from '../types.ts';
import type { PromotionPlan } from './types.ts';

const PLANNED: Record<ActionChange, string> = {
  create: 'create',
  update: 'update',
  none: 'unchanged',
  wait: 'wait for',
  run: 'run',
  skip: 'skip',
};
const DONE: Record<ActionChange, string> = {
  create: 'created',
  update: 'updated',
  none: 'unchanged',
  wait: 'waited for',
  run: 'ran',
  skip: 'skipped',
};

export function renderAction(item: PromotionAction, planned: boolean): string {
  const verb = (planned ? PLANNED : DONE)[item.change];
  const detail = item.detail ? `  (${item.detail})` : '';
  return `${verb.padEnd(10)} ${item.resourceType.padEnd(29)} ${item.name}${detail}`;
}

const usd = (value: number | undefined) =>
  value === undefined ? 'n/a' : `$${value.toFixed(value < 1 ? 4 : 2)}`;

export function renderCost(cost: CostEstimate): string[] {
  const lines = [`Cost estimate (${cost.pricesRegion} on-demand list prices as of ${cost.pricesAsOf}):`];
  for (const line of cost.lines) {
    lines.push(
      `  ${line.item.padEnd(40)} ${usd(line.usd).padStart(9)} ${line.period.padEnd(18)} ${line.basis}`,
    );
  }
  lines.push(
    `  one-off: ~${usd(cost.oneOffUsd)} (at most ${usd(cost.oneOffMaxUsd)} if training runs to its stopping condition)`,
  );
  if (cost.endpointPerHourUsd > 0) {
    lines.push(`  the endpoint bills ${usd(cost.endpointPerHourUsd)}/hour until \`scones teardown\``);
  }
  lines.push(`  recurring at ${cost.requestsPerDay} requests/day: ~${usd(cost.monthlyUsd)} per 30 days`);
  for (const note of cost.notes) lines.push(`  note: ${note}`);
  lines.push(`  sources: ${cost.sources.join(' ')}`);
  return lines;
}

export function renderPlan(plan: PromotionPlan): string {
  const { target, settings } = plan;
  const lines = [
    `Promotion plan: stage "${target.stage}"`,
    ...(target.stackUrl ? [`  local stack ${target.stackUrl} (scones up)`] : []),
    `  account ${target.accountId} (${target.callerArn})`,
    `  region  ${target.region}, bucket ${target.bucket}, endpoint ${target.endpointName}`,
    '',
    'Actions, in order:',
    ...plan.actions.map((item, index) => `  ${String(index + 1).padStart(2)}. ${renderAction(item, true)}`),
    '',
    `Training image: ${settings.trainingImage}`,
    `Hyperparameters: ${Object.entries(settings.hyperParameters)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}`,
    `Channels (application/x-image, S3Prefix): ${Object.entries(settings.channels)
      .map(([name, uri]) => `${name}=${uri}`)
      .join(' ')}`,
  ];
  if (settings.tuning) {
    const { ranges } = settings.tuning;
    const described = [
      ...ranges.ContinuousParameterRanges.map(
        (r) => `${r.Name} ${r.MinValue}..${r.MaxValue} (${r.ScalingType})`,
      ),
      ...ranges.IntegerParameterRanges.map((r) => `${r.Name} ${r.MinValue}..${r.MaxValue}`),
      ...ranges.CategoricalParameterRanges.map((r) => `${r.Name} {${r.Values.join(', ')}}`),
    ];
    lines.push(
      `Tuning: objective ${settings.tuning.objective}, ${settings.tuning.maxJobs} jobs (${settings.tuning.maxParallel} parallel); ranges ${described.join('; ')}`,
    );
  }
  const capture = settings.dataCapture;
  lines.push(
    capture
      ? `Data capture: ${capture.InitialSamplingPercentage}% of requests, input and output, to ${capture.DestinationS3Uri}`
      : `Data capture: ${SERVERLESS_CAPTURE_NOTE}`,
    '',
    ...(target.kind === 'local' ? [`Cost: ${LOCAL_COST_NOTE}.`] : renderCost(plan.cost)),
  );
  if (!plan.hasChanges)
    lines.push('', 'Everything is in place: applying changes nothing (staging re-checks, smoke runs).');
  return lines.join('\n');
}
