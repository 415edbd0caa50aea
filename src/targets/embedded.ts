/**
 * The embedded target: the embedded tier started in this process for the command, over its data
 * folder. Either the whole runtime (local S3, endpoint, the Lambdas, the ASL in-process) or, for a
 * command that only reads and writes the bucket, the local S3 alone. Each loads its modules when
 * started: a command on another target loads none of the embedded tier.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { endpointEnvironment, loadConfig } from '../config.ts';
import type { EmbeddedRuntime, EmbeddedRuntimeOptions } from '../embedded/runtime.ts';
import { DEFAULT_DATA_DIR } from '../embedded/shared/index.ts';
import type { EmbeddedEngine } from '../embedded/stepfunctions/index.ts';
import { lazyClients } from './clients.ts';
import { namesOf } from './names.ts';
import type { EmbeddedTarget, StartedTarget, StateMachineRole } from './types.ts';

/** The batch state machine beside the runtime's classification engine, built when first used. */
function batchEngineOf(runtime: EmbeddedRuntime): () => Promise<EmbeddedEngine> {
  let engine: EmbeddedEngine | undefined;
  return async () => {
    // Loaded on the first batch: a per-image `scones classify` needs none of it.
    const { createBatchEngine } = await import('../embedded/stepfunctions/index.ts');
    engine ??= createBatchEngine(runtime.engine, {
      stage: runtime.config.stage,
      bucket: runtime.config.bucket,
      intakePrefix: runtime.config.intakePrefix,
      s3: runtime.s3,
      telemetry: { sink: runtime.runLog.write },
    });
    return engine;
  };
}

/**
 * A target over a runtime running in this process; `stop` ends what the caller started (the
 * runtime, or the `scones up` stack around it).
 */
function runtimeTarget(
  runtime: EmbeddedRuntime,
  placement: Pick<StartedTarget, 'kind' | 'name'>,
  dataDir: string,
  stop: () => Promise<void>,
): EmbeddedTarget {
  const owned = lazyClients(runtime.config, { s3: runtime.s3 });
  const batchEngine = batchEngineOf(runtime);
  const engines: Record<StateMachineRole, () => Promise<EmbeddedEngine>> = {
    classification: async () => runtime.engine,
    batch: batchEngine,
    retraining: () => runtime.retraining(),
  };
  return {
    ...placement,
    target: runtime.config.target,
    config: runtime.config,
    names: namesOf(runtime.config, { dataDir, logFile: runtime.runLog.path }),
    clients: owned.clients,
    runtime,
    stateMachineArn: async (role = 'classification') => (await engines[role]()).stateMachineArn,
    run: (event, name) => runtime.run(event, name),
    runBatch: async (input, name) => (await batchEngine()).run(input, name),
    runRetraining: async (input, name) => (await runtime.retraining()).run(input, name),
    async stop() {
      owned.destroy();
      await stop();
    },
  };
}

/** The whole embedded tier in this process, over `dataDir` (default `.scones/embedded`). */
export async function startEmbeddedTarget(
  options: { dataDir?: string; name?: string; runtime?: EmbeddedRuntimeOptions } = {},
): Promise<EmbeddedTarget> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const { startEmbeddedRuntime } = await import('../embedded/runtime.ts');
  const runtime = await startEmbeddedRuntime({ ...options.runtime, dataDir });
  return runtimeTarget(runtime, { kind: 'embedded', name: options.name ?? 'embedded' }, dataDir, () =>
    runtime.stop(),
  );
}

/** Refusal of what the embedded store alone cannot do: it runs no workflow. */
function runsNothing(): Promise<never> {
  return Promise.reject(
    new Error('the embedded store alone runs no workflow: start the embedded runtime or a local stack'),
  );
}

/**
 * The local S3 alone over `<dataDir>/s3`, for commands that only use the bucket. `read` refuses a
 * data folder that is not there (nothing to read; nothing is made); `write` makes the bucket.
 */
export async function startEmbeddedStore(options: {
  dataDir?: string;
  name?: string;
  access: 'read' | 'write';
  env?: NodeJS.ProcessEnv;
}): Promise<StartedTarget> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const directory = path.resolve(dataDir, 's3');
  const settings = loadConfig({ ...options.env, SCONES_TARGET: 'embedded' });
  if (options.access === 'read' && !existsSync(directory)) {
    throw new Error(`no embedded data under ${directory}: run \`scones demo\` first, or pass --data-dir`);
  }
  const { startLocalS3 } = await import('../embedded/s3/index.ts');
  const localS3 = await startLocalS3({
    directory,
    ...(options.access === 'write' ? { buckets: [settings.bucket] } : {}),
  });
  const config = loadConfig({
    ...options.env,
    SCONES_TARGET: 'embedded',
    ...endpointEnvironment({ s3: localS3.endpoint }),
  });
  const owned = lazyClients(config);
  return {
    kind: 'embedded',
    target: config.target,
    name: options.name ?? 'embedded',
    config,
    names: namesOf(config, { dataDir }),
    clients: owned.clients,
    stateMachineArn: runsNothing,
    run: runsNothing,
    runBatch: runsNothing,
    runRetraining: runsNothing,
    async stop() {
      owned.destroy();
      await localS3.stop();
    },
  };
}
