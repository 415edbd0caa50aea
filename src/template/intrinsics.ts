/**
 * From the deploy module's specs to CloudFormation values. The specs are built for a scope whose
 * partition, region and account are CloudFormation's pseudo parameters (`${AWS::Region}`...), so
 * every ARN they hold is a `Fn::Sub` string; an ARN of a resource in the template becomes its
 * `Fn::GetAtt` (CloudFormation then orders the resources by those references), a lone parameter
 * placeholder `${Name}` its `Ref`.
 */
import type { DeploymentScope } from '../workflow/names.ts';
import type { Intrinsic } from './types.ts';

export const TEMPLATE_SCOPE: DeploymentScope = {
  partition: `\${AWS::Partition}`,
  region: `\${AWS::Region}`,
  accountId: `\${AWS::AccountId}`,
};

/** A parameter's placeholder in a spec's string: `${Threshold}`. */
export const param = (name: string) => `\${${name}}`;

export class TemplateValueError extends Error {
  override name = 'TemplateValueError';
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_:.]+)\}/g;
const LONE_PLACEHOLDER = /^\$\{([A-Za-z0-9_]+)\}$/;

/** Resources' ARNs (as the specs spell them) and what to write instead. */
export class References {
  private readonly byArn = new Map<string, Intrinsic>();
  private readonly parameters: Set<string>;

  constructor(parameters: Iterable<string>) {
    this.parameters = new Set(parameters);
  }

  add(arn: string, logicalId: string, attribute: 'Arn' | 'Ref' = 'Arn'): void {
    this.byArn.set(arn, attribute === 'Ref' ? { Ref: logicalId } : { 'Fn::GetAtt': [logicalId, 'Arn'] });
  }

  /**
   * `value` with every string made a CloudFormation value. `literal` ARNs stay `Fn::Sub` strings:
   * a resource naming itself (the retraining state machine lists its own executions) or a role
   * naming its state machine would otherwise be a circular dependency.
   */
  resolve(value: unknown, literal: string[] = []): unknown {
    if (typeof value === 'string') return this.resolveString(value, literal);
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, literal));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, this.resolve(item, literal)]),
      );
    }
    return value;
  }

  private resolveString(value: string, literal: string[]): unknown {
    const reference = literal.includes(value) ? undefined : this.byArn.get(value);
    if (reference) return reference;
    const lone = LONE_PLACEHOLDER.exec(value);
    if (lone && this.parameters.has(lone[1] as string)) return { Ref: lone[1] };
    const names = [...value.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
    if (names.length === 0) return value;
    const unknown = names.filter((name) => !name.startsWith('AWS::') && !this.parameters.has(name));
    if (unknown.length > 0) {
      throw new TemplateValueError(`"${value}" names ${unknown.join(', ')}: no parameter of the template`);
    }
    return { 'Fn::Sub': value };
  }
}

/** CloudFormation's tag list from the kit's tag map. */
export function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** A logical ID from a kit name: `scones-dev-serialize-image-data` + `Function` -> `SerializeImageDataFunction`. */
export function logicalId(name: string, stagePrefix: string, suffix: string): string {
  const bare = name.startsWith(stagePrefix) ? name.slice(stagePrefix.length) : name;
  const pascal = bare
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
  return pascal.endsWith(suffix) ? pascal : `${pascal}${suffix}`;
}
