/**
 * The shapes of a target: where the kit's workflow runs and its data lives. A started target gives
 * what a command needs of it (clients, names, the workflow's state machines) and `stop()`, as a
 * started container of testcontainers-node gives its host, ports and `stop()`.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { STSClient } from '@aws-sdk/client-sts';
import type { KitConfig, Target } from '../config.ts';
import type { EmbeddedRuntime, EmbeddedRuntimeOptions } from '../embedded/runtime.ts';
import type { UpStack } from '../up/stack.ts';
import type { BatchInput } from '../workflow/batch-types.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import type { ImageEvent } from '../workflow/types.ts';

/**
 * How a target is reached:
 * - `embedded`: the embedded tier started in this process for the command (the whole runtime, or
 *   only its local S3 over the data folder);
 * - `stack`: a local stack (`scones up`): its S3 and Step Functions API on one port;
 * - `deployed`: a deployed stack (emulator, compose, AWS), which differ only by config.
 */
export type TargetKind = 'embedded' | 'stack' | 'deployed';

/** The workflow's state machines, by role. */
export type StateMachineRole = 'classification' | 'batch' | 'retraining';

/** Names of the target's resources, as its config and the deployment's naming give them. */
export interface TargetNames {
  stage: string;
  bucket: string;
  /** The SageMaker endpoint the classify Lambda invokes. */
  endpointName: string;
  intakePrefix: string;
  reviewPrefix: string;
  /** State machine names (resourceNames of the stage); their ARNs: `StartedTarget.stateMachineArn`. */
  stateMachines: Record<StateMachineRole, string>;
  /** Where the embedded tier keeps its data (this process's runtime or store); else undefined. */
  dataDir?: string;
  /** The embedded runtime's log file of this run (the Lambdas' JSON log records and EMF metrics). */
  logFile?: string;
}

/**
 * Clients of the target's services, each built from its config on first use (a command that reads
 * only S3 loads no other SDK package) and destroyed by `stop()`. A service the target has no
 * endpoint for throws the config module's MissingEndpointError, naming the variable to set.
 */
export interface TargetClients {
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  readonly sagemakerRuntime: SageMakerRuntimeClient;
  /** The control plane (the model registry, endpoint configs): `scones monitor`'s model versions. */
  readonly sagemaker: SageMakerClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sts: STSClient;
}

/** Where the target is, known before anything is started or connected. */
export interface TargetPlacement {
  kind: TargetKind;
  target: Target;
  /** The target as the user named it (`compose` stays `compose`), for messages. */
  name: string;
}

export interface StartedTarget extends TargetPlacement {
  /** Endpoints, credentials, region and settings: what every client of the target is built from. */
  readonly config: KitConfig;
  readonly names: TargetNames;
  readonly clients: TargetClients;
  /** The embedded runtime when the workflow runs in this process; undefined elsewhere. */
  readonly runtime?: EmbeddedRuntime;
  /** The AWS account, when the request's `resolveAws` found the stage in one. */
  readonly accountId?: string;
  /** The ARN of a state machine; rejects, saying how to deploy it, when the target has none. */
  stateMachineArn(role?: StateMachineRole): Promise<string>;
  /** Runs the classification state machine for one image and waits for the execution to close. */
  run(event: ImageEvent, name?: string): Promise<ExecutionRecord>;
  /** Runs the batch state machine (every image under a prefix) and waits for it to close. */
  runBatch(input: BatchInput, name: string): Promise<ExecutionRecord>;
  /** Runs the retraining state machine (statemachine/model-retraining.asl.json) and waits for it to close. */
  runRetraining(input: Record<string, unknown>, name: string): Promise<ExecutionRecord>;
  /** Stops what was started for this target and destroys its clients; what was running stays. */
  stop(): Promise<void>;
}

/** The embedded tier started in this process: the whole runtime. */
export interface EmbeddedTarget extends StartedTarget {
  readonly runtime: EmbeddedRuntime;
}

/** A local stack started in this process (`scones up`), reached through its endpoints as any other. */
export interface LocalStackTarget extends StartedTarget {
  readonly runtime: EmbeddedRuntime;
  readonly stack: UpStack;
}

/** What the embedded target starts: the whole runtime, or only its local S3 over the data folder. */
export type EmbeddedStart =
  | { runtime?: EmbeddedRuntimeOptions }
  | {
      /**
       * Only the local S3 over `<data dir>/s3`: `read` needs data there already (no bucket is
       * made); `write` makes the bucket when it is missing.
       */
      store: 'read' | 'write';
      /** Settings (bucket, prefixes) from this environment; default the request's `env`. */
      env?: NodeJS.ProcessEnv;
    };

/** A stage found in an AWS account (e.g. promote's resolveTarget: its naming, the account from STS). */
export interface AwsStage {
  config: KitConfig;
  accountId: string;
}

export interface TargetRequest {
  /** As the user gives it: `embedded` (default), `emulator`, `containers` or `compose`, `aws`. */
  target?: string;
  /** Settings and endpoints of deployed targets and of a running stack; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Embedded: the data folder; default `.scones/embedded`. */
  dataDir?: string;
  /** Embedded: what to start in this process; default the whole runtime. */
  embedded?: EmbeddedStart;
  /**
   * Embedded: use a running local stack (`scones up`) instead when its S3 endpoint is given here or
   * configured (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL in `env`, or in this `env`).
   */
  runningStack?: { endpointUrl?: string; env?: NodeJS.ProcessEnv };
  /** AWS: how the stage is found (e.g. promote's resolveTarget); default the environment's config. */
  resolveAws?: () => Promise<AwsStage>;
  /** Deployed: another bucket or endpoint name than the config's. */
  deployedOverrides?: { bucket?: string; endpointName?: string };
  /** Stack and deployed: also fetch each execution's history (the embedded engine always keeps it). */
  history?: boolean;
  /** Called before anything starts or connects: throws on options the placement does not take. */
  check?: (placement: TargetPlacement) => void;
}
