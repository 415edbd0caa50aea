/**
 * The kit's functions in a worker thread, beside the local service they call (s3-thread.ts: the
 * serialize function with the local S3), so a function's call to its service stays in one thread
 * while the engine's thread works on: the two cores share the work without a thread hop per
 * request. As on Lambda, the function runs apart from Step Functions, with its own handler
 * instance (its own cold start) and its own SDK clients built by the config module; it still
 * reaches the service over real HTTP on 127.0.0.1.
 *
 * The event and the result cross as JSON, which the Lambda integration serializes anyway (the
 * 256 KiB checks need the size): no serialization is added. A function error crosses as its
 * errorType and Cause, exactly what the engine records. Each invocation's log and metric lines
 * travel with its answer, so they reach the run log before the engine sees the result. When the
 * thread is gone, invocations fail with `Lambda.ServiceException`, which the ASL retries.
 */
// sharp's native libraries must be loaded by the main thread before a worker loads them (the
// serialize function does), or a worker's exit unloads them under the others on glibc:
// https://github.com/lovell/sharp/issues/2263 (and sharp's installation notes on worker threads).
import 'sharp';
import type { FunctionKey } from '../../workflow/definition.ts';
import { TaskError } from '../shared/index.ts';
import type {
  FunctionAnswer,
  FunctionCall,
  LambdaContextData,
  RemoteLambdaHandler,
  ThreadFunctionsOptions,
} from './types.ts';

/** Loads the functions in the thread that `call` reaches; resolves with their handlers here. */
export async function hostFunctions(
  call: (value: FunctionCall) => Promise<unknown>,
  options: ThreadFunctionsOptions,
): Promise<Partial<Record<FunctionKey, RemoteLambdaHandler>>> {
  const { modules, configEnv, telemetryEnv, sink } = options;
  await call({ op: 'load-functions', modules, configEnv, telemetryEnv });
  const invoke = async (key: FunctionKey, event: string, context: LambdaContextData): Promise<string> => {
    let answer: FunctionAnswer;
    try {
      answer = (await call({ op: 'invoke', key, event, context })) as FunctionAnswer;
    } catch (error) {
      throw new TaskError(
        'Lambda.ServiceException',
        `The execution environment of ${context.functionName} failed: ${(error as Error).message}`,
      );
    }
    for (const line of answer.lines) sink(line);
    if (answer.error) throw new TaskError(answer.error.name, answer.error.cause);
    return answer.result ?? 'null';
  };
  const keys = Object.keys(modules) as FunctionKey[];
  return Object.fromEntries(
    keys.map((key) => [
      key,
      { invokeJson: (event: string, context: LambdaContextData) => invoke(key, event, context) },
    ]),
  );
}
