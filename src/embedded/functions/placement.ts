/**
 * Which of the kit's functions run in which thread of the embedded tier: serialize in the local
 * S3's thread (its GET is answered in the thread that makes it); classify and filter with the
 * engine. (Classify in a thread of its own was measured: 825 executions/s at c16 against 885, as
 * three busy threads on two cores cost more in hops and scheduling than they spread.) A function
 * runs in a thread only when the code names its module (thread-functions.ts imports it there) and
 * no handler replaces the module's; otherwise it stays with the engine.
 */
import type { LineSink } from '../../../lambdas/shared/telemetry.ts';
import type { FunctionKey } from '../../workflow/definition.ts';
import type { LocalS3 } from '../s3/server.ts';
import type { LambdaHandler } from '../stepfunctions/integrations/lambda.ts';
import { REPO_WORKFLOW_CODE, type WorkflowCode } from '../stepfunctions/workflow-version.ts';
import type { ThreadedLocalS3 } from './s3-thread.ts';
import type { FunctionThread } from './thread-functions.ts';
import { REPO_HANDLER_MODULES } from './wiring.ts';

export interface PlacedFunctions {
  /** Handlers of the functions hosted in threads; the others are built beside the engine. */
  handlers: Partial<Record<FunctionKey, LambdaHandler>>;
}

export interface PlacementOptions {
  code: WorkflowCode;
  localS3: LocalS3 | ThreadedLocalS3;
  /** The environment the config module reads in a thread (target, endpoints, THRESHOLD, ...). */
  configEnv: Record<string, string>;
  telemetryEnv: Record<string, string | undefined>;
  sink: LineSink;
}

/** Whether `key` can run from its module: a copy of the repository's code may replace a handler. */
function fromModule(code: WorkflowCode, key: FunctionKey): string | undefined {
  const module = code.modules?.[key];
  if (!module) return undefined;
  const replaced =
    code.modules === REPO_HANDLER_MODULES && code.handlers[key] !== REPO_WORKFLOW_CODE.handlers[key];
  return replaced ? undefined : module;
}

/** Hosts serialize in the local S3's thread when the S3 runs in one (the threaded tier). */
export async function placeFunctions(options: PlacementOptions): Promise<PlacedFunctions> {
  const { code, localS3, configEnv, telemetryEnv, sink } = options;
  const serialize = fromModule(code, 'serialize');
  if (!serialize || !('hostFunctions' in localS3)) return { handlers: {} };
  const thread: FunctionThread = localS3;
  return {
    handlers: await thread.hostFunctions({ modules: { serialize }, configEnv, telemetryEnv, sink }),
  };
}
