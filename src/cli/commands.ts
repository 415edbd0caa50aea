/**
 * The CLI's thin commands over the kit's modules: staging, local training, the standalone
 * endpoint, Lambda bundles, deployment, promotion to AWS and teardown. Each command imports the
 * modules it runs on when it runs (this module is imported for any of them, and by others for
 * `confirmOnTerminal`): deploying loads no training code, staging no promotion code.
 */
import { createInterface } from 'node:readline/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../config.ts';
import type { LambdaArchitecture } from '../deploy/index.ts';
import type { PromoteOptions, TeardownOptions } from '../promote/index.ts';
import { stageData, trainLocalModel } from './local-model.ts';
import { log } from './log.ts';
import { targetOf } from './workflow-target.ts';

/** Runs `work` against the embedded store, started for the duration of the command. */
async function withEmbeddedStore<T>(dataDir: string, work: (s3: S3Client, bucket: string) => Promise<T>) {
  const { startEmbeddedRuntime } = await import('../embedded/runtime.ts');
  const runtime = await startEmbeddedRuntime({ dataDir });
  try {
    return await work(runtime.s3, runtime.config.bucket);
  } finally {
    await runtime.stop();
  }
}

export async function stageCommand(options: {
  target: string;
  source?: string;
  prefix?: string;
  dataDir: string;
}) {
  const target = targetOf(options.target);
  const stageOn = (s3: S3Client, bucket: string) => stageData(s3, bucket, options);
  if (target === 'embedded') {
    await withEmbeddedStore(options.dataDir, stageOn);
    return;
  }
  const { createS3Client } = await import('../aws/clients.ts');
  const config = loadConfig({ ...process.env, SCONES_TARGET: target });
  await stageOn(createS3Client(config), config.bucket);
}

export async function trainCommand(options: { epochs?: number; seed?: number; dataDir: string }) {
  await withEmbeddedStore(options.dataDir, async (s3, bucket) => {
    await stageData(s3, bucket);
    const result = await trainLocalModel(s3, bucket, {
      ...(options.epochs ? { epochs: options.epochs } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    log(`metrics: ${result.metricsUri}`);
  });
}

export async function serveCommand() {
  const { main: serveEndpoint } = await import('../embedded/sagemaker-runtime/index.ts');
  // Loopback unless HOST says otherwise (endpoint-main's default).
  await serveEndpoint(process.env);
}

export async function buildCommand(options: { arch: LambdaArchitecture; out: string }) {
  const { buildBundles } = await import('../deploy/index.ts');
  const bundles = await buildBundles({ arch: options.arch, outDir: options.out });
  for (const bundle of bundles) log(`${bundle.zipPath}`);
}

export async function deployCommand(options: {
  target: string;
  plan?: boolean;
  arch: LambdaArchitecture;
  functions?: boolean;
}) {
  const target = targetOf(options.target);
  if (target === 'embedded')
    throw new Error('the embedded tier needs no deployment: `scones demo` runs it in-process');
  const { deploy } = await import('../deploy/index.ts');
  const config = loadConfig({ ...process.env, SCONES_TARGET: target });
  const result = await deploy({
    config,
    arch: options.arch,
    ...(options.plan ? { plan: true } : {}),
    ...(options.functions === false ? { functions: false } : {}),
  });
  log(result.changed ? `state machine: ${result.stateMachineArn}` : 'nothing to change');
}

export async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function promoteCommand(options: PromoteOptions & { plan?: boolean; yes?: boolean }) {
  const { plan: planOnly, yes, ...promoteOptions } = options;
  const { planPromotion, promote, renderPlan } = await import('../promote/index.ts');
  if (planOnly) {
    process.stdout.write(`${renderPlan(await planPromotion(promoteOptions))}\n`);
    return;
  }
  const result = await promote(promoteOptions, {
    ...(yes ? { yes: true } : { confirm: () => confirmOnTerminal('Apply this plan? [y/N] ') }),
  });
  if (!result.applied) log('not applied: nothing was changed (pass --yes to apply without a prompt)');
}

export async function teardownCommand(options: TeardownOptions) {
  const { renderTeardown, teardown } = await import('../promote/index.ts');
  process.stdout.write(`${renderTeardown(await teardown(options))}\n`);
}

/** MiniStack with the kit's AWS-compatibility shims (or LocalStack), in the foreground until Ctrl-C. */
export async function emulatorCommand(options: { port: number; engine?: 'ministack' | 'localstack' }) {
  if (options.engine === 'localstack') return (await import('./localstack.ts')).localStackCommand(options);
  const { MiniStackServer } = await import('../emulator/ministack.ts');
  log('starting MiniStack (first run: installs it into .venv/ from requirements-emulators.txt) ...');
  const server = await new MiniStackServer().withPort(options.port).withStartupTimeout(600_000).start();
  log(`MiniStack is listening on ${server.url}. In another terminal:`);
  log('  npx scones serve                        # the SageMaker-compatible endpoint on 127.0.0.1:8080');
  log('  npx scones deploy --target emulator');
  log('  npx scones classify --target emulator <image>');
  log('Ctrl-C stops it.');
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.stop();
}
