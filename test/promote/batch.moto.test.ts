/**
 * The batch part of a deployment against moto server: the deploy module creates SummarizeBatch
 * and its role, then the batch state machine (the one ASL file, substituted) and its role; every
 * policy statement is scoped to the stage's resources as the Step Functions guide gives them
 * (ItemReader ListBucket, ResultWriter objects under the results prefix, StartExecution of the
 * Map Run's children and of the classification, .sync's managed rule); a second deploy changes
 * nothing; teardown finds and deletes all four, then finds nothing. moto runs no execution: the
 * batch runs in test/batch/ (embedded) and test/emulator/batch.test.ts (MiniStack).
 */
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, ListTagsForResourceCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIamClient,
  createLambdaClient,
  createS3Client,
  createSfnClient,
} from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import { SYNC_EXECUTION_RULE } from '../../src/deploy/batch-policies.ts';
import { type BundleInfo, type DeployResult, deploy, resourceNames } from '../../src/deploy/index.ts';
import type { PolicyDocument, PolicyStatement } from '../../src/deploy/policies.ts';
import type { StartedMotoServer } from '../../src/emulator/moto-server.ts';
import { teardown } from '../../src/promote/index.ts';
import {
  BATCH_RESULTS_PREFIX,
  batchSubstitutionsFor,
  loadDefinition,
} from '../../src/workflow/definition.ts';
import { sharedBundles } from '../support/shared-emulators/client.ts';
import { startOwnMoto } from './support/moto-harness.ts';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const STAGE = 'motobatch';
const BUCKET = `scones-${STAGE}-${ACCOUNT}-${REGION}`;
const names = resourceNames(STAGE);
const states = `arn:aws:states:${REGION}:${ACCOUNT}`;
const bucketArn = `arn:aws:s3:::${BUCKET}`;
const KIT_TAGS = { 'scones:kit': 'scones', 'scones:stage': STAGE };

let moto: StartedMotoServer;
let config: KitConfig;
let bundles: BundleInfo[];
let deployed: DeployResult;
const savedEnv = { ...process.env };

const run = () => deploy({ config, bundles, events: false, log: () => {} });

async function inlinePolicy(role: string): Promise<PolicyDocument> {
  const { PolicyDocument } = await createIamClient(config).send(
    new GetRolePolicyCommand({ RoleName: role, PolicyName: names.inlinePolicy }),
  );
  return JSON.parse(decodeURIComponent(PolicyDocument ?? '{}')) as PolicyDocument;
}

const bySid = (policy: PolicyDocument) =>
  Object.fromEntries(policy.Statement.map(({ Sid, ...statement }) => [Sid, statement as PolicyStatement]));
const resourcesOf = (policy: PolicyDocument) =>
  policy.Statement.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource ?? '']));

beforeAll(async () => {
  // Its own moto: it tears its stage down (support/moto-harness.ts says why that is not shared).
  [moto, bundles] = await Promise.all([startOwnMoto(), sharedBundles()]);
  process.env.AWS_ACCESS_KEY_ID = 'moto-test';
  process.env.AWS_SECRET_ACCESS_KEY = 'moto-test';
  delete process.env.AWS_PROFILE;
  config = {
    ...loadConfig({ SCONES_TARGET: 'aws', SCONES_STAGE: STAGE, AWS_REGION: REGION, ...moto.environment() }),
    bucket: BUCKET,
  };
  await createS3Client(config).send(new CreateBucketCommand({ Bucket: BUCKET }));
  deployed = await run();
}, 600_000);

afterAll(async () => {
  await moto?.stop();
  process.env = savedEnv;
});

describe('the batch deployed against moto', () => {
  it('creates the summary function and its role, then the batch state machine and its role', () => {
    const batchChanges = deployed.changes
      .filter((change) =>
        [
          names.batchFunction,
          names.batchFunctionRole,
          names.batchStateMachine,
          names.batchStateMachineRole,
        ].includes(change.name),
      )
      .map((change) => `${change.change} ${change.kind} ${change.name}`);
    expect(batchChanges).toEqual([
      `create role ${names.batchFunctionRole}`,
      `create function ${names.batchFunction}`,
      `create role ${names.batchStateMachineRole}`,
      `create state-machine ${names.batchStateMachine}`,
    ]);
    expect(deployed.batchStateMachineArn).toBe(`${states}:stateMachine:${names.batchStateMachine}`);
    expect(deployed.batchFunctionArn).toBe(
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${names.batchFunction}`,
    );
  });

  it('deploys the one batch ASL with its substitutions, its role and the kit tags', async () => {
    const sfn = createSfnClient(config);
    const described = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: deployed.batchStateMachineArn }),
    );
    expect(JSON.parse(described.definition ?? '{}')).toEqual(
      loadDefinition(
        batchSubstitutionsFor({
          classificationStateMachineArn: deployed.stateMachineArn,
          summarizeFunctionArn: deployed.batchFunctionArn as string,
          resultsBucket: BUCKET,
        }),
        'batch',
      ),
    );
    expect(described.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/${names.batchStateMachineRole}`);
    const { tags = [] } = await sfn.send(
      new ListTagsForResourceCommand({ resourceArn: deployed.batchStateMachineArn }),
    );
    expect(Object.fromEntries(tags.map((tag) => [tag.key, tag.value]))).toMatchObject(KIT_TAGS);
  });

  it("scopes the batch role to the stage's state machines, bucket, results prefix and summary function", async () => {
    const policy = await inlinePolicy(names.batchStateMachineRole);
    expect(bySid(policy)).toEqual({
      RunMapRunChildren: {
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: `${states}:stateMachine:${names.batchStateMachine}`,
      },
      TrackMapRunChildren: {
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: [`${states}:execution:${names.batchStateMachine}/ClassifyImages:*`],
      },
      StartClassifications: {
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: deployed.stateMachineArn,
      },
      AwaitClassifications: {
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: `${states}:execution:${names.stateMachine}:*`,
      },
      HearClassificationsClose: {
        Effect: 'Allow',
        Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        Resource: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${SYNC_EXECUTION_RULE}`,
      },
      ListImages: { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
      WriteResults: {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        Resource: `${bucketArn}/${BATCH_RESULTS_PREFIX}*`,
      },
      InvokeSummary: {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: deployed.batchFunctionArn,
      },
    });
    // Only ARNs of this stage; a `*` only as the trailing wildcard of executions or a key prefix.
    for (const resource of resourcesOf(policy)) {
      expect(resource).toMatch(/^arn:aws:[^*]+(\/\*|:\*)?$/);
      expect(resource).toMatch(new RegExp(`scones-${STAGE}-|${SYNC_EXECUTION_RULE}`));
    }
    const role = await createIamClient(config).send(
      new GetRoleCommand({ RoleName: names.batchStateMachineRole }),
    );
    expect(JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '{}')).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('lets the summary function read and write under the results prefix only, and list nothing else', async () => {
    const policy = bySid(await inlinePolicy(names.batchFunctionRole));
    expect(policy.ReadResultsWriteSummary).toEqual({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `${bucketArn}/${BATCH_RESULTS_PREFIX}*`,
    });
    expect(policy.FindManifest).toEqual({
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn,
      Condition: { StringLike: { 's3:prefix': `${BATCH_RESULTS_PREFIX}*` } },
    });
    expect(policy.WriteOwnLogs?.Resource).toEqual([
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${names.batchFunction}`,
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${names.batchFunction}:*`,
    ]);
  });

  it('deploys the summary function from its bundle, without the workflow settings it does not read', async () => {
    const fn = await createLambdaClient(config).send(
      new GetFunctionCommand({ FunctionName: names.batchFunction }),
    );
    const bundle = bundles.find((b) => b.key === 'summarize') as BundleInfo;
    expect(fn.Configuration).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      CodeSha256: bundle.codeSha256,
      Role: `arn:aws:iam::${ACCOUNT}:role/${names.batchFunctionRole}`,
    });
    expect(fn.Configuration?.Environment?.Variables).toMatchObject({ SCONES_BUCKET: BUCKET });
    expect(fn.Configuration?.Environment?.Variables?.THRESHOLD).toBeUndefined();
    expect(fn.Tags).toMatchObject(KIT_TAGS);
  });

  it('changes nothing on a second deploy', async () => {
    const again = await run();
    expect(again.changes.filter((change) => change.change !== 'none')).toEqual([]);
  }, 120_000);

  it('tears the batch down with the rest of the stage, then finds nothing of it', async () => {
    const target = { config, region: REGION, stage: STAGE, bucket: BUCKET };
    const batchItems = (items: { type: string; name: string }[]) =>
      items
        .filter((item) =>
          [
            names.batchFunction,
            names.batchFunctionRole,
            names.batchStateMachine,
            names.batchStateMachineRole,
          ].includes(item.name),
        )
        .map((item) => `${item.type} ${item.name}`)
        .sort();
    const report = await teardown({ ...target, keepData: true });
    expect(batchItems(report.deleted)).toEqual(
      [
        `iam role ${names.batchFunctionRole}`,
        `iam role ${names.batchStateMachineRole}`,
        `lambda function ${names.batchFunction}`,
        `step functions state machine ${names.batchStateMachine}`,
      ].sort(),
    );
    expect(batchItems((await teardown({ ...target, keepData: true, plan: true })).deleted)).toEqual([]);
  }, 120_000);
});
