/**
 * Faults of the models the fleet serves, by endpoint, variant or model name: a rule makes the
 * model's container answer an HTTP error for the invocations it matches (all, or a `share` of
 * them), as a container that fails in service does. SageMaker Runtime then answers the client
 * ModelError (424) carrying the container's status as `OriginalStatusCode` (model-error.ts), and
 * the endpoint's `Invocation4XXErrors` / `Invocation5XXErrors` count it by that status, as
 * SageMaker's metrics count what the model returned.
 *
 * A rule names the model that answers, so a blue/green candidate can fail in service while the
 * fleet it replaces does not (both fleets serve the variant `AllTraffic`; their models differ).
 * Rules are checked whole before any is kept: a malformed one is refused with a FaultRuleError
 * naming the field, and the rules stay as they were. LocalStack's Chaos API
 * (`/_localstack/chaos/faults`) is the precedent for the HTTP side (faults-route.ts).
 */
import { z } from 'zod';

/** One rule: which invocations fail, and what the model's container answers them. */
export interface ModelFaultRule {
  endpointName?: string;
  variantName?: string;
  /** The SageMaker model (CreateModel's ModelName) of the variant that answers. */
  modelName?: string;
  /** The container's HTTP status, 400..599 (the client sees ModelError 424 with it). */
  status: number;
  /** 0..1: the share of matching invocations that fail (default 1: every one). */
  share?: number;
  /** The container's error message (the ModelError's OriginalMessage). */
  message?: string;
}

/** The variant an invocation reached: what a rule is matched against. */
export interface FaultTarget {
  endpointName: string;
  variantName: string;
  modelName?: string;
}

/** What a matching rule makes the container answer. */
export interface ModelFailure {
  status: number;
  message: string;
}

/** A rule refused as malformed; the message names the field. */
export class FaultRuleError extends Error {
  override name = 'FaultRuleError';
}

/** Enough for any test; bounds what a client looping on POST can make the server hold. */
export const MAX_FAULT_RULES = 100;

const name = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .min(1, { error: `${field} must not be empty` })
    .max(256, { error: `${field} must be at most 256 characters` })
    .optional();

const ruleSchema = z.strictObject(
  {
    endpointName: name('endpointName'),
    variantName: name('variantName'),
    modelName: name('modelName'),
    status: z
      .number({ error: 'status is required: the HTTP status the model answers, an integer 400..599' })
      .int({ error: 'status must be an integer 400..599' })
      .min(400, { error: 'status must be an integer 400..599 (a model error)' })
      .max(599, { error: 'status must be an integer 400..599 (a model error)' }),
    share: z
      .number({ error: 'share must be a number 0..1' })
      .min(0, { error: 'share must be a number 0..1' })
      .max(1, { error: 'share must be a number 0..1' })
      .optional(),
    message: z
      .string({ error: 'message must be a string' })
      .max(1024, { error: 'message must be at most 1024 characters' })
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown field(s) ${(issue.keys ?? []).map((key) => JSON.stringify(String(key))).join(', ')}`
        : 'must be a JSON object',
  },
);

/** One rule, checked; throws FaultRuleError naming the field (`rules[2].status` in a list). */
export function checkFaultRule(value: unknown, where = 'rule'): ModelFaultRule {
  const parsed = ruleSchema.safeParse(value);
  if (parsed.success) return parsed.data as ModelFaultRule;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? `${where}.${issue.path.join('.')}` : where;
  throw new FaultRuleError(`${field}: ${issue?.message ?? 'is malformed'}`);
}

/** A rule or a list of rules (LocalStack's Chaos API takes a list), each checked. */
export function checkFaultRules(value: unknown): ModelFaultRule[] {
  if (!Array.isArray(value)) return [checkFaultRule(value)];
  if (value.length > MAX_FAULT_RULES)
    throw new FaultRuleError(`rules: at most ${MAX_FAULT_RULES} rules; got ${value.length}`);
  return value.map((rule, index) => checkFaultRule(rule, `rules[${index}]`));
}

const SAME_KEYS = ['endpointName', 'variantName', 'modelName', 'status', 'share', 'message'] as const;

function sameRule(a: ModelFaultRule, b: ModelFaultRule): boolean {
  return SAME_KEYS.every((key) => a[key] === b[key]);
}

/** The fleet's model faults: rules added, listed, removed; matched once per invocation. */
export class ModelFaults {
  #rules: ModelFaultRule[] = [];
  readonly #random: () => number;
  #injected = 0;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** The rules in force, in the order they are matched. */
  list(): ModelFaultRule[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }

  /** Invocations failed by a rule since the fleet started. */
  get injected(): number {
    return this.#injected;
  }

  /** Adds a rule (or several) after those in force; returns the rules in force. */
  add(rules: ModelFaultRule | readonly ModelFaultRule[]): ModelFaultRule[] {
    const checked = checkFaultRules(rules);
    this.#room(this.#rules.length + checked.length);
    this.#rules.push(...checked);
    return this.list();
  }

  /** Replaces every rule (LocalStack's POST); returns the rules in force. */
  set(rules: ModelFaultRule | readonly ModelFaultRule[]): ModelFaultRule[] {
    const checked = checkFaultRules(rules);
    this.#rules = checked;
    return this.list();
  }

  /** Removes the rules equal to those given (LocalStack's DELETE with a body); returns those in force. */
  remove(rules: ModelFaultRule | readonly ModelFaultRule[]): ModelFaultRule[] {
    const gone = checkFaultRules(rules);
    this.#rules = this.#rules.filter((rule) => !gone.some((other) => sameRule(rule, other)));
    return this.list();
  }

  /** No rule in force. */
  clear(): void {
    this.#rules = [];
  }

  /** The failure for an invocation of `target`: the first rule that matches and whose share is drawn. */
  take(target: FaultTarget): ModelFailure | undefined {
    for (const rule of this.#rules) {
      if (rule.endpointName !== undefined && rule.endpointName !== target.endpointName) continue;
      if (rule.variantName !== undefined && rule.variantName !== target.variantName) continue;
      if (rule.modelName !== undefined && rule.modelName !== target.modelName) continue;
      const share = rule.share ?? 1;
      if (share < 1 && !(this.#random() < share)) continue;
      this.#injected++;
      return { status: rule.status, message: rule.message ?? `Injected model fault (${rule.status})` };
    }
    return undefined;
  }

  #room(count: number): void {
    if (count > MAX_FAULT_RULES)
      throw new FaultRuleError(`rules: at most ${MAX_FAULT_RULES} rules in force; clear some first`);
  }
}
