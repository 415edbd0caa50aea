/**
 * `scones up`: the embedded tier as a long-running local stack in one process. The local S3, the
 * Step Functions API and InvokeEndpoint share one fixed port on 127.0.0.1 (default 4566, where
 * tools expect a local AWS; src/embedded/gateway/), the SageMaker-runtime server (also on its own
 * port, with the stub's control routes) serves the endpoints by name: the stub, the trained model
 * deployed through the SageMaker API, or none until one is created through that API; and the
 * trigger starts an execution for every upload under the intake prefix, from any client. The
 * stack prints the variables another terminal needs, then one line per decision, per failure and
 * per failure notification. stop() drains: uploads already taken finish their executions, their
 * notifications are written, then the servers close.
 *
 * Memory stays bounded over long runs: the execution registry keeps the newest 10,000 summaries
 * (no histories), the upload times kept here are dropped at their decision and capped, and lines
 * are printed, not kept. What grows is the data itself: the local S3's index of stored objects.
 */
import path from 'node:path';
import { endpointEnvironment, LOCAL_CREDENTIALS } from '../config.ts';
import type { EmbeddedTrigger } from '../embedded/events/index.ts';
import {
  type EmbeddedRuntime,
  type PredictorFactory,
  startEmbeddedRuntime,
  type WorkflowEndpointFactory,
} from '../embedded/runtime.ts';
import type { CaptureOptions } from '../embedded/sagemaker-runtime/index.ts';
import { DEFAULT_DATA_DIR, LOCAL_ACCOUNT } from '../embedded/shared/index.ts';
import { resourceNames } from '../workflow/names.ts';
import type { Predictor } from '../workflow/predictor.ts';
import { DEFAULT_UP_PORT } from './default-port.ts';
import { decisionLine, notificationLine } from './lines.ts';
import { writeSagemakerSdkConfig } from './sagemaker-sdk-config.ts';
import { type WorkflowWatcher, watchWorkflow } from './watch.ts';
import { KIT_ROOT } from './workflow-code.ts';

export { DEFAULT_UP_PORT };

/** Upload times remembered for the e2e figure of decision lines, at most. */
const MAX_PENDING_UPLOADS = 10_000;

export interface UpOptions {
  /** Port of the local S3 and the Step Functions API (0: a free one); default 4566. */
  port?: number;
  dataDir?: string;
  /** A model held in this process, registered as the workflow's endpoint (tests); default the stub. */
  predictor?: Predictor | PredictorFactory;
  /** The workflow's endpoint decided at start (`scones up`: the trained model, or none); instead of `predictor`. */
  workflowEndpoint?: WorkflowEndpointFactory;
  capture?: CaptureOptions;
  notifyUrl?: string;
  intakePrefix?: string;
  /** Follow edits of lambdas/, statemachine/, eventrules/ under `root` (default the kit's own). */
  watch?: boolean | { root: string; debounceMs?: number };
  /** Folder of rule files when not watching; default the kit's eventrules/. */
  rulesDirectory?: string;
  /** Extra settings, as environment variables (THRESHOLD, ...). */
  env?: Record<string, string>;
  retryDelayMs?: number;
  verbose?: boolean;
  /** Decision, failure and notification lines (stdout). */
  print: (line: string) => void;
  /** Reloads, delivery problems (stderr). */
  log: (line: string) => void;
}

export interface UpStack {
  runtime: EmbeddedRuntime;
  trigger: EmbeddedTrigger;
  /** `http://127.0.0.1:<port>`: S3 and Step Functions. */
  endpoint: string;
  /** The variables a client in another terminal sets. */
  environment: Record<string, string>;
  watcher?: WorkflowWatcher;
  /** Executions running now. */
  readonly inFlight: number;
  /** Stops watching, drains in-flight executions and notifications, stops the servers. */
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export async function startUpStack(options: UpOptions): Promise<UpStack> {
  const port = options.port ?? DEFAULT_UP_PORT;
  const watchRoot = options.watch ? (options.watch === true ? KIT_ROOT : options.watch.root) : undefined;
  const rulesDirectory = watchRoot ? `${watchRoot}/eventrules` : options.rulesDirectory;
  let runtime: EmbeddedRuntime;
  try {
    runtime = await startEmbeddedRuntime({
      port,
      stepFunctionsApi: true,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.predictor ? { predictor: options.predictor } : {}),
      ...(options.workflowEndpoint ? { workflowEndpoint: options.workflowEndpoint } : {}),
      ...(options.capture ? { capture: options.capture } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      ...(options.verbose ? { verbose: true } : {}),
      trigger: {
        log: options.log,
        ...(options.notifyUrl ? { notifyUrl: options.notifyUrl } : {}),
        ...(options.intakePrefix ? { intakePrefix: options.intakePrefix } : {}),
        ...(rulesDirectory ? { rulesDirectory } : {}),
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUseError(
        `port ${port} on 127.0.0.1 is in use (another scones up, or an emulator?): stop it or choose --port`,
      );
    }
    throw error;
  }
  const trigger = runtime.trigger as EmbeddedTrigger;
  const unsubscribe = printLines(runtime, trigger, options);
  let watcher: WorkflowWatcher | undefined;
  if (watchRoot) {
    try {
      const debounce = typeof options.watch === 'object' ? options.watch.debounceMs : undefined;
      watcher = await watchWorkflow(runtime, trigger, {
        root: watchRoot,
        report: options.log,
        ...(debounce === undefined ? {} : { debounceMs: debounce }),
      });
    } catch (error) {
      unsubscribe();
      await runtime.stop();
      throw error;
    }
  }
  const endpoint = runtime.localS3.endpoint;
  const sagemakerSdkConfig = await writeSagemakerSdkConfig(
    path.resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    runtime.config.region,
    LOCAL_ACCOUNT,
  );
  return {
    runtime,
    trigger,
    endpoint,
    environment: {
      // Every service of the port; the runtime's own port also serves the endpoints the API deploys.
      ...endpointEnvironment({
        s3: endpoint,
        sfn: endpoint,
        sagemaker: endpoint,
        sagemakerRuntime: runtime.endpoint.url,
        sts: endpoint,
        cloudwatch: endpoint,
      }),
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
      // TestState and StartSyncExecution are host-prefixed (`sync-`): botocore and aws-cli would
      // call `sync-127.0.0.1`, which does not resolve, unless told to leave the prefix off.
      AWS_DISABLE_HOST_PREFIX_INJECTION: 'true',
      // The SageMaker Python SDK's defaults for this stack (sagemaker-sdk-config.ts says why).
      SAGEMAKER_USER_CONFIG_OVERRIDE: sagemakerSdkConfig,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: runtime.config.region,
      // aws-cli v1 and boto3 read this one.
      AWS_DEFAULT_REGION: runtime.config.region,
    },
    ...(watcher ? { watcher } : {}),
    get inFlight() {
      return runtime.engine.executions.runningCount;
    },
    async stop() {
      await watcher?.close();
      await runtime.stop();
      unsubscribe();
    },
  };
}

/**
 * One line per closed execution of the classification state machine (started by an upload or
 * through the API) and per failure notification. The e2e figure counts from the upload's arrival.
 */
function printLines(runtime: EmbeddedRuntime, trigger: EmbeddedTrigger, options: UpOptions): () => void {
  const classification = `:stateMachine:${resourceNames(runtime.config.stage).stateMachine}`;
  const intakePrefix = options.intakePrefix ?? runtime.config.intakePrefix;
  const uploadedAt = new Map<string, number>();
  const objectKey = (bucket: string, key: string) => `${bucket}/${key}`;
  const unsubscribeUploads = runtime.localS3.notifications.subscribe((change) => {
    if (change.kind !== 'ObjectCreated' || !change.key.startsWith(intakePrefix)) return;
    const id = objectKey(change.bucket, change.key);
    uploadedAt.delete(id);
    uploadedAt.set(id, change.time.getTime());
    if (uploadedAt.size > MAX_PENDING_UPLOADS) uploadedAt.delete(uploadedAt.keys().next().value as string);
  });
  const unsubscribeExecutions = runtime.engine.executions.subscribe((execution) => {
    if (execution.status === 'RUNNING' || !execution.stateMachineArn.endsWith(classification)) return;
    const input = (execution.input ?? {}) as { s3_bucket?: string; s3_key?: string };
    const id = objectKey(String(input.s3_bucket), String(input.s3_key));
    const uploaded = uploadedAt.get(id);
    uploadedAt.delete(id);
    options.print(decisionLine(execution, uploaded));
  });
  const unsubscribeNotifications = trigger.notifications.subscribe((record) =>
    options.print(notificationLine(record)),
  );
  return () => {
    unsubscribeUploads();
    unsubscribeExecutions();
    unsubscribeNotifications();
  };
}
