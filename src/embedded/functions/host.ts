/**
 * The kit's functions hosted in a worker thread (worker side of thread-functions.ts): each built
 * as the engine's thread would build it (wiring.ts), with SDK clients of its own made by
 * the config module from the environment it is given, answering invocations as the Lambda runtime
 * would (invokeHere). Log and metric lines written since the last answer travel with each answer.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { LineSink } from '../../../lambdas/shared/telemetry.ts';
import { createS3Client, createSageMakerRuntimeClient } from '../../aws/clients.ts';
import { loadConfig } from '../../config.ts';
import type { FunctionKey } from '../../workflow/definition.ts';
import { invokeHere, lambdaContext } from './invoke.ts';
import type {
  FunctionAnswer,
  FunctionCall,
  FunctionClients,
  FunctionHost,
  HandlerFactories,
  InvokeFunction,
  LoadFunctions,
  LocalLambdaHandler,
} from './types.ts';
import { wireHandler } from './wiring.ts';

export function isFunctionCall(value: unknown): value is FunctionCall {
  const op = (value as { op?: unknown } | null)?.op;
  return op === 'load-functions' || op === 'invoke';
}

export function createFunctionHost(): FunctionHost {
  const handlers = new Map<FunctionKey, LocalLambdaHandler>();
  const clients: { s3?: S3Client; sagemakerRuntime?: SageMakerRuntimeClient } = {};
  let lines: string[] = [];
  const sink: LineSink = (line) => lines.push(line);
  const takeLines = () => {
    const taken = lines;
    lines = [];
    return taken;
  };

  async function load(call: LoadFunctions): Promise<null> {
    const config = loadConfig(call.configEnv);
    const telemetry = { sink, env: call.telemetryEnv };
    // The classify function's client options live beside its handler; loaded only when it is hosted.
    const endpointOptions = call.modules.classify
      ? (await import('../../../lambdas/classify-image/handler.ts')).ENDPOINT_CLIENT_OPTIONS
      : undefined;
    const lazyClients: FunctionClients = {
      get s3() {
        clients.s3 ??= createS3Client(config);
        return clients.s3;
      },
      get sagemakerRuntime() {
        clients.sagemakerRuntime ??= createSageMakerRuntimeClient(config, endpointOptions);
        return clients.sagemakerRuntime;
      },
    };
    for (const [key, module] of Object.entries(call.modules) as [FunctionKey, string][]) {
      const { createHandler } = (await import(module)) as { createHandler?: unknown };
      if (typeof createHandler !== 'function') throw new Error(`${module} exports no createHandler function`);
      const factory = createHandler as HandlerFactories[typeof key];
      handlers.set(key, wireHandler(key, factory, config, lazyClients, telemetry));
    }
    return null;
  }

  async function invoke(call: InvokeFunction): Promise<FunctionAnswer> {
    const handler = handlers.get(call.key);
    if (!handler) throw new Error(`no function "${call.key}" is hosted in this thread`);
    try {
      const result = await invokeHere(handler, JSON.parse(call.event) as never, lambdaContext(call.context));
      return { result, lines: takeLines() };
    } catch (error) {
      const failure = error as Error; // a TaskError: errorType and Cause
      return { error: { name: failure.name, cause: failure.message }, lines: takeLines() };
    }
  }

  return {
    handle: (call) => (call.op === 'invoke' ? invoke(call) : load(call)),
    stop() {
      clients.s3?.destroy();
      clients.sagemakerRuntime?.destroy();
    },
  };
}
