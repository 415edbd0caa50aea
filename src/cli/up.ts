/**
 * `scones up`: the embedded tier as a local stack until Ctrl-C (src/up/). Serves the trained
 * model (with data capture, as `scones demo` does) unless `--stub`; without a trained model it
 * says how to get one. Exports and decision lines go to stdout, progress to stderr. The first
 * SIGINT or SIGTERM drains in-flight executions and exits 0; a second one exits at once (130).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type KitConfig, loadConfig } from '../config.ts';
import type { Predictor } from '../embedded/predictors.ts';
import { exportLines } from '../up/lines.ts';
import { DEFAULT_UP_PORT, startUpStack } from '../up/stack.ts';
import { CAPTURE_PREFIX, exists, modelUri } from './local-model.ts';
import { log } from './log.ts';

export interface UpCommandOptions {
  port?: number;
  stub?: boolean;
  watch?: boolean;
  dataDir?: string;
  notifyUrl?: string;
  intakePrefix?: string;
  verbose?: boolean;
}

const print = (line: string) => process.stdout.write(`${line}\n`);

/** The trained model of the embedded store, or an error that says how to get one. */
async function trainedModel(s3: S3Client, config: KitConfig): Promise<Predictor> {
  const uri = modelUri(config.bucket);
  if (!(await exists(s3, uri))) {
    throw new Error(
      `no trained model at ${uri}: train one with \`scones train\` (after \`scones stage\`) or \`scones demo\`, or start with --stub`,
    );
  }
  // Loaded only here: the model's modules (tfjs, onnxruntime) are heavy and --stub needs none.
  const { ModelPredictor } = await import('../../training/predictor.ts');
  const predictor = await ModelPredictor.load(uri, { s3Client: s3 });
  log(`serving the trained model ${uri}`);
  return predictor;
}

export async function upCommand(options: UpCommandOptions): Promise<void> {
  if (options.notifyUrl !== undefined) checkWebhookUrl(options.notifyUrl);
  const bucket = loadConfig({ SCONES_TARGET: 'embedded' }).bucket;
  const stack = await startUpStack({
    port: options.port ?? DEFAULT_UP_PORT,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.notifyUrl ? { notifyUrl: options.notifyUrl } : {}),
    ...(options.intakePrefix ? { intakePrefix: options.intakePrefix } : {}),
    ...(options.watch ? { watch: true } : {}),
    ...(options.verbose ? { verbose: true } : {}),
    // Only the model's traffic is captured (as by the demo): stub answers would pollute monitoring.
    ...(options.stub
      ? {}
      : {
          predictor: trainedModel,
          capture: { destinationS3Uri: `s3://${bucket}/${CAPTURE_PREFIX}`, samplingPercentage: 100 },
        }),
    print,
    log,
  });
  const { config } = stack.runtime;
  const intake = options.intakePrefix ?? config.intakePrefix;
  // Listening before the exports are printed: whoever reads them may signal at once, and a signal
  // arriving before the listener would meet Node's default action (death by it, no drain).
  const signalled = untilSignal(() => stack.inFlight);
  log(
    `scones up: S3 and Step Functions on ${stack.endpoint}, ${options.stub ? 'stub' : 'trained model'} endpoint on ${stack.runtime.endpoint.url}` +
      `${options.watch ? ', watching lambdas/, statemachine/, eventrules/' : ''}`,
  );
  log('In another terminal:');
  for (const line of exportLines(stack.environment)) print(line);
  log(`  aws s3 cp photo.png s3://${config.bucket}/${intake}`);
  log(`Decisions follow, one line per upload under s3://${config.bucket}/${intake}. Ctrl-C stops.`);
  await signalled;
  await stack.stop();
  log('scones up: stopped');
}

function checkWebhookUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`--notify-url must be an http:// or https:// URL; got "${value}"`);
  }
}

/**
 * The first SIGINT or SIGTERM resolves (drain), a second exits at once (130). One listener stays
 * installed throughout: removing it, even for a turn, would give a signal arriving then Node's
 * default action (death by the signal, no drain).
 */
async function untilSignal(inFlight: () => number): Promise<void> {
  await new Promise<void>((done) => {
    let received = 0;
    const onSignal = () => {
      received++;
      if (received > 1) process.exit(130);
      done();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  log(`scones up: stopping; draining ${inFlight()} in-flight execution(s) (Ctrl-C again to quit at once)`);
}
