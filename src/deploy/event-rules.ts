/**
 * One EventBridge rule of `eventrules/` on the default bus: its pattern, state and description
 * (PutRule), its targets with their InputTransformer (PutTargets; a target the file no longer has
 * is removed) and the kit's tags. A second run with nothing changed calls only the read APIs.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  DescribeRuleCommand,
  type EventBridgeClient,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { missingTags, type ResourceChange } from './report.ts';

export interface EventRuleSpec {
  name: string;
  arn: string;
  description?: string;
  eventPattern: Record<string, unknown>;
  /** As PutTargets takes them, RoleArn included where the target needs one. */
  targets: Target[];
  tags: Record<string, string>;
}

export function isRuleMissing(error: unknown): boolean {
  return (error as { name?: string }).name === 'ResourceNotFoundException';
}

/** Every target of a rule (ListTargetsByRule pages with NextToken; the SDK has no paginator for it). */
export async function ruleTargets(events: EventBridgeClient, rule: string): Promise<Target[]> {
  const targets: Target[] = [];
  let NextToken: string | undefined;
  do {
    const page = await events.send(new ListTargetsByRuleCommand({ Rule: rule, NextToken }));
    targets.push(...(page.Targets ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return targets;
}

/** PutTargets of the spec's targets, after removing those of `current` the spec no longer has. */
async function putTargets(events: EventBridgeClient, spec: EventRuleSpec, current: Target[]): Promise<void> {
  const unwanted = current.filter((target) => !spec.targets.some((wanted) => wanted.Id === target.Id));
  if (unwanted.length > 0) {
    await events.send(
      new RemoveTargetsCommand({ Rule: spec.name, Ids: unwanted.map((target) => target.Id ?? '') }),
    );
  }
  const { FailedEntryCount = 0, FailedEntries = [] } = await events.send(
    new PutTargetsCommand({ Rule: spec.name, Targets: spec.targets }),
  );
  if (FailedEntryCount > 0) {
    const reasons = FailedEntries.map(
      (entry) => `${entry.TargetId}: ${entry.ErrorCode} ${entry.ErrorMessage ?? ''}`,
    );
    throw new Error(`PutTargets on rule ${spec.name} failed for ${reasons.join('; ')}`);
  }
}

/** The parts of a target the kit sets, in one shape (services answer absent maps as {} or not at all). */
function comparable(target: Target) {
  const transformer = target.InputTransformer;
  return {
    Id: target.Id,
    Arn: target.Arn,
    RoleArn: target.RoleArn ?? null,
    Input: target.Input ?? null,
    InputPath: target.InputPath ?? null,
    InputTransformer: transformer
      ? { InputPathsMap: transformer.InputPathsMap ?? {}, InputTemplate: transformer.InputTemplate }
      : null,
  };
}

function parsePattern(pattern: string | undefined): unknown {
  try {
    return JSON.parse(pattern ?? 'null');
  } catch {
    return pattern;
  }
}

export async function ensureEventRule(
  events: EventBridgeClient,
  spec: EventRuleSpec,
  apply: boolean,
): Promise<ResourceChange> {
  const change: ResourceChange = {
    kind: 'event-rule',
    name: spec.name,
    arn: spec.arn,
    change: 'none',
    reasons: [],
  };
  const existing = await events.send(new DescribeRuleCommand({ Name: spec.name })).catch((error: unknown) => {
    if (isRuleMissing(error)) return undefined;
    throw error;
  });
  const tagList = Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value }));
  const putRule = () =>
    events.send(
      new PutRuleCommand({
        Name: spec.name,
        EventPattern: JSON.stringify(spec.eventPattern),
        State: 'ENABLED',
        ...(spec.description ? { Description: spec.description } : {}),
        Tags: tagList,
      }),
    );

  if (!existing) {
    change.change = 'create';
    change.reasons.push(`${spec.targets.length} target${spec.targets.length === 1 ? '' : 's'}`);
    if (!apply) return change;
    change.arn = (await putRule()).RuleArn ?? spec.arn;
    await putTargets(events, spec, []);
    return change;
  }

  change.arn = existing.Arn ?? spec.arn;
  if (!isDeepStrictEqual(parsePattern(existing.EventPattern), spec.eventPattern))
    change.reasons.push('event pattern');
  if (existing.State !== 'ENABLED') change.reasons.push(`state ${existing.State}`);
  if ((existing.Description ?? '') !== (spec.description ?? '')) change.reasons.push('description');
  const ruleSettingsDiffer = change.reasons.length > 0;
  const current = await ruleTargets(events, spec.name);
  const byId = (a: { Id?: string }, b: { Id?: string }) => String(a.Id).localeCompare(String(b.Id));
  const targetsDiffer = !isDeepStrictEqual(
    current.map(comparable).sort(byId),
    spec.targets.map(comparable).sort(byId),
  );
  if (targetsDiffer) change.reasons.push('targets');
  const { Tags = [] } = await events.send(new ListTagsForResourceCommand({ ResourceARN: change.arn }));
  const tagsToAdd = missingTags(spec.tags, Object.fromEntries(Tags.map((tag) => [tag.Key ?? '', tag.Value])));
  if (Object.keys(tagsToAdd).length > 0) change.reasons.push('tags');
  if (change.reasons.length === 0) return change;
  change.change = 'update';
  if (!apply) return change;

  if (ruleSettingsDiffer) await putRule();
  if (targetsDiffer) await putTargets(events, spec, current);
  // PutRule applies Tags only when it creates the rule.
  if (Object.keys(tagsToAdd).length > 0) {
    const Tags = Object.entries(tagsToAdd).map(([Key, Value]) => ({ Key, Value }));
    await events.send(new TagResourceCommand({ ResourceARN: change.arn, Tags }));
  }
  return change;
}
