/**
 * What each of the kit's functions is given when the embedded tier builds it, in one place for
 * both ways it runs: in the engine's thread (runtime.ts) and in a thread of its own
 * (host.ts). As on Lambda, a function gets its clients from the config module
 * and its Powertools settings from the environment.
 */
import type { TelemetryOptions } from '../../../lambdas/shared/telemetry.ts';
import type { KitConfig } from '../../config.ts';
import type { FunctionKey } from '../../workflow/definition.ts';
import type { FunctionClients, HandlerFactories, LocalLambdaHandler } from './types.ts';

/** Builds function `key` from its factory with the dependencies it takes. */
export function wireHandler<K extends FunctionKey>(
  key: K,
  factory: HandlerFactories[K],
  config: KitConfig,
  clients: FunctionClients,
  telemetry: TelemetryOptions,
): LocalLambdaHandler {
  const build = factory as (deps: unknown) => unknown;
  switch (key) {
    case 'serialize':
      return build({ s3: clients.s3, telemetry }) as LocalLambdaHandler;
    case 'classify':
      return build({
        runtime: clients.sagemakerRuntime,
        endpointName: config.endpointName,
        telemetry,
      }) as LocalLambdaHandler;
    case 'filter':
      return build({ threshold: config.threshold, telemetry }) as LocalLambdaHandler;
    default:
      throw new Error(`no function "${key}" in this workflow`);
  }
}

/** All three functions, by key. */
export function wireHandlers(
  factories: HandlerFactories,
  config: KitConfig,
  clients: FunctionClients,
  telemetry: TelemetryOptions,
): Record<FunctionKey, LocalLambdaHandler> {
  return {
    serialize: wireHandler('serialize', factories.serialize, config, clients, telemetry),
    classify: wireHandler('classify', factories.classify, config, clients, telemetry),
    filter: wireHandler('filter', factories.filter, config, clients, telemetry),
  };
}

/** The repository's handler modules, by URL: what a function's thread imports (thread-functions.ts). */
export const REPO_HANDLER_MODULES: Record<FunctionKey, string> = {
  serialize: new URL('../../../lambdas/serialize-image-data/handler.ts', import.meta.url).href,
  classify: new URL('../../../lambdas/classify-image/handler.ts', import.meta.url).href,
  filter: new URL('../../../lambdas/filter-inferences/handler.ts', import.meta.url).href,
};
