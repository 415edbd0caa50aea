/**
 * `scones deploy --via cloudformation` on the shared MiniStack: the stage's template deployed
 * through change sets, and everything checked through the services' own APIs, never the stack's
 * status. A plan creates nothing; a deploy creates the functions, state machines, rules, topic and
 * alarms as the template says; images run through the stack it made decide as on an SDK-deployed
 * stage; a changed Threshold reaches the Lambdas through an UPDATE change set; an unchanged deploy
 * is "nothing to change"; a refused value creates no change set; the delete removes everything.
 * And the SDK-deployed stage and the template-deployed one describe the same resources.
 */

import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCloudWatchClient,
  createEventBridgeClient,
  createLambdaClient,
  createS3Client,
  createSfnClient,
  createSnsClient,
} from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import { type BundleInfo, createSfnRunner, type DeployResult, deploy } from '../../src/deploy/index.ts';
import {
  createStubPredictor,
  type EndpointServer,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';
import {
  type DeployStackOptions,
  deleteStack,
  deployStack,
  type StackDeployResult,
  StackInputError,
} from '../../src/template/index.ts';
import { eventResourceNames, resourceNames, stackNames } from '../../src/workflow/names.ts';
import { describeStage } from '../support/describe-stage.ts';
import { decideAll } from '../support/outcomes.ts';
import {
  isolatedStage,
  type SharedServer,
  sharedBundles,
  sharedServer,
} from '../support/shared-emulators/client.ts';
import { shippedTestImages, uploadAll } from '../support/test-images.ts';

const STAGE = 'cfnstack';
const SDK_STAGE = 'cfnsdk';
const names = resourceNames(STAGE);
const events = eventResourceNames(STAGE);
const IMAGES = 12;

describe('deploy --via cloudformation on MiniStack', () => {
  let ministack: SharedServer;
  let endpoint: EndpointServer;
  let bundles: BundleInfo[];
  let config: KitConfig;
  let sdkConfig: KitConfig;
  let sdk: DeployResult;
  let deployed: StackDeployResult;
  let lines: string[];

  const viaStack = (extra: Partial<DeployStackOptions> = {}) => {
    lines = [];
    return deployStack({
      config,
      bundles,
      lambdaEndpoints: { s3: ministack.url, sagemakerRuntime: endpoint.url },
      parameters: { Threshold: '0.7' },
      log: (line) => lines.push(line),
      ...extra,
    });
  };
  const lambda = () => createLambdaClient(config);
  const missingFunction = () =>
    expect(
      lambda().send(new GetFunctionCommand({ FunctionName: names.functions.classify })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

  beforeAll(async () => {
    [ministack, bundles, endpoint] = await Promise.all([
      sharedServer('ministack'),
      sharedBundles(),
      startEndpointServer({ predictor: createStubPredictor() }),
    ]);
    const env = (stage: string) =>
      loadConfig({
        SCONES_TARGET: 'emulator',
        THRESHOLD: '0.7',
        ...isolatedStage(stage),
        ...ministack.environment(),
      });
    config = env(STAGE);
    sdkConfig = env(SDK_STAGE);
    // The SDK-deployed stage the template-deployed one is compared with.
    sdk = await deploy({
      config: sdkConfig,
      bundles,
      lambdaEndpoints: { s3: ministack.url, sagemakerRuntime: endpoint.url },
      log: () => {},
    });
  }, 300_000);

  afterAll(async () => {
    if (config) await deleteStack({ config, log: () => {} }).catch(() => {});
    await endpoint?.stop();
  });

  it('plans a new stack: Add lines for every resource, and creates nothing', async () => {
    const plan = await viaStack({ plan: true });
    expect(plan).toMatchObject({ planned: true, changeSetType: 'CREATE', changed: true });
    expect(plan.changes.length).toBeGreaterThanOrEqual(34);
    expect(plan.changes.every((line) => line.trimStart().startsWith('Add'))).toBe(true);
    expect(plan.changes.some((line) => /ClassifyImageFunction\s+AWS::Lambda::Function/.test(line))).toBe(
      true,
    );
    expect(lines.at(-1)).toMatch(/plan only: change set deleted, nothing executed/);
    await missingFunction();
    // No stack is left behind in REVIEW_IN_PROGRESS: the next deploy is a CREATE again.
  }, 60_000);

  it('deploys the stack; the services describe what the template says', async () => {
    deployed = await viaStack();
    expect(deployed).toMatchObject({ changeSetType: 'CREATE', changed: true, planned: false });
    const { outputs } = deployed;
    expect(outputs.BucketName).toBe(config.bucket);

    const fn = await lambda().send(
      new GetFunctionConfigurationCommand({ FunctionName: names.functions.classify }),
    );
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Role).toMatch(new RegExp(`:role/${names.functionRoles.classify}$`));
    expect(fn.Environment?.Variables).toMatchObject({
      SCONES_STAGE: STAGE,
      SCONES_BUCKET: config.bucket,
      THRESHOLD: '0.7',
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: endpoint.url,
    });

    const machine = await createSfnClient(config).send(
      new DescribeStateMachineCommand({ stateMachineArn: outputs.StateMachineArn }),
    );
    expect(machine.name).toBe(names.stateMachine);
    expect(machine.definition).not.toContain('${');
    expect(machine.definition).toContain(`function:${names.functions.classify}`);

    const eventBridge = createEventBridgeClient(config);
    const rule = await eventBridge.send(new DescribeRuleCommand({ Name: events.rule('image-uploaded') }));
    expect(JSON.parse(rule.EventPattern ?? '{}')).toMatchObject({
      detail: { bucket: { name: [config.bucket] } },
    });
    const { Targets } = await eventBridge.send(
      new ListTargetsByRuleCommand({ Rule: events.rule('image-uploaded') }),
    );
    expect(Targets).toHaveLength(1);
    expect(Targets?.[0]?.Arn).toBe(outputs.IntakeStateMachineArn);
    expect(Targets?.[0]?.RoleArn).toMatch(new RegExp(`:role/${events.eventsRole}$`));
    expect(Targets?.[0]?.InputTransformer?.InputTemplate).toContain('<key>');

    const topic = await createSnsClient(config).send(
      new GetTopicAttributesCommand({ TopicArn: outputs.NotificationTopicArn }),
    );
    expect(topic.Attributes?.Policy).toContain(outputs.NotificationTopicArn);
    const { MetricAlarms } = await createCloudWatchClient(config).send(
      new DescribeAlarmsCommand({ AlarmNames: [events.alarms.classificationFailures] }),
    );
    expect(MetricAlarms?.[0]?.AlarmActions).toEqual([outputs.NotificationTopicArn]);
  }, 60_000);

  it('describes the same resources and settings as the SDK-deployed stage', async () => {
    const [viaSdk, viaTemplate] = await Promise.all([
      describeStage(sdkConfig, SDK_STAGE),
      describeStage(config, STAGE),
    ]);
    expect(viaTemplate.functions.length).toBe(6);
    expect(viaTemplate.stateMachines.length).toBe(4);
    expect(viaTemplate.rules.length).toBe(4);
    expect(viaTemplate.alarms.length).toBe(5);
    expect(viaTemplate).toEqual(viaSdk);
  }, 60_000);

  it('decides images on the stack it made as the SDK-deployed stage does', async () => {
    const images = (await shippedTestImages('cfn/')).slice(0, IMAGES);
    const objects = images.map((image) => ({ key: image.key, body: image.png }));
    const s3 = createS3Client(config);
    await uploadAll(s3, config.bucket, objects);
    await uploadAll(s3, sdkConfig.bucket, objects);
    const sfn = createSfnClient(config);
    const runner = (arn: string) => createSfnRunner(sfn, arn, { pollMs: 25, maxPollMs: 100 });
    const keys = images.map((image) => image.key);
    const [onStack, onSdk] = await Promise.all([
      decideAll((event) => runner(deployed.outputs.StateMachineArn ?? '').run(event), config.bucket, keys, 2),
      decideAll((event) => runner(sdk.stateMachineArn).run(event), sdkConfig.bucket, keys, 2),
    ]);
    expect(onStack.size).toBe(IMAGES);
    expect([...onStack.values()].filter((decision) => decision.decision === 'error')).toEqual([]);
    expect(Object.fromEntries(onStack)).toEqual(Object.fromEntries(onSdk));
  }, 60_000);

  it('updates Threshold through a change set: the Lambdas get it', async () => {
    const update = await viaStack({ parameters: { Threshold: '0.42' } });
    expect(update).toMatchObject({ changeSetType: 'UPDATE', changed: true });
    expect(update.changes.every((line) => line.trimStart().startsWith('Modify'))).toBe(true);
    expect(update.changes.some((line) => /ClassifyImageFunction/.test(line))).toBe(true);
    for (const name of [names.functions.classify, names.functions.filter]) {
      const fn = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      expect(fn.Environment?.Variables?.THRESHOLD, name).toBe('0.42');
    }
  }, 60_000);

  it('reports nothing to change for an unchanged deploy, and refuses a bad value before any change set', async () => {
    const again = await viaStack({ parameters: { Threshold: '0.42' } });
    expect(again).toMatchObject({ changeSetType: 'UPDATE', changed: false, changes: [] });
    expect(lines).toContain('nothing to change: the stack already has this template and these parameters');

    lines = [];
    await expect(viaStack({ parameters: { Threshold: '2' } })).rejects.toThrow(StackInputError);
    await expect(viaStack({ parameters: { Threshold: '2' } })).rejects.toThrow(/Threshold must be at most 1/);
    expect(lines.some((line) => line.includes('change set'))).toBe(false);
    const fn = await lambda().send(
      new GetFunctionConfigurationCommand({ FunctionName: names.functions.classify }),
    );
    expect(fn.Environment?.Variables?.THRESHOLD).toBe('0.42');
  }, 60_000);

  it('deletes the stack, the emptied stage bucket and the code bucket', async () => {
    const result = await deleteStack({ config, log: () => {} });
    expect(result).toMatchObject({ deletedStack: true });
    expect(result.emptiedObjects).toBeGreaterThanOrEqual(IMAGES);
    expect(result.codeObjects).toBeGreaterThan(0);
    await missingFunction();
    await expect(
      createSfnClient(config).send(
        new DescribeStateMachineCommand({ stateMachineArn: deployed.outputs.StateMachineArn }),
      ),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      createEventBridgeClient(config).send(new DescribeRuleCommand({ Name: events.rule('image-uploaded') })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const { MetricAlarms } = await createCloudWatchClient(config).send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `scones-${STAGE}-` }),
    );
    expect(MetricAlarms).toEqual([]);
    const s3 = createS3Client(config);
    for (const bucket of [config.bucket, stackNames(STAGE).codeBucket]) {
      await expect(s3.send(new HeadBucketCommand({ Bucket: bucket })), bucket).rejects.toThrow();
    }
    expect((await deleteStack({ config, log: () => {} })).deletedStack).toBe(false);
  }, 60_000);
});
