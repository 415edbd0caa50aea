/**
 * `scones up`: the embedded tier as a local stack until Ctrl-C (src/up/). Its workflow's endpoint
 * is the trained model, deployed through the stack's SageMaker API (with data capture, as
 * `scones demo` does), or the stub with `--stub`; without a trained model the stack starts with no
 * endpoint, says how to get one, and serves the endpoints created through its SageMaker API.
 * Exports and decision lines go to stdout, progress to stderr. The first SIGINT or SIGTERM drains
 * in-flight executions and exits 0; a second one exits at once (130).
 */
import { loadConfig } from '../config.ts';
import type { WorkflowEndpointFactory } from '../embedded/runtime.ts';
import { startLocalStack } from '../targets/index.ts';
import { DEFAULT_UP_PORT } from '../up/default-port.ts';
import { exportLines } from '../up/lines.ts';
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

/** The trained model of the embedded store, when there is one; else no endpoint at start. */
const trainedModelIfAny: WorkflowEndpointFactory = async (s3, config) => {
  const uri = modelUri(config.bucket);
  return (await exists(s3, uri)) ? { modelDataUrl: uri } : undefined;
};

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
          workflowEndpoint: trainedModelIfAny,
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
  const { modelEndpoint } = stack.runtime;
  const served = options.stub
    ? `the stub as endpoint ${config.endpointName}`
    : modelEndpoint
      ? `the trained model (${modelUri(bucket)}) as endpoint ${modelEndpoint.endpointName} (${modelEndpoint.action} through the SageMaker API)`
      : 'no endpoint yet';
  log(
    `scones up: S3, Step Functions, SageMaker, CloudWatch Logs and STS on ${stack.endpoint}; InvokeEndpoint on ${stack.runtime.endpoint.url} serves ${served}` +
      `${options.watch ? '; watching lambdas/, statemachine/, eventrules/' : ''}`,
  );
  if (!options.stub && !modelEndpoint) log(noEndpointYet(modelUri(bucket), config.endpointName));
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

/** What a stack without a trained model says: what fails, and the three ways to an endpoint. */
function noEndpointYet(uri: string, endpointName: string): string {
  return [
    `scones up: no trained model at ${uri}, so no endpoint ${endpointName}: executions fail (EndpointError) until it exists. To get one:`,
    '  train one with `scones train` (after `scones stage`) or `scones demo`, then restart `scones up`;',
    `  or create endpoint ${endpointName} through the SageMaker API with the exports above (CreateModel, CreateEndpointConfig, CreateEndpoint);`,
    '  or restart with --stub for the deterministic stub.',
  ].join('\n');
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
