/**
 * The CLI's thin commands over the kit's modules: staging, local training, the standalone
 * endpoint, Lambda bundles, deployment, promotion to AWS and teardown.
 */
import { createInterface } from 'node:readline/promises';
import { createS3Client } from '../aws/clients.ts';
import { loadConfig, parseThreshold } from '../config.ts';
import { buildBundles, deploy, type LambdaArchitecture } from '../deploy/index.ts';
import { main as serveEndpoint } from '../embedded/endpoint-main.ts';
import { startEmbeddedRuntime } from '../embedded/runtime.ts';
import { MiniStackContainer } from '../emulator/ministack.ts';
import {
  confidenceOverTime,
  readCapturedInferences,
  renderConfidenceChart,
} from '../monitor/capture-report.ts';
import {
  type PromoteOptions,
  planPromotion,
  promote,
  renderPlan,
  renderTeardown,
  type TeardownOptions,
  teardown,
} from '../promote/index.ts';
import { CAPTURE_PREFIX } from './demo.ts';
import { writeSvgOrPng } from './graph.ts';
import { stageData, trainLocalModel } from './local-model.ts';
import { log } from './log.ts';
import { targetOf } from './workflow-target.ts';

/** Runs `work` against the embedded store, started for the duration of the command. */
async function withEmbeddedStore<T>(
  dataDir: string,
  work: (s3: ReturnType<typeof createS3Client>, bucket: string) => Promise<T>,
) {
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
  const stageOn = (s3: ReturnType<typeof createS3Client>, bucket: string) => stageData(s3, bucket, options);
  if (target === 'embedded') {
    await withEmbeddedStore(options.dataDir, stageOn);
    return;
  }
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
  // On a developer's machine the endpoint stays on loopback unless HOST says otherwise.
  await serveEndpoint({ HOST: '127.0.0.1', ...process.env });
}

export async function buildCommand(options: { arch: LambdaArchitecture; out: string }) {
  const bundles = await buildBundles({ arch: options.arch, outDir: options.out });
  for (const bundle of bundles) log(`${bundle.zipPath}`);
}

export async function deployCommand(options: { target: string; plan?: boolean; arch: LambdaArchitecture }) {
  const target = targetOf(options.target);
  if (target === 'embedded')
    throw new Error('the embedded tier needs no deployment: `scones demo` runs it in-process');
  const config = loadConfig({ ...process.env, SCONES_TARGET: target });
  const result = await deploy({ config, arch: options.arch, ...(options.plan ? { plan: true } : {}) });
  log(result.changed ? `state machine: ${result.stateMachineArn}` : 'nothing to change');
}

async function confirmOnTerminal(question: string): Promise<boolean> {
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
  process.stdout.write(`${renderTeardown(await teardown(options))}\n`);
}

export async function monitorCommand(options: {
  out: string;
  bucketMinutes: number;
  dataDir: string;
  threshold?: string;
}) {
  await withEmbeddedStore(options.dataDir, async (s3, bucket) => {
    const threshold = parseThreshold(options.threshold);
    const prefix = `${CAPTURE_PREFIX}/`;
    const inferences = await readCapturedInferences(s3, bucket, prefix);
    if (inferences.length === 0) {
      log(`no captured traffic under s3://${bucket}/${prefix} yet: run \`scones demo\` first`);
      return;
    }
    const points = confidenceOverTime(inferences, options.bucketMinutes, threshold);
    for (const p of points) {
      process.stdout.write(
        `${p.start.toISOString()}  ${String(p.count).padStart(5)} inferences  mean confidence ${p.meanConfidence.toFixed(3)}  below ${threshold}: ${(100 * p.belowThreshold).toFixed(1)}%\n`,
      );
    }
    await writeSvgOrPng(options.out, renderConfidenceChart(points, threshold));
    log(`chart: ${options.out}`);
  });
}

/** MiniStack with the kit's AWS-compatibility shims, in the foreground until Ctrl-C. */
export async function emulatorCommand(options: { port: number }) {
  log('starting MiniStack (first run: installs it into .venv/ from requirements-emulators.txt) ...');
  const server = await new MiniStackContainer().withPort(options.port).withStartupTimeout(600_000).start();
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
