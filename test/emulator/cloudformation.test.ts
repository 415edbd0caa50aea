/**
 * `scones deploy --via cloudformation` on the shared MiniStack: the stage's template deployed
 * through change sets, and everything checked through the services' own APIs, never the stack's
 * status. A plan creates nothing; a deploy creates the functions, state machines, rules, topic and
 * alarms as the template says; the 200 shipped images decide on the stack it made as on the
 * embedded tier; a changed Threshold reaches the Lambdas through an UPDATE change set; a deploy
 * that gives no value keeps the stack's; a failed update is rolled back and a template
 * CloudFormation cannot read is refused, both leaving the functions as they were; a refused value
 * creates no change set; the delete removes everything. And the SDK-deployed stage and the
 * template-deployed one describe the same resources.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
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
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import {
  createStubPredictor,
  type EndpointServer,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';
import {
  type CfnTemplate,
  ChangeSetFailed,
  type DeployStackOptions,
  deleteStack,
  deployStack,
  generateTemplate,
  StackDeployFailed,
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
/** A stage whose first deployment fails. */
const FAILED_STAGE = 'cfnfail';
const names = resourceNames(STAGE);
const events = eventResourceNames(STAGE);
/** The parity of the emulator tier (test/emulator/parity.test.ts), on the stack the template made. */
const IMAGES = 200;
/** The SDK-deployed stage is compared on a few: their resources are proven equal above. */
const SDK_IMAGES = 12;

describe('deploy --via cloudformation on MiniStack', () => {
  let ministack: SharedServer;
  let endpoint: EndpointServer;
  let embedded: EmbeddedRuntime;
  let dataDir: string;
  let bundles: BundleInfo[];
  let config: KitConfig;
  let sdkConfig: KitConfig;
  let failedConfig: KitConfig;
  let sdk: DeployResult;
  let deployed: StackDeployResult;
  let lines: string[];

  const lambdaEndpoints = () => ({ s3: ministack.url, sagemakerRuntime: endpoint.url });
  const viaStack = (extra: Partial<DeployStackOptions> = {}) => {
    lines = [];
    return deployStack({
      config,
      bundles,
      lambdaEndpoints: lambdaEndpoints(),
      parameters: { Threshold: '0.7' },
      log: (line) => lines.push(line),
      ...extra,
    });
  };
  const lambda = () => createLambdaClient(config);
  const thresholds = async () => {
    const found: Record<string, string | undefined> = {};
    for (const name of [names.functions.classify, names.functions.filter]) {
      const fn = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      found[name] = fn.Environment?.Variables?.THRESHOLD;
    }
    return found;
  };
  /** The template deploy generates, changed as a reviewer or a pipeline might have. */
  const changedTemplate = (change: (template: CfnTemplate) => void, stage = config) => {
    const template = structuredClone(
      generateTemplate({ config: stage, arch: 'x86_64', lambdaEndpoints: lambdaEndpoints() }),
    );
    change(template);
    return template;
  };
  const missingFunction = () =>
    expect(
      lambda().send(new GetFunctionCommand({ FunctionName: names.functions.classify })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'scones-cfn-parity-'));
    const predictor = createStubPredictor();
    [ministack, bundles, endpoint, embedded] = await Promise.all([
      sharedServer('ministack'),
      sharedBundles(),
      startEndpointServer({ predictor }),
      // The embedded tier the stack's decisions are compared with: same stage, threshold and model.
      startEmbeddedRuntime({ dataDir, predictor, env: { ...isolatedStage(STAGE), THRESHOLD: '0.7' } }),
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
    failedConfig = env(FAILED_STAGE);
    // The SDK-deployed stage the template-deployed one is compared with.
    sdk = await deploy({
      config: sdkConfig,
      bundles,
      lambdaEndpoints: { s3: ministack.url, sagemakerRuntime: endpoint.url },
      log: () => {},
    });
  }, 300_000);

  afterAll(async () => {
    for (const stage of [config, failedConfig]) {
      if (stage) await deleteStack({ config: stage, log: () => {} }).catch(() => {});
    }
    await endpoint?.stop();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
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

  it('decides all 200 shipped test images on the stack it made as the embedded tier does', async () => {
    const images = await shippedTestImages('cfn/');
    expect(images).toHaveLength(IMAGES);
    const objects = images.map((image) => ({ key: image.key, body: image.png }));
    const keys = images.map((image) => image.key);
    const s3 = createS3Client(config);
    await Promise.all([
      uploadAll(s3, config.bucket, objects),
      uploadAll(embedded.s3, embedded.config.bucket, objects),
      uploadAll(s3, sdkConfig.bucket, objects.slice(0, SDK_IMAGES)),
    ]);
    const sfn = createSfnClient(config);
    const runner = (arn: string) => createSfnRunner(sfn, arn, { pollMs: 25, maxPollMs: 100 });
    // Four in flight, as the emulator parity: MiniStack starts a Node process per Lambda
    // environment. The embedded tier runs in this process meanwhile.
    const [onStack, onEmbedded] = await Promise.all([
      decideAll((event) => runner(deployed.outputs.StateMachineArn ?? '').run(event), config.bucket, keys, 4),
      decideAll((event) => embedded.run(event), embedded.config.bucket, keys, 4),
    ]);
    expect(onStack.size).toBe(IMAGES);
    expect([...onStack.values()].filter((decision) => decision.decision === 'error')).toEqual([]);
    const mismatches = keys.filter(
      (key) => JSON.stringify(onStack.get(key)) !== JSON.stringify(onEmbedded.get(key)),
    );
    expect(
      mismatches.map((key) => ({ key, stack: onStack.get(key), embedded: onEmbedded.get(key) })),
    ).toEqual([]);

    const onSdk = await decideAll(
      (event) => runner(sdk.stateMachineArn).run(event),
      sdkConfig.bucket,
      keys.slice(0, SDK_IMAGES),
      2,
    );
    expect(Object.fromEntries(onSdk)).toEqual(
      Object.fromEntries(keys.slice(0, SDK_IMAGES).map((key) => [key, onStack.get(key)])),
    );
  }, 120_000);

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
    // No Threshold given: the stack keeps 0.42 (UsePreviousValue), as `aws cloudformation deploy` does.
    const again = await viaStack({ parameters: {} });
    expect(again).toMatchObject({ changeSetType: 'UPDATE', changed: false, changes: [] });
    expect(lines).toContain(
      "keeping the stack's Threshold, NotifyEmail, ModelDataUrl, AlgorithmImage, EndpointInstanceType",
    );
    expect(lines).toContain('nothing to change: the stack already has this template and these parameters');

    lines = [];
    await expect(viaStack({ parameters: { Threshold: '2' } })).rejects.toThrow(StackInputError);
    await expect(viaStack({ parameters: { Threshold: '2' } })).rejects.toThrow(/Threshold must be at most 1/);
    expect(lines.some((line) => line.includes('change set'))).toBe(false);
    expect((await thresholds())[names.functions.classify]).toBe('0.42');
  }, 60_000);

  it('rolls a failed update back: the functions keep their settings, the error names the resource and the retry', async () => {
    // A template whose classify code points at an object that is not there (a pipeline that
    // uploaded the template and not the code): CloudFormation fails the function and rolls back.
    const missingCode = changedTemplate((template) => {
      const code = template.Resources.ClassifyImageFunction?.Properties?.Code as Record<string, unknown>;
      code.S3Key = 'bundles/missing/classify-image.zip';
    });
    const failed = viaStack({ template: missingCode, parameters: { Threshold: '0.3' } });
    await expect(failed).rejects.toThrow(StackDeployFailed);
    await expect(failed).rejects.toThrow(
      /ended UPDATE_ROLLBACK_COMPLETE: ClassifyImageFunction \(AWS::Lambda::Function\) failed: .*missing\/classify-image\.zip.*rolled back to what it was before this deploy; fix the cause and run the deploy again/,
    );
    // The filter Lambda's update had succeeded before the failure: the rollback undid it.
    expect(await thresholds()).toEqual({
      [names.functions.classify]: '0.42',
      [names.functions.filter]: '0.42',
    });

    // A template CloudFormation cannot read: refused with no change set, the stack as it was.
    const unknownType = changedTemplate((template) => {
      template.Resources.ExtraModel = {
        Type: 'AWS::SageMaker::Model',
        Properties: {
          ExecutionRoleArn: 'arn:aws:iam::000000000000:role/none',
          PrimaryContainer: { Image: 'x' },
        },
      };
    });
    const refused = viaStack({ template: unknownType, parameters: { Threshold: '0.3' } });
    await expect(refused).rejects.toThrow(ChangeSetFailed);
    await expect(refused).rejects.toThrow(
      /Unrecognized resource types.*AWS::SageMaker::Model.*the stack is as it was/,
    );
    expect(await thresholds()).toEqual({
      [names.functions.classify]: '0.42',
      [names.functions.filter]: '0.42',
    });

    // The retry, as the message says: the same deploy with the cause fixed succeeds.
    const retried = await viaStack({ parameters: { Threshold: '0.3' } });
    expect(retried).toMatchObject({ changeSetType: 'UPDATE', changed: true });
    expect(await thresholds()).toEqual({
      [names.functions.classify]: '0.3',
      [names.functions.filter]: '0.3',
    });
  }, 120_000);

  it('keeps nothing of a failed creation and loses nothing it did not make; the retry replaces the failed stack', async () => {
    // The stage's bucket already exists outside the stack (a stage deployed with --via sdk, or
    // made by hand), holding someone's object: early validation fails the creation.
    const s3 = createS3Client(failedConfig);
    await s3.send(new CreateBucketCommand({ Bucket: failedConfig.bucket }));
    await s3.send(new PutObjectCommand({ Bucket: failedConfig.bucket, Key: 'keep/me.txt', Body: 'data' }));
    const failed = viaStack({ config: failedConfig });
    await expect(failed).rejects.toThrow(StackDeployFailed);
    await expect(failed).rejects.toThrow(
      /scones-cfnfail ended ROLLBACK_COMPLETE: early validation failed before anything was provisioned: Bucket \(AWS::S3::Bucket\) NAME_CONFLICT_VALIDATION at \/Resources\/Bucket: .*'scones-cfnfail-images' already exists.*exists outside this stack.*Nothing of the new stack was kept; fix the cause and run the deploy again \(it deletes the failed stack first\)/,
    );
    const kept = await s3.send(new GetObjectCommand({ Bucket: failedConfig.bucket, Key: 'keep/me.txt' }));
    expect(await kept.Body?.transformToString()).toBe('data');
    await expect(
      createLambdaClient(failedConfig).send(
        new GetFunctionCommand({ FunctionName: resourceNames(FAILED_STAGE).functions.classify }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    // The fix (the bucket moved out of the way), and the retry the message names.
    await s3.send(new DeleteObjectCommand({ Bucket: failedConfig.bucket, Key: 'keep/me.txt' }));
    await s3.send(new DeleteBucketCommand({ Bucket: failedConfig.bucket }));
    const retried = await viaStack({ config: failedConfig });
    expect(retried).toMatchObject({ changeSetType: 'CREATE', changed: true });
    expect(lines).toContain(
      'deleting scones-cfnfail: its creation had failed (ROLLBACK_COMPLETE), no resource is left in it',
    );
    expect(retried.outputs.BucketName).toBe(failedConfig.bucket);
    expect((await deleteStack({ config: failedConfig, log: () => {} })).deletedStack).toBe(true);
  }, 120_000);

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
