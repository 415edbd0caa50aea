/** Shapes of the generated CloudFormation template (JSON) and of the generator's options. */
import type { KitConfig, Service } from '../config.ts';
import type { AlarmSettings } from '../deploy/alarms.ts';
import type { LambdaArchitecture } from '../deploy/index.ts';

export type Intrinsic =
  | { Ref: string }
  | { 'Fn::GetAtt': [string, string] }
  | { 'Fn::Sub': string }
  | { 'Fn::If': [string, unknown, unknown] };

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string[];
  DeletionPolicy?: 'Delete' | 'Retain';
  UpdateReplacePolicy?: 'Delete' | 'Retain';
  Metadata?: Record<string, unknown>;
}

export interface CfnParameter {
  Type: 'String' | 'Number';
  Description: string;
  Default?: string | number;
  AllowedValues?: string[];
  AllowedPattern?: string;
  MinLength?: number;
  MinValue?: number;
  MaxValue?: number;
}

export interface CfnOutput {
  Description: string;
  Value: unknown;
  Condition?: string;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata: Record<string, unknown>;
  Parameters: Record<string, CfnParameter>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, CfnOutput>;
}

export interface TemplateOptions {
  /** Stage, bucket, endpoint name, region and target (the Lambdas' endpoints on local targets). */
  config: KitConfig;
  /** Architecture the bundles were built for; default x86_64. */
  arch?: LambdaArchitecture;
  /** Local targets: the endpoints the Lambdas use (deploy's `lambdaEndpoints`). */
  lambdaEndpoints?: Partial<Record<Service, string>>;
  alarms?: Partial<AlarmSettings>;
}

/**
 * The parts of CloudFormation's API shapes the stack deployer reads (API reference: `Change`,
 * `ResourceChange`, `StackEvent`); the SDK's own types are assignable to these.
 */
export interface ChangeSetChange {
  ResourceChange?: {
    Action?: string;
    LogicalResourceId?: string;
    ResourceType?: string;
    /** `True`, `False` or `Conditional` (depends on a value known only when it runs). */
    Replacement?: string;
  };
}

export interface StackEventRecord {
  Timestamp?: Date;
  LogicalResourceId?: string;
  ResourceType?: string;
  ResourceStatus?: string;
  ResourceStatusReason?: string;
}
