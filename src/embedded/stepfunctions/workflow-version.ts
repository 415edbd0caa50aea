/**
 * The workflow code the embedded tier runs, as versions: the Lambdas' `createHandler`s and the ASL
 * (the repository's, or a copy `scones up --watch` bundled), each version an engine over them.
 * Versions share one state machine ARN, one execution registry and the tier's clients, so a new
 * version takes the next executions while running ones finish on theirs.
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createHandler as createClassifyHandler } from '../../../lambdas/classify-image/handler.ts';
import { createHandler as createFilterHandler } from '../../../lambdas/filter-inferences/handler.ts';
import { createHandler as createSerializeHandler } from '../../../lambdas/serialize-image-data/handler.ts';
import type { TelemetryOptions } from '../../../lambdas/shared/telemetry.ts';
import type { KitConfig } from '../../config.ts';
import {
  DEFINITION_PATH,
  type FunctionKey,
  renderDefinition,
  substitutionsFor,
} from '../../workflow/definition.ts';
import { arns, resourceNames, retrainingNames } from '../../workflow/names.ts';
import { type LambdaHandler, REPO_HANDLER_MODULES, wireHandlers } from '../functions/index.ts';
import { LOCAL_ACCOUNT } from '../shared/index.ts';
import type { StateMachineFactory } from './api/types.ts';
import { EmbeddedEngine } from './engine.ts';
import type { ExecutionRegistry } from './execution-registry.ts';
import { StateMachineRegistry } from './state-machine-registry.ts';
import type { SageMakerControlPlane, SdkIntegrationClients, WorkflowCode } from './types.ts';

/** The repository's handlers, as imported with this module. */
export const REPO_WORKFLOW_CODE: WorkflowCode = {
  handlers: {
    serialize: createSerializeHandler,
    classify: createClassifyHandler,
    filter: createFilterHandler,
  },
  modules: REPO_HANDLER_MODULES,
};

/**
 * The handler modules a thread may load for this code (functions/placement.ts): the code's own,
 * except where a copy of the repository's code replaced a handler the module would not have.
 */
export function hostableModules(code: WorkflowCode): Partial<Record<FunctionKey, string>> {
  const modules: Partial<Record<FunctionKey, string>> = {};
  for (const [key, module] of Object.entries(code.modules ?? {}) as [FunctionKey, string][]) {
    const replaced =
      code.modules === REPO_HANDLER_MODULES && code.handlers[key] !== REPO_WORKFLOW_CODE.handlers[key];
    if (module && !replaced) modules[key] = module;
  }
  return modules;
}

/** One version of the workflow code: the engine over its handlers, and the substituted ASL. */
export interface WorkflowVersion {
  engine: EmbeddedEngine;
  definition: string;
}

/** State machine, function and role names and ARNs, as a deployment of this stage would name them. */
function embeddedNames(config: KitConfig) {
  return {
    names: resourceNames(config.stage),
    arn: arns({ partition: 'aws', region: config.region, accountId: LOCAL_ACCOUNT }, config),
  };
}

/** The engine over the given handlers; every version shares the clients and the registry. */
export function createEngine(
  config: KitConfig,
  clients: { s3: S3Client; sagemakerRuntime: SageMakerRuntimeClient; sagemaker?: SageMakerControlPlane },
  telemetry: TelemetryOptions,
  code: WorkflowCode,
  retryDelayMs: number | undefined,
  executions: ExecutionRegistry,
  stateMachines: StateMachineRegistry,
  threaded?: Partial<Record<FunctionKey, LambdaHandler>>,
): WorkflowVersion {
  const { names, arn } = embeddedNames(config);
  const functionArns = {
    serialize: arn.function(names.functions.serialize),
    classify: arn.function(names.functions.classify),
    filter: arn.function(names.functions.filter),
  };
  // Here with the tier's clients, but for those hosted in a worker thread (thread-functions.ts).
  const handlers = { ...wireHandlers(code.handlers, config, clients, telemetry), ...threaded };
  const functions: Record<string, LambdaHandler> = {
    [functionArns.serialize]: handlers.serialize,
    [functionArns.classify]: handlers.classify,
    [functionArns.filter]: handlers.filter,
  };
  const definition = renderDefinition(
    substitutionsFor({ functionArns, reviewBucket: config.bucket, reviewPrefix: config.reviewPrefix }),
    code.definitions?.[path.basename(DEFINITION_PATH)],
  );
  const engine = new EmbeddedEngine({
    definition: JSON.parse(definition) as Record<string, unknown>,
    functions,
    clients: { s3: clients.s3, ...(clients.sagemaker ? { sagemaker: clients.sagemaker } : {}) },
    stateMachineArn: arn.stateMachine(names.stateMachine),
    ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
    executions,
    stateMachines,
  });
  return { engine, definition };
}

/**
 * The engine of the current version, for everything that holds on to "the engine" (the trigger,
 * the Step Functions API, callers): every member read is the current engine's, so executions start
 * on the newest code while running ones finish on the engine that started them. All versions share
 * one state machine ARN and one execution registry, so nothing else can tell them apart.
 */
export function currentEngine(current: () => EmbeddedEngine): EmbeddedEngine {
  return new Proxy(current(), {
    get(_first, property) {
      const engine = current();
      const value: unknown = Reflect.get(engine, property, engine);
      return typeof value === 'function' ? value.bind(engine) : value;
    },
  });
}

/** The role each state machine runs as, named as a deployment of this stage names it. */
/**
 * What CreateStateMachine on the tier's Step Functions API builds: an engine in the tier's account
 * and region, its integrations on the tier's clients (S3, the local SageMaker), startable by ARN.
 */
export function stateMachineFactory(
  config: KitConfig,
  clients: SdkIntegrationClients,
  stateMachines: StateMachineRegistry,
  retryDelayMs?: number,
): StateMachineFactory {
  const { arn } = embeddedNames(config);
  const engine = (
    stateMachineArn: string,
    definition: Record<string, unknown>,
    registry: StateMachineRegistry,
    executions?: ExecutionRegistry,
  ) =>
    new EmbeddedEngine({
      definition,
      functions: {},
      clients,
      stateMachineArn,
      stateMachines: registry,
      ...(executions ? { executions } : {}),
      ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
    });
  return {
    arnOf: (name) => arn.stateMachine(name),
    build: (stateMachineArn, definition, executions) =>
      engine(stateMachineArn, definition, stateMachines, executions),
    // A registry of its own: the engine registers itself there, and the tier's sees nothing.
    check: (definition) => {
      engine(arn.stateMachine('scones-validation'), definition, new StateMachineRegistry());
    },
  };
}

export function stateMachineRoles(config: KitConfig): (stateMachineName: string) => string {
  const { names, arn } = embeddedNames(config);
  const retraining = retrainingNames(config.stage);
  const roles: Record<string, string> = {
    [names.stateMachine]: names.stateMachineRole,
    [names.intakeStateMachine]: names.intakeStateMachineRole,
    [retraining.stateMachine]: retraining.stateMachineRole,
  };
  return (name) => arn.role(roles[name] ?? `${name}-role`);
}
