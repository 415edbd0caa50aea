/**
 * The retraining's IAM documents (src/deploy/retraining-policies.ts): every integration the ASL
 * calls is allowed, on the stage's names only; the only `*` is the one the Step Functions guide's
 * .sync templates require (sagemaker:ListTags); PassRole goes to the SageMaker role, for SageMaker.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { PolicyDocument, PolicyStatement } from '../../src/deploy/policies.ts';
import { retrainingDefinition } from '../../src/deploy/retraining.ts';
import {
  buildTrainingSetPolicy,
  evaluateCandidatePolicy,
  retrainingStateMachinePolicy,
  SAGEMAKER_SYNC_RULES,
} from '../../src/deploy/retraining-policies.ts';
import { arns, eventResourceNames, retrainingNames } from '../../src/workflow/names.ts';

const scope = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' };
const config = loadConfig({
  SCONES_TARGET: 'aws',
  SCONES_STAGE: 'Prod',
  SCONES_BUCKET: 'my-images',
  AWS_REGION: 'eu-west-1',
});
const arn = arns(scope, config);
const names = retrainingNames(config.stage);
const functionArns = {
  build: arn.function(names.functions.build),
  evaluate: arn.function(names.functions.evaluate),
};
const stateMachineArn = arn.stateMachine(names.stateMachine);
const sagemakerRoleArn = arn.role(names.sagemakerRole);
const topicArn = arn.topic(eventResourceNames(config.stage).notificationTopic);
const policy = retrainingStateMachinePolicy({
  ...scope,
  stateMachineArn,
  functionArns: Object.values(functionArns),
  stagePrefix: `scones-${config.stage}-`,
  runNamePrefix: names.runNamePrefix,
  endpointName: config.endpointName,
  modelPackageGroupName: names.modelPackageGroup,
  sagemakerRoleArn,
  topicArn,
});

const list = (value: string | string[] | undefined) => (Array.isArray(value) ? value : value ? [value] : []);
const statementsAllowing = (document: PolicyDocument, action: string): PolicyStatement[] =>
  document.Statement.filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action));
const resourcesFor = (document: PolicyDocument, action: string) =>
  statementsAllowing(document, action).flatMap((s) => list(s.Resource));

/** IAM actions a Task's Resource needs, as the Step Functions developer guide's templates list them. */
function actionsOf(resource: string): string[] {
  const [, integration = ''] = /^arn:aws:states:::(.+)$/.exec(resource) ?? [];
  if (integration === 'lambda:invoke') return ['lambda:InvokeFunction'];
  if (integration === 'sns:publish') return ['sns:Publish'];
  const sdk = /^aws-sdk:(\w+):(\w+)$/.exec(integration);
  if (sdk) {
    const service = sdk[1] === 'sfn' ? 'states' : (sdk[1] as string);
    const api = sdk[2] as string;
    return [`${service}:${api[0]?.toUpperCase()}${api.slice(1)}`];
  }
  const optimized = /^sagemaker:(\w+?)(\.sync)?$/.exec(integration);
  if (!optimized) throw new Error(`no IAM mapping for ${resource}`);
  const api = `${optimized[1]?.[0]?.toUpperCase()}${optimized[1]?.slice(1)}`;
  if (!optimized[2]) return [`sagemaker:${api}`];
  const job = api.replace(/^Create/, '');
  return [`sagemaker:Create${job}`, `sagemaker:Describe${job}`, `sagemaker:Stop${job}`, 'sagemaker:ListTags'];
}

describe('the retraining state machine role', () => {
  it('allows every integration of the ASL it deploys', () => {
    const definition = retrainingDefinition(config, arn, functionArns, 'image');
    const states = Object.values(definition.States as Record<string, { Type: string; Resource?: string }>);
    const needed = new Set(
      states.filter((s) => s.Type === 'Task').flatMap((s) => actionsOf(s.Resource ?? '')),
    );
    expect(needed.size).toBeGreaterThan(10);
    for (const action of needed) expect(statementsAllowing(policy, action), action).not.toEqual([]);
  });

  it('names the stage resources only: the functions, itself, the run prefix, the endpoint, the registry', () => {
    expect(resourcesFor(policy, 'lambda:InvokeFunction').sort()).toEqual(Object.values(functionArns).sort());
    expect(resourcesFor(policy, 'states:ListExecutions')).toEqual([stateMachineArn]);
    expect(resourcesFor(policy, 'sns:Publish')).toEqual([topicArn]);
    const sagemaker = 'arn:aws:sagemaker:eu-west-1:123456789012:';
    // SageMaker lower-cases names in ARNs: stage "Prod" is matched as "prod".
    expect(resourcesFor(policy, 'sagemaker:CreateTrainingJob')).toContain(
      `${sagemaker}training-job/scones-prod-rt-*`,
    );
    expect(resourcesFor(policy, 'sagemaker:UpdateEndpoint')).toContain(
      `${sagemaker}endpoint/${config.endpointName.toLowerCase()}`,
    );
    expect(resourcesFor(policy, 'sagemaker:CreateModelPackage')).toContain(
      `${sagemaker}model-package/scones-prod-image-classifier/*`,
    );
    for (const action of ['sagemaker:CreateModel', 'sagemaker:CreateEndpointConfig', 'sagemaker:AddTags']) {
      for (const resource of resourcesFor(policy, action))
        expect(resource, action).toMatch(
          /:(training-job|hyper-parameter-tuning-job|model|endpoint-config|endpoint|model-package-group|model-package)\/(scones-prod-|scones-image-classification)/,
        );
    }
    const everyResource = policy.Statement.flatMap((s) => list(s.Resource));
    // The one `*`: sagemaker:ListTags, which the guide's .sync templates grant on `*`.
    expect(policy.Statement.filter((s) => list(s.Resource).includes('*')).map((s) => s.Action)).toEqual([
      'sagemaker:ListTags',
    ]);
    expect(everyResource.filter((r) => r !== '*' && !r.startsWith('arn:aws:'))).toEqual([]);
  });

  it('passes the SageMaker role to SageMaker only, and hears .sync jobs end on the managed rules only', () => {
    const [pass, ...others] = statementsAllowing(policy, 'iam:PassRole');
    expect(others).toEqual([]);
    expect(pass).toMatchObject({
      Resource: sagemakerRoleArn,
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    expect(resourcesFor(policy, 'events:PutRule')).toEqual(
      SAGEMAKER_SYNC_RULES.map((rule) => `arn:aws:events:eu-west-1:123456789012:rule/${rule}`),
    );
    expect(resourcesFor(policy, 'events:PutTargets')).toEqual(resourcesFor(policy, 'events:PutRule'));
  });
});

describe('the retraining functions roles', () => {
  const input = {
    logGroupArn: arn.logGroup(`/aws/lambda/${names.functions.build}`),
    bucketArn: arn.bucket,
    datasetPrefix: 'datasets/cifar-100/',
    groundTruthPrefix: 'ground_truth/',
    capturePrefix: 'data_capture/',
    retrainingPrefix: 'retraining/',
  };
  it('BuildTrainingSet reads labels, captures and the dataset, and writes under retraining/ only', () => {
    const build = buildTrainingSetPolicy(input);
    expect(resourcesFor(build, 's3:PutObject')).toEqual(['arn:aws:s3:::my-images/retraining/*']);
    expect(resourcesFor(build, 's3:GetObject')).toEqual(
      expect.arrayContaining([
        'arn:aws:s3:::my-images/ground_truth/*',
        'arn:aws:s3:::my-images/data_capture/*',
      ]),
    );
    expect(build.Statement.flatMap((s) => list(s.Resource))).not.toContain('arn:aws:s3:::my-images/*');
  });
  it('EvaluateCandidate reads models and the evaluation set, and writes the report under retraining/ only', () => {
    const evaluate = evaluateCandidatePolicy({ ...input, modelPrefixes: ['models/'] });
    expect(resourcesFor(evaluate, 's3:PutObject')).toEqual(['arn:aws:s3:::my-images/retraining/*']);
    expect(resourcesFor(evaluate, 's3:GetObject')).toContain('arn:aws:s3:::my-images/models/*');
    expect(actionsOfAll(evaluate).some((a) => a.startsWith('sagemaker:'))).toBe(false);
  });
});

function actionsOfAll(document: PolicyDocument): string[] {
  return document.Statement.flatMap((s) => list(s.Action));
}
