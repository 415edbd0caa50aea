/**
 * The deploy module's specs as CloudFormation resources. Resources are collected first and
 * resolved at the end (intrinsics.ts), when every resource's ARN is known, so the order they are
 * added in does not matter.
 */
import { readFileSync } from 'node:fs';
import { type AlarmSpec, alarmRequest } from '../deploy/alarms.ts';
import type { EventRuleSpec } from '../deploy/event-rules.ts';
import { type FunctionSettings, LAMBDA_HANDLER, LAMBDA_RUNTIME } from '../deploy/functions.ts';
import type { TopicSpec } from '../deploy/notifications.ts';
import type { RoleSpec } from '../deploy/roles.ts';
import { DEFINITION_PATHS, type DefinitionName } from '../workflow/definition.ts';
import { logicalId, References, tagList } from './intrinsics.ts';
import type { CfnResource } from './types.ts';

interface Pending {
  resource: CfnResource;
  /** ARNs written as strings in this resource (see References.resolve). */
  literal: string[];
  /** Set after resolving, untouched: the ASL keeps its `${...}` for DefinitionSubstitutions. */
  definition?: Record<string, unknown>;
}

export class ResourceSet {
  readonly stagePrefix: string;
  private readonly pending = new Map<string, Pending>();
  private readonly refs: References;

  constructor(stagePrefix: string, parameters: Iterable<string>) {
    this.stagePrefix = stagePrefix;
    this.refs = new References(parameters);
  }

  id(name: string, suffix: string): string {
    return logicalId(name, this.stagePrefix, suffix);
  }

  add(
    id: string,
    resource: CfnResource,
    options: {
      arn?: string;
      attribute?: 'Arn' | 'Ref';
      literal?: string[];
      definition?: Record<string, unknown>;
    } = {},
  ): string {
    if (this.pending.has(id)) throw new Error(`Two resources of the template are named ${id}`);
    if (options.arn) this.refs.add(options.arn, id, options.attribute);
    this.pending.set(id, {
      resource,
      literal: options.literal ?? [],
      ...(options.definition ? { definition: options.definition } : {}),
    });
    return id;
  }

  resolve(value: unknown): unknown {
    return this.refs.resolve(value);
  }

  build(): Record<string, CfnResource> {
    const out: Record<string, CfnResource> = {};
    for (const [id, { resource, literal, definition }] of this.pending) {
      const Properties = this.refs.resolve(resource.Properties, literal) as Record<string, unknown>;
      if (definition) Properties.Definition = definition;
      out[id] = { ...resource, Properties };
    }
    return out;
  }

  role(spec: RoleSpec, literal: string[] = []): string {
    return this.add(
      this.id(spec.name, 'Role'),
      {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: spec.name,
          Description: spec.description,
          AssumeRolePolicyDocument: spec.trust,
          Policies: [{ PolicyName: spec.policyName, PolicyDocument: spec.policy }],
          Tags: tagList(spec.tags),
        },
      },
      { arn: spec.arn, literal },
    );
  }

  function(
    settings: FunctionSettings & { arn: string; roleArn: string },
    code: { bucketParameter: string; keyParameter: string; architecture: string },
  ): string {
    return this.add(
      this.id(settings.name, 'Function'),
      {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: settings.name,
          Description: settings.description,
          Runtime: LAMBDA_RUNTIME,
          Handler: LAMBDA_HANDLER,
          Architectures: [code.architecture],
          MemorySize: settings.memoryMb,
          Timeout: settings.timeoutSeconds,
          Role: settings.roleArn,
          Code: { S3Bucket: { Ref: code.bucketParameter }, S3Key: { Ref: code.keyParameter } },
          Environment: { Variables: settings.environment },
          Tags: tagList(settings.tags),
        },
      },
      { arn: settings.arn },
    );
  }

  /** The ASL file as it is, its placeholders filled by CloudFormation (DefinitionSubstitutions). */
  stateMachine(
    spec: { name: string; arn: string; tags: Record<string, string> },
    roleArn: string,
    definitionName: DefinitionName,
    substitutions: Record<string, string>,
  ): string {
    const definition = JSON.parse(readFileSync(DEFINITION_PATHS[definitionName], 'utf8')) as Record<
      string,
      unknown
    >;
    return this.add(
      this.id(spec.name, 'StateMachine'),
      {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: spec.name,
          StateMachineType: 'STANDARD',
          RoleArn: roleArn,
          DefinitionSubstitutions: substitutions,
          Tags: tagList(spec.tags),
        },
      },
      { arn: spec.arn, literal: [spec.arn], definition },
    );
  }

  topic(spec: TopicSpec): string {
    const id = this.add(
      this.id(spec.name, 'Topic'),
      {
        Type: 'AWS::SNS::Topic',
        Properties: { TopicName: spec.name, DisplayName: spec.displayName, Tags: tagList(spec.tags) },
      },
      { arn: spec.arn, attribute: 'Ref' },
    );
    this.add(`${id}Policy`, {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: { Topics: [spec.arn], PolicyDocument: spec.policy },
    });
    return id;
  }

  rule(spec: EventRuleSpec): string {
    return this.add(
      this.id(spec.name, 'Rule'),
      {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: spec.name,
          ...(spec.description ? { Description: spec.description } : {}),
          State: 'ENABLED',
          EventPattern: spec.eventPattern,
          Targets: spec.targets,
        },
      },
      { arn: spec.arn },
    );
  }

  alarm(spec: AlarmSpec): string {
    return this.add(
      this.id(spec.name, 'Alarm'),
      {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { ...alarmRequest(spec), Tags: tagList(spec.tags) },
      },
      { arn: spec.arn },
    );
  }
}
