/**
 * Test helper: a generated template's values at one concrete account, region and parameter set,
 * as CloudFormation would resolve them (Ref, Fn::GetAtt of the kit's named resources, Fn::Sub).
 */
import type { CfnTemplate } from '../../src/template/index.ts';
import { arns, type DeploymentScope } from '../../src/workflow/names.ts';

export function evaluator(
  template: CfnTemplate,
  scope: DeploymentScope,
  bucket: string,
  parameters: Record<string, string>,
) {
  const arn = arns(scope, { bucket, endpointName: 'unused' });
  const pseudo: Record<string, string> = {
    'AWS::Partition': scope.partition,
    'AWS::Region': scope.region,
    'AWS::AccountId': scope.accountId,
  };
  const values = (id: string): { ref: string; arn: string } => {
    const resource = template.Resources[id];
    if (!resource) {
      if (id in parameters) return { ref: parameters[id] as string, arn: '' };
      throw new Error(`No resource or parameter ${id}`);
    }
    const p = resource.Properties as Record<string, string>;
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return { ref: p.RoleName as string, arn: arn.role(p.RoleName as string) };
      case 'AWS::Lambda::Function':
        return { ref: p.FunctionName as string, arn: arn.function(p.FunctionName as string) };
      case 'AWS::StepFunctions::StateMachine': {
        const value = arn.stateMachine(p.StateMachineName as string);
        return { ref: value, arn: value };
      }
      case 'AWS::SNS::Topic': {
        const value = arn.topic(p.TopicName as string);
        return { ref: value, arn: value };
      }
      case 'AWS::Events::Rule':
        return { ref: p.Name as string, arn: arn.eventRule(p.Name as string) };
      case 'AWS::CloudWatch::Alarm':
        return { ref: p.AlarmName as string, arn: arn.alarm(p.AlarmName as string) };
      case 'AWS::S3::Bucket':
        return { ref: bucket, arn: arn.bucket };
      default:
        throw new Error(`The evaluator does not know ${resource.Type}`);
    }
  };
  const evaluate = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(evaluate);
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return pseudo[object.Ref as string] ?? values(object.Ref as string).ref;
    if ('Fn::GetAtt' in object) return values((object['Fn::GetAtt'] as string[])[0] as string).arn;
    if ('Fn::Sub' in object) {
      return (object['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
        const resolved = pseudo[name] ?? parameters[name];
        if (resolved === undefined) throw new Error(`Fn::Sub: no value for ${name}`);
        return resolved;
      });
    }
    return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, evaluate(item)]));
  };
  return evaluate;
}

/** Every Ref and GetAtt of a value: the resources and parameters it depends on. */
export function references(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) references(item, found);
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.Ref === 'string') found.add(object.Ref);
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt)) found.add(getAtt[0] as string);
    if (typeof object['Fn::Sub'] === 'string') {
      for (const match of (object['Fn::Sub'] as string).matchAll(/\$\{([A-Za-z0-9_]+)\}/g))
        found.add(match[1] as string);
    }
    for (const item of Object.values(object)) references(item, found);
  }
  return found;
}
