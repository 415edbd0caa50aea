/**
 * The deploy module against MiniStack: plan changes nothing, the first run creates every resource,
 * a second run changes nothing and says so, drift in configuration or code is brought back, every
 * resource carries the kit's tags, and the IAM documents are scoped to the stage's resources.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRoleCommand, GetRolePolicyCommand, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { GetFunctionCommand, GetFunctionConfigurationCommand, ListTagsCommand } from '@aws-sdk/client-lambda';
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, ListTagsForResourceCommand } from '@aws-sdk/client-sfn';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIamClient,
  createLambdaClient,
  createS3Client,
  createSfnClient,
} from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import {
  type BundleInfo,
  type DeployOptions,
  deploy,
  kitTags,
  resourceNames,
} from '../../src/deploy/index.ts';
import { codeSha256, deterministicZip } from '../../src/deploy/zip.ts';
import { loadDefinition, substitutionsFor } from '../../src/workflow/definition.ts';
import { retrainingNames } from '../../src/workflow/names.ts';
import {
  isolatedStage,
  type SharedServer,
  sharedBundles,
  sharedServer,
} from '../support/shared-emulators/client.ts';

const ENDPOINT_URL = 'http://127.0.0.1:9'; // never called here: no execution runs in this file
const stage = 'deploytest';
const names = resourceNames(stage);
const tags = kitTags(stage);
const retraining = retrainingNames(stage);
const functionNameOf = (key: BundleInfo['key']) =>
  key === 'summarize'
    ? names.batchFunction
    : key === 'build' || key === 'evaluate'
      ? retraining.functions[key]
      : names.functions[key];

describe('deploy module against MiniStack', () => {
  let ministack: SharedServer;
  let config: KitConfig;
  let bundles: BundleInfo[];
  let lines: string[];

  const run = (extra: Partial<DeployOptions> = {}, env: Record<string, string> = {}) => {
    lines = [];
    return deploy({
      config: loadConfig({
        SCONES_TARGET: 'emulator',
        ...isolatedStage(stage),
        ...env,
        ...ministack.environment(),
      }),
      bundles,
      lambdaEndpoints: { s3: ministack.url, sagemakerRuntime: ENDPOINT_URL },
      log: (line) => lines.push(line),
      ...extra,
    });
  };

  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'scones-deploy-test-'));
    [bundles, ministack] = await Promise.all([sharedBundles(), sharedServer('ministack')]);
    config = loadConfig({ SCONES_TARGET: 'emulator', ...isolatedStage(stage), ...ministack.environment() });
  }, 600_000);

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('plans every resource as a creation and changes nothing', async () => {
    const plan = await run({ plan: true });
    expect(plan.planned).toBe(true);
    expect(plan.changes.map((c) => `${c.kind}:${c.change}`)).toEqual([
      'bucket:create',
      'role:create',
      'function:create',
      'role:create',
      'function:create',
      'role:create',
      'function:create',
      'role:create',
      'state-machine:create',
      'role:create',
      'state-machine:create',
      // the batch: SummarizeBatch's role and function, the batch state machine's role and itself
      'role:create',
      'function:create',
      'role:create',
      'state-machine:create',
      // the retraining: BuildTrainingSet's and EvaluateCandidate's roles and functions, the
      // retraining state machine's role and itself
      'role:create',
      'function:create',
      'role:create',
      'function:create',
      'role:create',
      'state-machine:create',
      // the event-driven part (test/emulator/events.test.ts runs it)
      'topic:create',
      'role:create',
      // execution-failed, image-uploaded, and the two that start the retraining
      'event-rule:create',
      'event-rule:create',
      'event-rule:create',
      'event-rule:create',
      'bucket-events:create',
      'alarm:create',
      'alarm:create',
      'alarm:create',
      // the retraining's rollout alarm and the reviewed-labels alarm that starts it
      'alarm:create',
      'alarm:create',
    ]);
    expect(lines.some((line) => line.startsWith('would create'))).toBe(true);
    await expect(
      createLambdaClient(config).send(new GetFunctionCommand({ FunctionName: names.functions.serialize })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  }, 60_000);

  it('creates everything on the first run, then finds nothing to change and says so', async () => {
    const first = await run();
    expect(first.changes.every((c) => c.change === 'create')).toBe(true);
    expect(first.stateMachineArn).toBe(
      `arn:aws:states:us-east-1:${first.accountId}:stateMachine:${names.stateMachine}`,
    );

    const second = await run();
    expect(second.changed).toBe(false);
    expect(second.changes.map((c) => c.change)).toEqual(Array(33).fill('none'));
    expect(lines.at(-1)).toBe('33 resources, nothing to change');
  }, 120_000);

  it('deploys the bundles as built, configured for the local endpoints, and waits until updated', async () => {
    const lambda = createLambdaClient(config);
    for (const bundle of bundles) {
      const fn = await lambda.send(
        new GetFunctionConfigurationCommand({
          FunctionName: functionNameOf(bundle.key),
        }),
      );
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        CodeSha256: bundle.codeSha256,
        Architectures: ['x86_64'],
        LastUpdateStatus: 'Successful',
      });
      // The batch's and the retraining's functions read S3 only: the workflow's settings are not in their environment.
      expect(fn.Environment?.Variables).toMatchObject(
        ['summarize', 'build', 'evaluate'].includes(bundle.key)
          ? { AWS_ENDPOINT_URL_S3: ministack.url, SCONES_BUCKET: config.bucket }
          : {
              ENDPOINT_NAME: config.endpointName,
              THRESHOLD: String(config.threshold),
              AWS_ENDPOINT_URL_S3: ministack.url,
              AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: ENDPOINT_URL,
            },
      );
    }
  });

  it('deploys the state machine from the one ASL file with its substitutions', async () => {
    const { stateMachineArn, functionArns } = await run({ plan: true });
    const described = await createSfnClient(config).send(
      new DescribeStateMachineCommand({ stateMachineArn }),
    );
    const expected = loadDefinition(
      substitutionsFor({ functionArns, reviewBucket: config.bucket, reviewPrefix: config.reviewPrefix }),
    );
    expect(JSON.parse(described.definition ?? '{}')).toEqual(expected);
    expect(described.roleArn).toContain(`:role/${names.stateMachineRole}`);
  });

  it('tags every resource with the kit and the stage', async () => {
    const { stateMachineArn, functionArns } = await run({ plan: true });
    const iam = createIamClient(config);
    const lambda = createLambdaClient(config);
    const bucketTags = await createS3Client(config).send(
      new GetBucketTaggingCommand({ Bucket: config.bucket }),
    );
    expect(Object.fromEntries((bucketTags.TagSet ?? []).map((t) => [t.Key, t.Value]))).toMatchObject(tags);
    for (const role of [...Object.values(names.functionRoles), names.stateMachineRole]) {
      const { Tags = [] } = await iam.send(new ListRoleTagsCommand({ RoleName: role }));
      expect(Object.fromEntries(Tags.map((t) => [t.Key, t.Value])), role).toMatchObject(tags);
    }
    for (const arn of Object.values(functionArns)) {
      expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, arn).toMatchObject(tags);
    }
    const sfnTags = await createSfnClient(config).send(
      new ListTagsForResourceCommand({ resourceArn: stateMachineArn }),
    );
    expect(Object.fromEntries((sfnTags.tags ?? []).map((t) => [t.key, t.value]))).toMatchObject(tags);
  });

  it('scopes every policy statement to the stage resources, never `*`', async () => {
    const { functionArns, accountId } = await run({ plan: true });
    const iam = createIamClient(config);
    const policyOf = async (role: string) => {
      const { PolicyDocument } = await iam.send(
        new GetRolePolicyCommand({ RoleName: role, PolicyName: names.inlinePolicy }),
      );
      return JSON.parse(decodeURIComponent(PolicyDocument ?? '{}')) as {
        Statement: { Action: string | string[]; Resource: string | string[] }[];
      };
    };
    const resourcesOf = (policy: Awaited<ReturnType<typeof policyOf>>) =>
      policy.Statement.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));

    const serialize = resourcesOf(await policyOf(names.functionRoles.serialize));
    expect(serialize).toContain(`arn:aws:s3:::${config.bucket}/*`);
    const classify = resourcesOf(await policyOf(names.functionRoles.classify));
    expect(classify).toContain(`arn:aws:sagemaker:us-east-1:${accountId}:endpoint/${config.endpointName}`);
    const stateMachine = await policyOf(names.stateMachineRole);
    expect(resourcesOf(stateMachine)).toEqual(
      expect.arrayContaining([...Object.values(functionArns), `arn:aws:s3:::${config.bucket}/review/*`]),
    );
    for (const role of [...Object.values(names.functionRoles), names.stateMachineRole]) {
      const resources = resourcesOf(await policyOf(role));
      // Only ARNs; a `*` only as the trailing wildcard of a key prefix or log streams.
      expect(
        resources.filter((r) => !/^arn:[^*]+(\/\*|:\*)?$/.test(r)),
        role,
      ).toEqual([]);
      expect(resources, role).not.toContain('*');
      const trust = JSON.parse(
        decodeURIComponent(
          (await iam.send(new GetRoleCommand({ RoleName: role }))).Role?.AssumeRolePolicyDocument ?? '{}',
        ),
      );
      const service = role === names.stateMachineRole ? 'states.amazonaws.com' : 'lambda.amazonaws.com';
      expect(trust.Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' },
      ]);
    }
    for (const role of Object.values(names.functionRoles)) {
      for (const resource of resourcesOf(await policyOf(role)).filter((r) => r.includes(':logs:'))) {
        expect(resource).toMatch(new RegExp(`log-group:/aws/lambda/scones-${stage}-`));
      }
    }
  });

  it('brings configuration drift back: a new threshold updates the three functions only', async () => {
    const changed = await run({}, { THRESHOLD: '0.9' });
    expect(
      changed.changes.filter((c) => c.change !== 'none').map((c) => `${c.kind}:${c.name}:${c.reasons}`),
    ).toEqual(Object.values(names.functions).map((name) => `function:${name}:environment`));
    const fn = await createLambdaClient(config).send(
      new GetFunctionConfigurationCommand({ FunctionName: names.functions.filter }),
    );
    expect(fn.Environment?.Variables?.THRESHOLD).toBe('0.9');
    expect(fn.LastUpdateStatus).toBe('Successful');
  }, 120_000);

  it('updates the code of a function whose bundle changed, by CodeSha256', async () => {
    const filter = bundles.find((b) => b.key === 'filter') as BundleInfo;
    const files = new Map(Object.entries(unzipSync(await readFile(filter.zipPath))));
    files.set('CHANGED.txt', new TextEncoder().encode('a rebuilt bundle'));
    const zip = deterministicZip(files);
    const zipPath = join(scratch, 'changed-filter-inferences.zip');
    await writeFile(zipPath, zip);
    const changedBundles = bundles.map((b) =>
      b === filter ? { ...b, zipPath, codeSha256: codeSha256(zip) } : b,
    );

    const result = await run({ bundles: changedBundles }, { THRESHOLD: '0.9' });
    expect(result.changes.filter((c) => c.change !== 'none').map((c) => `${c.name}:${c.reasons}`)).toEqual([
      `${names.functions.filter}:code`,
    ]);
    const fn = await createLambdaClient(config).send(
      new GetFunctionConfigurationCommand({ FunctionName: names.functions.filter }),
    );
    expect(fn.CodeSha256).toBe(codeSha256(zip));
    expect(fn.LastUpdateStatus).toBe('Successful');
  }, 120_000);
});
