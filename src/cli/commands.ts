/**
 * The CLI's thin commands over the kit's modules: staging, local training, the standalone
 * endpoint, Lambda bundles, deployment, promotion to AWS and teardown. Each command imports the
 * modules it runs on when it runs (this module is imported for any of them, and by others for
 * `confirmOnTerminal`): deploying loads no training code, staging no promotion code.
 */
import { createInterface } from 'node:readline/promises';
import type { LambdaArchitecture } from '../deploy/index.ts';
import type { PromoteOptions, TeardownOptions } from '../promote/index.ts';
import type { StartedTarget } from '../targets/index.ts';
import { stageData, trainLocalModel } from './local-model.ts';
import { log } from './log.ts';

const targets = () => import('../targets/index.ts');

/** Runs `work` against a target started for the duration of the command. */
async function withTarget<T>(started: Promise<StartedTarget>, work: (target: StartedTarget) => Promise<T>) {
  const target = await started;
  try {
    return await work(target);
  } finally {
    await target.stop();
  }
}

export async function stageCommand(options: {
  target: string;
  source?: string;
  prefix?: string;
  dataDir: string;
}) {
  const { startTarget } = await targets();
  await withTarget(startTarget({ target: options.target, dataDir: options.dataDir }), (target) =>
    stageData(target.clients.s3, target.names.bucket, options),
  );
}

export async function trainCommand(options: { epochs?: number; seed?: number; dataDir: string }) {
  const { startEmbeddedTarget } = await targets();
  await withTarget(
    startEmbeddedTarget({ dataDir: options.dataDir }),
    async ({ clients: { s3 }, names: { bucket } }) => {
      await stageData(s3, bucket);
      const result = await trainLocalModel(s3, bucket, {
        ...(options.epochs ? { epochs: options.epochs } : {}),
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
      });
      log(`metrics: ${result.metricsUri}`);
    },
  );
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
  const config = (await targets()).deploymentConfig(options.target);
  const { deploy } = await import('../deploy/index.ts');
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

export async function promoteCommand(
  options: Omit<PromoteOptions, 'bundles'> & { plan?: boolean; yes?: boolean; bundles?: string },
) {
  const { plan: planOnly, yes, bundles: bundlesDir, ...rest } = options;
  const { planPromotion, promote, renderPlan } = await import('../promote/index.ts');
  const bundles = bundlesDir
    ? await (await import('../deploy/index.ts')).readBundles(bundlesDir, rest.arch ?? 'x86_64')
    : undefined;
  const promoteOptions: PromoteOptions = { ...rest, ...(bundles ? { bundles } : {}) };
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

type EmulatorEngine = 'ministack' | 'localstack';

/** MiniStack with the kit's AWS-compatibility shims, in the foreground until Ctrl-C. */
async function miniStackCommand(options: { port: number }) {
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

const EMULATOR_COMMANDS: Record<EmulatorEngine, (options: { port: number }) => Promise<void>> = {
  ministack: miniStackCommand,
  localstack: async (options) => (await import('./localstack.ts')).localStackCommand(options),
};

/** An emulator as a host process (MiniStack by default, or LocalStack), in the foreground until Ctrl-C. */
export async function emulatorCommand(options: { port: number; engine?: EmulatorEngine }) {
  return EMULATOR_COMMANDS[options.engine ?? 'ministack'](options);
}
