/**
 * The kit's EventBridge rules, defined once as data in `eventrules/<id>.json` (like the ASL in
 * `statemachine/`): each file holds the rule's event pattern and its targets with their
 * InputTransformer, in the shapes PutRule and PutTargets take, with `${...}` substitutions
 * resolved here by the same code that resolves the ASL's. Every tier loads them through
 * `loadEventRules`: the embedded event bus evaluates them in-process, deploy and promote send them
 * to EventBridge (adding what only AWS needs, such as the target's RoleArn).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DefinitionError, substitute } from '../workflow/definition.ts';
import {
  type CompiledInputTransformer,
  compileInputTransformer,
  InputTransformerError,
} from './input-transformer.ts';
import { compileEventPattern, type EventPattern, EventPatternError } from './pattern.ts';

export const EVENT_RULES_DIR = fileURLToPath(new URL('../../eventrules/', import.meta.url));

/** The values the rule files refer to as `${Name}`. */
export interface EventRuleResources {
  bucket: string;
  /** Key prefix of uploads that start an execution, e.g. `incoming/`. */
  intakePrefix: string;
  /** The classification state machine: its failures are notified. */
  stateMachineArn: string;
  /** The intake state machine: uploads start it; it starts the classification, named from the object. */
  intakeStateMachineArn: string;
  /** Topic (on AWS: SNS) that failure notifications go to. */
  notificationTopicArn: string;
  /**
   * The retraining state machine and the alarms that start it. A deployment without one (it has
   * not created the retraining state machine) gets none of the rules that target it.
   */
  retraining?: RetrainingRuleResources;
}

export interface RetrainingRuleResources {
  stateMachineArn: string;
  /** The stage's low-confidence (drift) alarm: `eventResourceNames(stage).alarms.lowConfidenceShare`. */
  driftAlarmName: string;
  /** `retrainingNames(stage).reviewedLabelsAlarm` (src/workflow/reviewed-labels.ts). */
  reviewedLabelsAlarmName: string;
}

/**
 * Substitutions that only the retraining rules use: a rule file that needs one the caller did not
 * give is left out of `loadEventRules`' answer (any other missing substitution is an error).
 */
export const RETRAINING_SUBSTITUTIONS = [
  'RetrainingStateMachineArn',
  'DriftAlarmName',
  'ReviewedLabelsAlarmName',
] as const;

export function eventRuleSubstitutionsFor(resources: EventRuleResources): Record<string, string> {
  return {
    Bucket: resources.bucket,
    IntakePrefix: resources.intakePrefix,
    StateMachineArn: resources.stateMachineArn,
    IntakeStateMachineArn: resources.intakeStateMachineArn,
    NotificationTopicArn: resources.notificationTopicArn,
    ...(resources.retraining
      ? {
          RetrainingStateMachineArn: resources.retraining.stateMachineArn,
          DriftAlarmName: resources.retraining.driftAlarmName,
          ReviewedLabelsAlarmName: resources.retraining.reviewedLabelsAlarmName,
        }
      : {}),
  };
}

/** Whether the file needs a retraining substitution that `substitutions` lacks (the rule is left out). */
function needsAbsentRetraining(template: string, substitutions: Record<string, string>): boolean {
  return RETRAINING_SUBSTITUTIONS.some(
    (name) => substitutions[name] === undefined && template.includes(`\${${name}}`),
  );
}

/** Names per stage, as deployed: `scones-<stage>-<rule id>`, the notification topic (names.ts decides them). */
export { eventResourceNames } from '../workflow/names.ts';

export function eventRuleArn(
  scope: { partition?: string; region: string; accountId: string },
  ruleName: string,
) {
  return `arn:${scope.partition ?? 'aws'}:events:${scope.region}:${scope.accountId}:rule/${ruleName}`;
}

// PutRule/PutTargets constraints: target ids and rule names 1-64 of [.-_A-Za-z0-9], up to 5 targets.
const IDENTIFIER = /^[.\-_A-Za-z0-9]{1,64}$/;

const targetSchema = z.strictObject({
  Id: z.string().regex(IDENTIFIER, 'must be 1-64 characters of letters, digits, ".", "-", "_"'),
  Arn: z.string().min(1),
  InputTransformer: z.strictObject({
    InputPathsMap: z.record(z.string(), z.string()).optional(),
    InputTemplate: z.string(),
  }),
});

const ruleSchema = z.strictObject({
  Description: z.string().max(512).optional(),
  EventPattern: z.record(z.string(), z.unknown()),
  Targets: z.array(targetSchema).min(1).max(5),
});

export type EventRuleTarget = z.infer<typeof targetSchema>;

/** One rule file, substituted and validated, its pattern and transformers compiled. */
export interface EventRule {
  /** The file's base name (`image-uploaded`); the deployed name adds the kit and stage. */
  id: string;
  file: string;
  description?: string;
  eventPattern: EventPattern;
  /** As PutTargets takes them (without RoleArn). */
  targets: EventRuleTarget[];
  matches(event: unknown): boolean;
  transformers: Record<string, CompiledInputTransformer>;
}

export class EventRuleError extends Error {
  override name = 'EventRuleError';
}

/**
 * Every `*.json` of the folder, substituted and checked. Errors name the file and the field. Each
 * substitution must be used by at least one file (a misspelt name is an error, as for the ASL).
 */
export function loadEventRules(
  substitutions: Record<string, string>,
  directory = EVENT_RULES_DIR,
): EventRule[] {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new EventRuleError(`${directory}: no rule files (*.json)`);
  const used = new Set<string>();
  const rules: EventRule[] = [];
  for (const name of files) {
    const file = path.join(directory, name);
    const template = readFileSync(file, 'utf8');
    if (needsAbsentRetraining(template, substitutions)) continue;
    const rule = loadRuleFile(file, template, substitutions);
    for (const substitution of rule.used) used.add(substitution);
    rules.push(rule.rule);
  }
  const unused = Object.keys(substitutions).filter((name) => !used.has(name));
  if (unused.length > 0) {
    throw new EventRuleError(`${directory}: substitutions no rule uses: ${unused.join(', ')}`);
  }
  return rules;
}

/** One rule from its text; `file` names it in errors. */
export function loadRuleFile(
  file: string,
  template: string,
  substitutions: Record<string, string>,
): { rule: EventRule; used: Set<string> } {
  const where = path.relative(process.cwd(), file) || file;
  const problem = (field: string, message: string) =>
    new EventRuleError(`${where}: ${field ? `${field}: ` : ''}${message}`);
  let rendered: { text: string; used: Set<string> };
  let parsed: unknown;
  try {
    rendered = substitute(template, substitutions);
    parsed = JSON.parse(rendered.text);
  } catch (error) {
    if (error instanceof DefinitionError || error instanceof SyntaxError) throw problem('', error.message);
    throw error;
  }
  const result = ruleSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    throw problem(issue.path.join('.'), issue.message);
  }
  const rule = result.data;
  let matches: (event: unknown) => boolean;
  try {
    matches = compileEventPattern(rule.EventPattern);
  } catch (error) {
    if (error instanceof EventPatternError) throw problem('EventPattern', error.message);
    throw error;
  }
  const transformers: Record<string, CompiledInputTransformer> = {};
  rule.Targets.forEach((target, index) => {
    if (target.Id in transformers) throw problem(`Targets.${index}.Id`, `duplicate target id "${target.Id}"`);
    try {
      transformers[target.Id] = compileInputTransformer(target.InputTransformer);
    } catch (error) {
      if (error instanceof InputTransformerError)
        throw problem(`Targets.${index}.InputTransformer`, error.message);
      throw error;
    }
  });
  const id = path.basename(file, '.json');
  if (!IDENTIFIER.test(id))
    throw problem('', 'the file name must be a valid rule name (letters, digits, ".-_")');
  return {
    used: rendered.used,
    rule: {
      id,
      file,
      ...(rule.Description === undefined ? {} : { description: rule.Description }),
      eventPattern: rule.EventPattern,
      targets: rule.Targets,
      matches,
      transformers,
    },
  };
}
