/**
 * Which of the kit's functions run in which thread of the embedded tier: serialize in the local
 * S3's thread (its GET is answered in the thread that makes it); classify and filter with the
 * engine. (Classify in a thread of its own was measured: 825 executions/s at c16 against 885, as
 * three busy threads on two cores cost more in hops and scheduling than they spread.) A function
 * runs in a thread only when the code names its module (thread-functions.ts imports it there) and
 * no handler replaces the module's (the caller gives only such modules: `hostableModules` of
 * stepfunctions/workflow-version.ts); otherwise it stays with the engine.
 */
import type { FunctionThread, PlacedFunctions, PlacementOptions } from './types.ts';

/** Hosts serialize in the local S3's thread when the S3 runs in one (the threaded tier). */
export async function placeFunctions(options: PlacementOptions): Promise<PlacedFunctions> {
  const { modules, localS3, configEnv, telemetryEnv, sink } = options;
  const serialize = modules.serialize;
  if (!serialize || !('hostFunctions' in localS3)) return { handlers: {} };
  const thread: FunctionThread = localS3;
  return {
    handlers: await thread.hostFunctions({ modules: { serialize }, configEnv, telemetryEnv, sink }),
  };
}
