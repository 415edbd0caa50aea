import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { batchSpecs } from '../../src/deploy/batch.ts';
import { eventWiringSpecs } from '../../src/deploy/event-wiring.ts';
import { canonicalPolicy } from '../../src/deploy/policies.ts';
import { retrainingSpecs } from '../../src/deploy/retraining.ts';
import type { RoleSpec } from '../../src/deploy/roles.ts';
import { lambdaEnvironment, stageSpecs } from '../../src/deploy/specs.ts';
import { generateTemplate, TemplateInputError } from '../../src/template/index.ts';
import {
  FUNCTIONS,
  type FunctionKey,
  loadDefinition,
  substitutionsFor,
} from '../../src/workflow/definition.ts';
import { arns } from '../../src/workflow/names.ts';
import { evaluator, references } from './evaluate.ts';

const scope = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' };
const config = loadConfig({
  SCONES_TARGET: 'aws',
  SCONES_STAGE: 'tpl',
  AWS_REGION: scope.region,
  SCONES_BUCKET: 'scones-tpl-bucket',
});
const template = generateTemplate({ config });
const parameters = {
  Threshold: '0.8',
  ModelDataUrl: 's3://b/model.tar.gz',
  AlgorithmImage: 'img',
  NotifyEmail: '',
};
const evaluate = evaluator(template, scope, config.bucket, parameters);
const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** What deploy() builds at the same scope: every role it ensures, from its own spec builders. */
function deployedRoles(): RoleSpec[] {
  const arn = arns(scope, config);
  const specs = stageSpecs(config, arn);
  const environment = lambdaEnvironment(config, undefined);
  const keys = Object.keys(FUNCTIONS) as FunctionKey[];
  const functionArns = Object.values(specs.names.functions).map((name) => arn.function(name));
  const stateMachineArn = arn.stateMachine(specs.names.stateMachine);
  const batch = batchSpecs({
    config,
    scope,
    arn,
    environment,
    classificationStateMachineArn: stateMachineArn,
  });
  const retraining = retrainingSpecs({ config, scope, arn, environment });
  const wiring = eventWiringSpecs({
    config,
    accountId: scope.accountId,
    arn,
    stateMachineArn,
    intakeStateMachineArn: arn.stateMachine(specs.names.intakeStateMachine),
    retrainingStateMachineArn: retraining.stateMachine.arn,
  });
  return [
    ...keys.map((key) => specs.functionRole(key)),
    specs.stateMachineRole(functionArns),
    specs.intakeRole(stateMachineArn),
    batch.functionRole,
    batch.stateMachineRole(loadDefinition(batch.substitutions, 'batch')),
    ...retraining.keys.map((key) => retraining.functionRole(key)),
    retraining.stateMachineRole,
    wiring.eventsRole as RoleSpec,
  ];
}

describe('scones template', () => {
  it('holds every role deploy ensures, with the same trust and inline policy once CloudFormation resolves it', () => {
    const roles = new Map(
      ofType('AWS::IAM::Role').map(([, r]) => [r.Properties.RoleName as string, evaluate(r.Properties)]),
    );
    const wanted = deployedRoles();
    // Deploy's roles plus the SageMaker execution role promote creates.
    expect(roles.size).toBe(wanted.length + 1);
    for (const spec of wanted) {
      const role = roles.get(spec.name) as {
        AssumeRolePolicyDocument: unknown;
        Policies: { PolicyName: string; PolicyDocument: never }[];
      };
      expect(role, spec.name).toBeDefined();
      expect(canonicalPolicy(role.AssumeRolePolicyDocument as never)).toBe(canonicalPolicy(spec.trust));
      expect(role.Policies[0]?.PolicyName).toBe(spec.policyName);
      expect(canonicalPolicy(role.Policies[0]?.PolicyDocument), spec.name).toBe(canonicalPolicy(spec.policy));
    }
  });

  it('keeps the ASL placeholders and substitutes what deploy substitutes', () => {
    const [, machine] = ofType('AWS::StepFunctions::StateMachine').find(
      ([, r]) => r.Properties.StateMachineName === 'scones-tpl-image-classification',
    ) as [string, { Properties: Record<string, unknown> }];
    expect(JSON.stringify(machine.Properties.Definition)).toContain('${');
    const substitutions = evaluate(machine.Properties.DefinitionSubstitutions) as Record<string, string>;
    const arn = arns(scope, config);
    const names = stageSpecs(config, arn).names.functions;
    const functionArns = Object.fromEntries(
      Object.entries(names).map(([key, name]) => [key, arn.function(name)]),
    ) as Record<FunctionKey, string>;
    expect(substitutions).toEqual(
      substitutionsFor({ functionArns, reviewBucket: config.bucket, reviewPrefix: config.reviewPrefix }),
    );
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(4);
  });

  it('has the functions, rules, alarms, topic and bucket of a full deploy', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(6);
    expect(ofType('AWS::Events::Rule').map(([, r]) => r.Properties.Name)).toContain(
      'scones-tpl-image-uploaded',
    );
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties.AlarmName);
    expect(alarms).toEqual(
      expect.arrayContaining([
        'scones-tpl-endpoint-5xx',
        'scones-tpl-reviewed-labels',
        'scones-tpl-low-confidence-share',
      ]),
    );
    const bucket = template.Resources.Bucket?.Properties as Record<string, unknown>;
    expect(bucket.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    const classify = ofType('AWS::Lambda::Function').find(([id]) => id === 'ClassifyImageFunction')?.[1];
    expect(evaluate(classify?.Properties.Environment)).toMatchObject({ Variables: { THRESHOLD: '0.8' } });
  });

  it("gives every state-machine target of a rule EventBridge's role", () => {
    const targets = ofType('AWS::Events::Rule').flatMap(
      ([, r]) => r.Properties.Targets as { Arn: unknown; RoleArn?: unknown }[],
    );
    const machines = targets.filter((t) => /:stateMachine:/.test(String(evaluate(t.Arn))));
    expect(machines.length).toBeGreaterThanOrEqual(3);
    for (const target of machines)
      expect(evaluate(target.RoleArn)).toBe(arns(scope, config).role('scones-tpl-events-role'));
  });

  it('has no circular dependency between resources', () => {
    const ids = Object.keys(template.Resources);
    const edges = new Map(
      ids.map((id) => [
        id,
        [...references(template.Resources[id]?.Properties)].filter((d) => ids.includes(d)),
      ]),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new Error(`cycle: ${[...path, id].join(' -> ')}`);
      state.set(id, 'visiting');
      for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
      state.set(id, 'done');
    };
    for (const id of ids) visit(id, []);
    expect(state.size).toBe(ids.length);
  });

  describe('who owns the endpoint', () => {
    const hosting = ['InitialModel', 'InitialEndpointConfig', 'Endpoint'];

    it('creates the model, config and endpoint only with a model, as fixed-name resources', () => {
      for (const id of hosting) expect(template.Resources[id]?.Condition, id).toBe('CreatesEndpoint');
      expect(template.Resources.InitialModel?.Properties.ModelName).toBe('scones-tpl-model-initial');
      expect(template.Resources.InitialEndpointConfig?.Properties.EndpointConfigName).toBe(
        'scones-tpl-config-initial',
      );
      expect(template.Resources.InitialEndpointConfig?.Properties.DataCaptureConfig).toMatchObject({
        EnableCapture: true,
        DestinationS3Uri: `s3://${config.bucket}/data_capture`,
      });
    });

    it('names no parameter in the endpoint: a stack update never moves it off the config the loop set', () => {
      const endpoint = template.Resources.Endpoint?.Properties;
      const dependsOn = references(endpoint);
      expect([...dependsOn]).toEqual(['InitialEndpointConfig']);
      for (const name of Object.keys(template.Parameters)) expect(dependsOn.has(name)).toBe(false);
      // A new model URL or instance type changes the model or config, whose fixed names make
      // CloudFormation refuse the replacement instead of pointing the endpoint at them.
      expect(references(template.Resources.InitialModel?.Properties).has('ModelDataUrl')).toBe(true);
    });

    it('lets the retraining state machine update the endpoint', () => {
      const [, role] = ofType('AWS::IAM::Role').find(([id]) => id === 'RetrainingRole') as [string, never];
      const policy = JSON.stringify(evaluate((role as { Properties: unknown }).Properties));
      expect(policy).toContain('sagemaker:UpdateEndpoint');
      expect(policy).toContain(`endpoint/${config.endpointName}`);
    });
  });

  it('refuses a region without the algorithm on AWS before anything exists', () => {
    const far = loadConfig({ SCONES_TARGET: 'aws', SCONES_STAGE: 'tpl', AWS_REGION: 'xx-nowhere-1' });
    expect(() => generateTemplate({ config: far })).toThrow(TemplateInputError);
  });
});
