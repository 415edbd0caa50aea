/**
 * The local endpoint as its own process, for the emulator and container tiers:
 * `node src/embedded/endpoint-main.ts [--host <address>] [--port <n>]` (or `npm run endpoint`,
 * `scones serve`). Settings from the environment (the flags win):
 *
 * - `PORT` (default 8080, SageMaker's container port), `HOST` (default 127.0.0.1: this machine
 *   only; a container asks for 0.0.0.0, and the server then says on stderr that it and its
 *   control routes are reachable from the network);
 * - `ENDPOINT_NAME` (default from src/config.ts), `VARIANT_NAME` (default AllTraffic);
 * - `PREDICTOR`: `stub` (default) or a module path exporting
 *   `createPredictor(env): Predictor | Promise<Predictor>` (the real model);
 * - `STUB_PROBABILITIES`: e.g. `0.9,0.1` to pin the stub's answer (default: derived from the image);
 * - `CAPTURE_S3_URI` enables data capture (`CAPTURE_SAMPLING_PERCENTAGE`, default 100), written
 *   with the S3 client of src/aws/clients.ts (so `AWS_ENDPOINT_URL_S3` points it at a local S3).
 *
 * Prints one JSON line `{"url", "port", "endpointName"}` once listening; stops (flushing capture)
 * on SIGTERM/SIGINT.
 *
 * Its model is served as a running tier serves its stub: registered by name in a fleet
 * (fleet.ts), the one place endpoints live, which InvokeEndpoint looks names up in. This process
 * has no control plane, so nothing else is ever deployed there.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createS3Client } from '../../aws/clients.ts';
import { type KitConfig, loadConfig } from '../../config.ts';
import type { Predictor } from '../../workflow/predictor.ts';
import type { CaptureOptions } from './data-capture.ts';
import { startEndpointServer } from './endpoint-server.ts';
import { EndpointFleet } from './fleet.ts';
import { createStubPredictor } from './stub-predictor.ts';
import type { EndpointServer } from './types.ts';

async function predictorFrom(env: NodeJS.ProcessEnv): Promise<Predictor> {
  const choice = env.PREDICTOR ?? 'stub';
  if (choice === 'stub') {
    const pinned = env.STUB_PROBABILITIES?.split(',').map(Number);
    if (pinned?.some((p) => !Number.isFinite(p))) {
      throw new Error(`STUB_PROBABILITIES must be comma-separated numbers; got "${env.STUB_PROBABILITIES}"`);
    }
    return createStubPredictor(pinned ? { probabilities: pinned } : {});
  }
  const module = await import(pathToFileURL(choice).href);
  if (typeof module.createPredictor !== 'function') {
    throw new Error(`PREDICTOR module ${choice} does not export createPredictor(env)`);
  }
  return module.createPredictor(env);
}

function captureFrom(env: NodeJS.ProcessEnv, config: KitConfig): CaptureOptions | undefined {
  if (!env.CAPTURE_S3_URI) return undefined;
  const samplingPercentage = Number(env.CAPTURE_SAMPLING_PERCENTAGE ?? 100);
  return { destinationS3Uri: env.CAPTURE_S3_URI, samplingPercentage, s3: createS3Client(config) };
}

/** The endpoint as the environment describes it; the caller stops it. */
export async function startFromEnvironment(env: NodeJS.ProcessEnv): Promise<EndpointServer> {
  const config = loadConfig(env);
  const capture = captureFrom(env, config);
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a TCP port number (0 picks a free one); got "${env.PORT}"`);
  }
  const fleet = new EndpointFleet({
    loadModel: () => Promise.reject(new Error('this endpoint process serves its one model; it deploys none')),
    region: config.region,
  });
  const server = await startEndpointServer({
    predictor: await predictorFrom(env),
    port,
    host: env.HOST || '127.0.0.1',
    endpointName: config.endpointName,
    variantName: env.VARIANT_NAME ?? 'AllTraffic',
    region: config.region,
    hosted: fleet,
    ...(capture ? { capture } : {}),
  });
  if (server.own) fleet.register(server.own);
  return server;
}

/** `--host` and `--port` as the HOST and PORT variables. */
function flagsAsEnvironment(args: string[]): Record<string, string> {
  const { values } = parseArgs({ args, options: { host: { type: 'string' }, port: { type: 'string' } } });
  return { ...(values.host ? { HOST: values.host } : {}), ...(values.port ? { PORT: values.port } : {}) };
}

export async function main(env: NodeJS.ProcessEnv = process.env, args: string[] = []): Promise<void> {
  const server = await startFromEnvironment({ ...env, ...flagsAsEnvironment(args) });
  console.log(JSON.stringify({ url: server.url, port: server.port, endpointName: server.endpointName }));
  const shutdown = () => {
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (import.meta.main) {
  main(process.env, process.argv.slice(2)).catch((error: unknown) => {
    console.error(`endpoint: ${(error as Error).message}`);
    process.exit(1);
  });
}
