/**
 * `scones up`: the embedded tier as a local stack until Ctrl-C (src/up/). Serves the trained
 * model (with data capture, as `scones demo` does) unless `--stub`; without a trained model it
 * says how to get one. Exports and decision lines go to stdout, progress to stderr. The first
 * SIGINT or SIGTERM drains in-flight executions and exits 0; a second one exits at once (130).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { type KitConfig, loadConfig } from '../config.ts';
import { startLocalStack } from '../targets/index.ts';
import { DEFAULT_UP_PORT } from '../up/default-port.ts';
import { exportLines } from '../up/lines.ts';
import type { Predictor } from '../workflow/predictor.ts';
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
  return ModelPredictor.load(uri, { s3Client: s3 });
}

export async function upCommand(options: UpCommandOptions): Promise<void> {
  if (options.notifyUrl !== undefined) checkWebhookUrl(options.notifyUrl);
  const bucket = loadConfig({ SCONES_TARGET: 'embedded' }).bucket;
  const target = await startLocalStack({
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
  const { stack, config } = target;
  // Listening before the exports are printed: whoever stops the stack once it has read them (a
  // script, a test, a quick Ctrl-C) meets the drain, never Node's default action for the signal.
  const signalled = firstSignal();
  const intake = options.intakePrefix ?? config.intakePrefix;
  // The exports come first, before any other line: scripts read them and `eval` them.
  for (const line of exportLines(stack.environment)) print(line);
  log(
    `scones up: S3, Step Functions, SageMaker, CloudWatch Logs and STS on ${stack.endpoint}, ${options.stub ? 'stub' : `trained model (${modelUri(bucket)})`} endpoint on ${stack.runtime.endpoint.url}` +
      `${options.watch ? ', watching lambdas/, statemachine/, eventrules/' : ''}`,
  );
  log('In another terminal, run the export lines above, then for example:');
  log(`  aws s3 cp photo.png s3://${config.bucket}/${intake}`);
  log(`Decisions follow, one line per upload under s3://${config.bucket}/${intake}. Ctrl-C stops.`);
  await signalled;
  log(
    `scones up: stopping; draining ${stack.inFlight} in-flight execution(s) (Ctrl-C again to quit at once)`,
  );
  await target.stop();
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
 * The first SIGINT or SIGTERM resolves (drain), a second exits at once (130). The listener is
 * installed when this is called and stays installed to the exit: without one, even for a moment,
 * a signal would meet Node's default action (death by the signal, no drain).
 */
function firstSignal(): Promise<void> {
  return new Promise<void>((done) => {
    let received = 0;
    const onSignal = () => {
      received++;
      if (received > 1) process.exit(130);
      done();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
