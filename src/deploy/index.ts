/**
 * Deploy module: one code path for every target (emulator, containers, aws).
 *
 * API (small on purpose; promote, teardown, the CLI and the tests use only this):
 *
 *   deploy(options: DeployOptions): Promise<DeployResult>
 *     Ensures, in order: the bucket; one IAM role per Lambda and one for the state machine, each with
 *     its trust policy and one least-privilege inline policy; the three Lambda functions (create, or
 *     update code when CodeSha256 differs and configuration when it drifts, then wait until
 *     LastUpdateStatus is Successful; `functions: false` skips them); the state machine from the one
 *     ASL file with its substitutions; then the intake state machine (the uploads' EventBridge
 *     target, statemachine/image-intake.asl.json) and its role, allowed states:StartExecution on
 *     the classification state machine only; the batch (batch.ts) and the retraining (retraining.ts:
 *     BuildTrainingSet, EvaluateCandidate, the model-retraining state machine and the roles, the
 *     state machine's allowed SageMaker actions on the stage's names only). Idempotent: a second run reports every resource `none`
 *     ("unchanged"). `plan: true` only reads and reports what would change. Every resource is tagged
 *     `scones:kit=scones` and `scones:stage=<stage>`. Progress lines go to `log` as it goes.
 *     Before any of it, every definition it will send is validated (definitions.ts, src/asl/): an
 *     invalid one refuses the deploy with an InvalidDefinitionError, nothing created.
 *     Then the event-driven part (event-wiring.ts, `events: false` skips it): the failure topic
 *     (SNS, policy: only the failure rule and the stage's alarms publish; `notifyEmail` subscribes an
 *     address), EventBridge's role (StartExecution on the intake only), the rules of `eventrules/`
 *     with their targets and InputTransformer, the bucket's EventBridge notifications (other
 *     notification configurations kept), and the CloudWatch alarms (`alarms` thresholds; with the
 *     retraining, the rollout alarm its canary is rolled back on: src/workflow/rollout-alarm.ts).
 *
 *   buildBundles({ arch, outDir }): Promise<BundleInfo[]>   (re-exported from ./bundle.ts)
 *   readBundles(dir, arch): the zips a `scones build --out dir` left there (re-exported)
 *   resourceNames(stage), kitTags(stage), TAG_KIT, TAG_STAGE (src/workflow/names.ts): names and tags, for teardown.
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
import {
  BATCH_FUNCTIONS,
  type BatchFunctionKey,
  type DefinitionName,
  FUNCTIONS,
  type FunctionKey,
  intakeSubstitutionsFor,
  loadDefinition,
  RETRAINING_FUNCTIONS,
  type RetrainingFunctionKey,
  substitutionsFor,
} from '../workflow/definition.ts';
import { arns, type DeploymentScope, partitionOf } from '../workflow/names.ts';
import type { AlarmSettings } from './alarms.ts';
import { deployBatch } from './batch.ts';
import { ensureBucket } from './bucket.ts';
import { type BundleInfo, buildBundles, KIT_ROOT, type LambdaArchitecture } from './bundle.ts';
import { checkDefinitions } from './definitions.ts';
import { deployEventWiring } from './event-wiring.ts';
import { ensureFunction } from './functions.ts';
import { describeChange, type ProgressLog, type ResourceChange, summarize } from './report.ts';
import { deployRetraining } from './retraining.ts';
import { ensureRole } from './roles.ts';
import { lambdaEnvironment, stageSpecs } from './specs.ts';
import { ensureStateMachine } from './state-machine.ts';

export { InvalidDefinitionError } from '../asl/index.ts';
export { KIT_NAME, kitTags, resourceNames, TAG_KIT, TAG_STAGE } from '../workflow/names.ts';
export type { BundleInfo, LambdaArchitecture } from './bundle.ts';
export { BundlesMissing, buildBundles, readBundles } from './bundle.ts';
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
  /**
   * False: deploy the function roles and the state machine but not the functions, whose ARNs the
   * state machine still names; for an engine that cannot run functions (LocalStack without a
   * container engine), where the test cases mock the Lambda states. Default true.
   */
  functions?: boolean;
  /**
   * False: leave out the event-driven part (rules, bucket notifications, topic, alarms), for an
   * emulator without EventBridge, SNS or CloudWatch. Default true.
   */
  events?: boolean;
  /** Adds an email subscription to the failure topic (AWS emails a confirmation link first). */
  notifyEmail?: string;
  /** Thresholds of the CloudWatch alarms (alarms.ts ALARM_DEFAULTS). */
  alarms?: Partial<AlarmSettings>;
  /**
   * False: leave out the batch (statemachine/image-batch.asl.json, its SummarizeBatch function and
   * their roles: batch.ts). Default true.
   */
  batch?: boolean;
  /**
   * False: leave out the retraining (statemachine/model-retraining.asl.json, BuildTrainingSet,
   * EvaluateCandidate, their roles and the rollout alarm: retraining.ts). Default true.
   */
  retraining?: boolean;
  /**
   * ASL templates (with their `${...}` placeholders) to deploy in place of statemachine/'s files:
   * an edited copy. Validated like the files.
   */
  definitions?: Partial<Record<DefinitionName, string>>;
  /** Progress lines; default: console.log. */
  log?: ProgressLog;
}

export interface DeployResult {
  /** The classification state machine. */
  stateMachineArn: string;
  /** The intake state machine: the target the image-uploaded EventBridge rule starts. */
  intakeStateMachineArn: string;
  /** The batch state machine and its summary function (absent with `batch: false`). */
  batchStateMachineArn?: string;
  batchFunctionArn?: string;
  /** The retraining state machine and its two functions (absent with `retraining: false`). */
  retrainingStateMachineArn?: string;
  retrainingFunctionArns?: Record<RetrainingFunctionKey, string>;
  functionArns: Record<FunctionKey, string>;
  accountId: string;
  /** The failure topic and the rules by file id (absent with `events: false`). */
  notificationTopicArn?: string;
  eventRuleArns?: Record<string, string>;
  /** One entry per resource, in deployment order. */
  changes: ResourceChange[];
  /** False when a run found everything already as wanted. */
  changed: boolean;
  planned: boolean;
}

const FUNCTION_KEYS = Object.keys(FUNCTIONS) as FunctionKey[];
const BATCH_FUNCTION_KEYS = Object.keys(BATCH_FUNCTIONS) as BatchFunctionKey[];
const RETRAINING_FUNCTION_KEYS = Object.keys(RETRAINING_FUNCTIONS) as RetrainingFunctionKey[];

async function deploymentScope(config: KitConfig): Promise<DeploymentScope> {
  const identity = await createStsClient(config).send(new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account id');
  return { partition: partitionOf(config.region), region: config.region, accountId: identity.Account };
}

async function bundlesFor(
  options: DeployOptions,
  log: ProgressLog,
): Promise<Map<BundleInfo['key'], BundleInfo>> {
  let bundles = options.bundles;
  if (!bundles) {
    const arch = options.arch ?? 'x86_64';
    log(`building Lambda bundles (${arch})`);
    bundles = await buildBundles({ arch, outDir: join(KIT_ROOT, '.scones', 'bundles', arch) });
  }
  const byKey = new Map(bundles.map((bundle) => [bundle.key, bundle]));
  for (const key of [
    ...FUNCTION_KEYS,
    ...(options.batch === false ? [] : BATCH_FUNCTION_KEYS),
    ...(options.retraining === false ? [] : RETRAINING_FUNCTION_KEYS),
  ]) {
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
  const environment = lambdaEnvironment(config, options.lambdaEndpoints);
  // Before anything is built or created: a definition AWS would refuse stops the deploy here.
  await checkDefinitions({
    config,
    scope,
    arn,
    environment,
    batch: options.batch !== false,
    retraining: options.retraining !== false,
    ...(options.definitions ? { templates: options.definitions } : {}),
  });
  log('state machine definitions: valid');
  const bundles = options.functions === false ? undefined : await bundlesFor(options, log);
  if (!bundles) log('functions: not deployed (functions: false); the state machine names their ARNs');

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
    if (!bundles) {
      functionArns[key] = arn.function(specs.names.functions[key]);
      continue;
    }
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
    'classification',
    options.definitions?.classification,
  );
  const sfn = createSfnClient(config);
  const stateMachine = record(
    await ensureStateMachine(sfn, specs.stateMachine(stateMachineRole.arn, definition), apply),
  );
  const intakeRole = record(await ensureRole(iam, specs.intakeRole(stateMachine.arn), apply));
  const intakeDefinition = loadDefinition(
    intakeSubstitutionsFor({ classificationStateMachineArn: stateMachine.arn }),
    'intake',
    options.definitions?.intake,
  );
  const intake = record(
    await ensureStateMachine(sfn, specs.intakeStateMachine(intakeRole.arn, intakeDefinition), apply),
  );

  const batch =
    options.batch === false
      ? undefined
      : await deployBatch({
          config,
          scope,
          arn,
          iam,
          lambda,
          sfn,
          bundle: bundles?.get('summarize'),
          environment,
          classificationStateMachineArn: stateMachine.arn,
          ...(options.definitions?.batch ? { template: options.definitions.batch } : {}),
          apply,
          record,
        });

  const retraining =
    options.retraining === false
      ? undefined
      : await deployRetraining({
          config,
          scope,
          arn,
          iam,
          lambda,
          sfn,
          bundles: bundles && {
            build: bundles.get('build') as BundleInfo,
            evaluate: bundles.get('evaluate') as BundleInfo,
          },
          environment,
          ...(options.definitions?.retraining ? { template: options.definitions.retraining } : {}),
          apply,
          record,
        });

  const wiring =
    options.events === false
      ? undefined
      : await deployEventWiring({
          config,
          accountId: scope.accountId,
          arn,
          stateMachineArn: stateMachine.arn,
          intakeStateMachineArn: intake.arn,
          ...(retraining ? { retrainingStateMachineArn: retraining.stateMachineArn } : {}),
          ...(options.notifyEmail ? { notifyEmail: options.notifyEmail } : {}),
          ...(options.alarms ? { alarms: options.alarms } : {}),
          apply,
          record,
        });

  log(summarize(changes, !apply));
  return {
    stateMachineArn: stateMachine.arn,
    intakeStateMachineArn: intake.arn,
    ...(batch ? { batchStateMachineArn: batch.stateMachineArn, batchFunctionArn: batch.functionArn } : {}),
    ...(retraining
      ? {
          retrainingStateMachineArn: retraining.stateMachineArn,
          retrainingFunctionArns: retraining.functionArns,
        }
      : {}),
    functionArns,
    accountId: scope.accountId,
    ...(wiring ? { notificationTopicArn: wiring.topicArn, eventRuleArns: wiring.ruleArns } : {}),
    changes,
    changed: changes.some((change) => change.change !== 'none'),
    planned: !apply,
  };
}
