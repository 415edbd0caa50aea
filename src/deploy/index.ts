/**
 * Deploy module: one code path for every target (emulator, containers, aws).
 *
 * API (small on purpose; promote, teardown, the CLI and the tests use only this):
 *
 *   deploy(options: DeployOptions): Promise<DeployResult>
 *     Ensures, in order: the bucket; one IAM role per Lambda and one for the state machine, each with
 *     its trust policy and one least-privilege inline policy; the three Lambda functions (create, or
 *     update code when CodeSha256 differs and configuration when it drifts, then wait until
 *     LastUpdateStatus is Successful); the state machine from the one ASL file with its
 *     substitutions. Idempotent: a second run reports every resource `none` ("unchanged").
 *     `plan: true` only reads and reports what would change. Every resource is tagged
 *     `scones:kit=scones` and `scones:stage=<stage>`. Progress lines go to `log` as it goes.
 *
 *   buildBundles({ arch, outDir }): Promise<BundleInfo[]>   (re-exported from ./bundle.ts)
 *   resourceNames(stage), kitTags(stage), TAG_KIT, TAG_STAGE (./names.ts): names and tags, for teardown.
 *   createSfnRunner(sfn, stateMachineArn, options?): SfnRunner (./sfn-runner.ts): runs executions of
 *     the deployed state machine and returns the embedded engine's ExecutionRecord shape.
 *
 * Where it deploys is decided by `options.config` (src/config.ts: target, region, stage, bucket,
 * endpoint overrides). For local targets pass `lambdaEndpoints`: the URLs the Lambdas themselves
 * must use (e.g. the emulator's S3 and the local SageMaker-runtime endpoint).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  createIamClient,
  createLambdaClient,
  createS3Client,
  createSfnClient,
  createStsClient,
} from '../aws/clients.ts';
import { endpointEnvironment, type KitConfig, type Service } from '../config.ts';
import { FUNCTIONS, type FunctionKey, loadDefinition, substitutionsFor } from '../workflow/definition.ts';
import { ensureBucket } from './bucket.ts';
import { type BundleInfo, buildBundles, type LambdaArchitecture } from './bundle.ts';
import { ensureFunction } from './functions.ts';
import { arns, type DeploymentScope, kitTags, partitionOf, resourceNames } from './names.ts';
import {
  classifyPolicy,
  filterPolicy,
  type LambdaPolicyInput,
  type PolicyDocument,
  serializePolicy,
  stateMachinePolicy,
  trustPolicy,
} from './policies.ts';
import { describeChange, type ProgressLog, type ResourceChange, summarize } from './report.ts';
import { ensureRole } from './roles.ts';
import { ensureStateMachine } from './state-machine.ts';

export type { BundleInfo, LambdaArchitecture } from './bundle.ts';
export { buildBundles } from './bundle.ts';
export { KIT_NAME, kitTags, resourceNames, TAG_KIT, TAG_STAGE } from './names.ts';
export type { Change, ResourceChange, ResourceKind } from './report.ts';
export { createSfnRunner, type SfnRunner, type SfnRunnerOptions } from './sfn-runner.ts';

export interface DeployOptions {
  config: KitConfig;
  /** Prebuilt bundles (from buildBundles); built into `.scones/bundles/<arch>` when omitted. */
  bundles?: BundleInfo[];
  /** Lambda architecture when building here; default x86_64. */
  arch?: LambdaArchitecture;
  /**
   * Endpoints the deployed Lambdas must use (local targets only); they become AWS_ENDPOINT_URL_*
   * variables. Default: this process's S3 and SageMaker-runtime endpoints (right when the Lambdas
   * run as host processes, as MiniStack runs them; containers pass their network's addresses).
   */
  lambdaEndpoints?: Partial<Record<Service, string>>;
  /** Read-only: report what would change, change nothing. */
  plan?: boolean;
  /** Progress lines; default: console.log. */
  log?: ProgressLog;
}

export interface DeployResult {
  stateMachineArn: string;
  functionArns: Record<FunctionKey, string>;
  accountId: string;
  /** One entry per resource, in deployment order. */
  changes: ResourceChange[];
  /** False when a run found everything already as wanted. */
  changed: boolean;
  planned: boolean;
}

/** Memory and timeout per function: serialize decodes images with sharp, classify waits on the endpoint. */
const FUNCTION_SIZING: Record<FunctionKey, { memoryMb: number; timeoutSeconds: number; purpose: string }> = {
  serialize: { memoryMb: 1024, timeoutSeconds: 30, purpose: 'fetch, validate and normalize the image' },
  classify: { memoryMb: 256, timeoutSeconds: 60, purpose: 'invoke the SageMaker endpoint' },
  filter: { memoryMb: 128, timeoutSeconds: 10, purpose: 'apply the confidence threshold' },
};

const POLICY_FOR: Record<FunctionKey, (input: LambdaPolicyInput) => PolicyDocument> = {
  serialize: serializePolicy,
  classify: classifyPolicy,
  filter: filterPolicy,
};

const FUNCTION_KEYS = Object.keys(FUNCTIONS) as FunctionKey[];

async function deploymentScope(config: KitConfig): Promise<DeploymentScope> {
  const identity = await createStsClient(config).send(new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account id');
  return { partition: partitionOf(config.region), region: config.region, accountId: identity.Account };
}

/** By default the Lambdas of a local target use the S3 and endpoint this process uses (host processes). */
function sameEndpoints(config: KitConfig): Partial<Record<Service, string>> {
  return { s3: config.endpointFor('s3'), sagemakerRuntime: config.endpointFor('sagemakerRuntime') };
}

/** Variables every function reads through src/config.ts. */
function lambdaEnvironment(options: DeployOptions): Record<string, string> {
  const { config } = options;
  return {
    SCONES_TARGET: config.target,
    SCONES_STAGE: config.stage,
    SCONES_BUCKET: config.bucket,
    ENDPOINT_NAME: config.endpointName,
    THRESHOLD: String(config.threshold),
    REVIEW_PREFIX: config.reviewPrefix,
    // Stack traces point into the TypeScript sources (bundles ship source maps).
    NODE_OPTIONS: '--enable-source-maps',
    ...(config.target === 'aws' ? {} : endpointEnvironment(options.lambdaEndpoints ?? sameEndpoints(config))),
  };
}

async function bundlesFor(options: DeployOptions, log: ProgressLog): Promise<Map<FunctionKey, BundleInfo>> {
  let bundles = options.bundles;
  if (!bundles) {
    const arch = options.arch ?? 'x86_64';
    log(`building Lambda bundles (${arch})`);
    bundles = await buildBundles({ arch, outDir: join('.scones', 'bundles', arch) });
  }
  const byKey = new Map(bundles.map((bundle) => [bundle.key, bundle]));
  for (const key of FUNCTION_KEYS) {
    if (!byKey.has(key)) throw new Error(`No bundle for function "${key}"`);
  }
  return byKey;
}

export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const { config } = options;
  const apply = !options.plan;
  const log = options.log ?? ((line: string) => console.log(line));
  const record = (change: ResourceChange) => {
    changes.push(change);
    log(describeChange(change, !apply));
    return change;
  };
  const changes: ResourceChange[] = [];

  const scope = await deploymentScope(config);
  log(
    `${apply ? 'deploying' : 'planning'} stage "${config.stage}" to ${config.target} (account ${scope.accountId}, ${scope.region})`,
  );
  const names = resourceNames(config.stage);
  const arn = arns(scope, config);
  const tags = kitTags(config.stage);
  const bundles = await bundlesFor(options, log);

  const s3 = createS3Client(config);
  record(
    await ensureBucket(s3, { bucket: config.bucket, region: config.region, arn: arn.bucket, tags, apply }),
  );

  const iam = createIamClient(config);
  const lambda = createLambdaClient(config);
  const functionArns = {} as Record<FunctionKey, string>;
  for (const key of FUNCTION_KEYS) {
    const functionName = names.functions[key];
    const policyInput = {
      logGroupArn: arn.logGroup(`/aws/lambda/${functionName}`),
      bucketArn: arn.bucket,
      endpointArn: arn.endpoint,
    };
    const role = record(
      await ensureRole(
        iam,
        {
          name: names.functionRoles[key],
          arn: arn.role(names.functionRoles[key]),
          description: `scones ${config.stage}: execution role of ${functionName}`,
          trust: trustPolicy('lambda.amazonaws.com'),
          policyName: names.inlinePolicy,
          policy: POLICY_FOR[key](policyInput),
          tags,
        },
        apply,
      ),
    );
    const bundle = bundles.get(key) as BundleInfo;
    const sizing = FUNCTION_SIZING[key];
    const fn = record(
      await ensureFunction(
        lambda,
        {
          name: functionName,
          arn: arn.function(functionName),
          description: `scones ${config.stage}: ${sizing.purpose}`,
          roleArn: role.arn,
          zip: await readFile(bundle.zipPath),
          codeSha256: bundle.codeSha256,
          architecture: bundle.arch,
          memoryMb: sizing.memoryMb,
          timeoutSeconds: sizing.timeoutSeconds,
          environment: lambdaEnvironment(options),
          tags,
        },
        apply,
      ),
    );
    functionArns[key] = fn.arn;
  }

  const stateMachineRole = record(
    await ensureRole(
      iam,
      {
        name: names.stateMachineRole,
        arn: arn.role(names.stateMachineRole),
        description: `scones ${config.stage}: role of the image-classification state machine`,
        trust: trustPolicy('states.amazonaws.com'),
        policyName: names.inlinePolicy,
        policy: stateMachinePolicy({
          functionArns: Object.values(functionArns),
          bucketArn: arn.bucket,
          reviewPrefix: config.reviewPrefix,
        }),
        tags,
      },
      apply,
    ),
  );
  const definition = loadDefinition(
    substitutionsFor({ functionArns, reviewBucket: config.bucket, reviewPrefix: config.reviewPrefix }),
  );
  const stateMachine = record(
    await ensureStateMachine(
      createSfnClient(config),
      {
        name: names.stateMachine,
        arn: arn.stateMachine(names.stateMachine),
        roleArn: stateMachineRole.arn,
        definition,
        tags,
      },
      apply,
    ),
  );

  log(summarize(changes, !apply));
  return {
    stateMachineArn: stateMachine.arn,
    functionArns,
    accountId: scope.accountId,
    changes,
    changed: changes.some((change) => change.change !== 'none'),
    planned: !apply,
  };
}
