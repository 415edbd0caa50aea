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
 * endpoint overrides). On local targets `lambdaEndpoints` are the URLs the Lambdas themselves use
 * (default: this process's S3 and SageMaker-runtime endpoints, right for MiniStack's host-process
 * Lambdas; a container network passes its own addresses). On `aws` no override is set.
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
import type { KitConfig, Service } from '../config.ts';
import { FUNCTIONS, type FunctionKey, loadDefinition, substitutionsFor } from '../workflow/definition.ts';
import { ensureBucket } from './bucket.ts';
import { type BundleInfo, buildBundles, KIT_ROOT, type LambdaArchitecture } from './bundle.ts';
import { ensureFunction } from './functions.ts';
import { arns, type DeploymentScope, partitionOf } from './names.ts';
import { describeChange, type ProgressLog, type ResourceChange, summarize } from './report.ts';
import { ensureRole } from './roles.ts';
import { lambdaEnvironment, stageSpecs } from './specs.ts';
import { ensureStateMachine } from './state-machine.ts';

export type { BundleInfo, LambdaArchitecture } from './bundle.ts';
export { buildBundles } from './bundle.ts';
export { KIT_NAME, kitTags, resourceNames, TAG_KIT, TAG_STAGE } from './names.ts';
export type { Change, ResourceChange, ResourceKind } from './report.ts';
export { createSfnRunner, type SfnRunner, type SfnRunnerOptions } from './sfn-runner.ts';

export interface DeployOptions {
  config: KitConfig;
  /** Prebuilt bundles (from buildBundles); built into `<kit>/.scones/bundles/<arch>` when omitted. */
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

const FUNCTION_KEYS = Object.keys(FUNCTIONS) as FunctionKey[];

async function deploymentScope(config: KitConfig): Promise<DeploymentScope> {
  const identity = await createStsClient(config).send(new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account id');
  return { partition: partitionOf(config.region), region: config.region, accountId: identity.Account };
}

async function bundlesFor(options: DeployOptions, log: ProgressLog): Promise<Map<FunctionKey, BundleInfo>> {
  let bundles = options.bundles;
  if (!bundles) {
    const arch = options.arch ?? 'x86_64';
    log(`building Lambda bundles (${arch})`);
    bundles = await buildBundles({ arch, outDir: join(KIT_ROOT, '.scones', 'bundles', arch) });
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
  const arn = arns(scope, config);
  const specs = stageSpecs(config, arn);
  const bundles = await bundlesFor(options, log);
  const environment = lambdaEnvironment(config, options.lambdaEndpoints);

  const s3 = createS3Client(config);
  record(
    await ensureBucket(s3, {
      bucket: config.bucket,
      region: config.region,
      arn: arn.bucket,
      tags: specs.tags,
      apply,
    }),
  );

  const iam = createIamClient(config);
  const lambda = createLambdaClient(config);
  const functionArns = {} as Record<FunctionKey, string>;
  for (const key of FUNCTION_KEYS) {
    const role = record(await ensureRole(iam, specs.functionRole(key), apply));
    const bundle = bundles.get(key) as BundleInfo;
    const zip = await readFile(bundle.zipPath);
    const fn = record(
      await ensureFunction(
        lambda,
        specs.function(key, { roleArn: role.arn, bundle, zip, environment }),
        apply,
      ),
    );
    functionArns[key] = fn.arn;
  }

  const stateMachineRole = record(
    await ensureRole(iam, specs.stateMachineRole(Object.values(functionArns)), apply),
  );
  const definition = loadDefinition(
    substitutionsFor({ functionArns, reviewBucket: config.bucket, reviewPrefix: config.reviewPrefix }),
  );
  const stateMachine = record(
    await ensureStateMachine(
      createSfnClient(config),
      specs.stateMachine(stateMachineRole.arn, definition),
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
