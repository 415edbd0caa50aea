/**
 * Per-request cost of the local endpoint server with the stub predictor: through the real
 * SageMaker Runtime client (no retries, so each failure counts) and over a bare keep-alive agent
 * (the server's own share). Every answer's status is checked; any failed call fails the bench
 * (exit 1, no figures written). Figures go to .scones/bench/endpoint.json; the last line is JSON.
 * Run: `npm run bench:endpoint -- [--count N] [--quick] [--inject-failures N]` (N invocations of
 * the measured runs answer 503).
 */
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { createSageMakerRuntimeClient } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import { createStubPredictor, startEndpointServer } from '../src/embedded/sagemaker-runtime/index.ts';
import { BenchChecks, benchArgs, countOption } from './checks.ts';
import { compareClients, noisePng32, rawHttpClient } from './http-timing.ts';
import { finishBench } from './results.ts';

async function main() {
  const args = benchArgs(['count']);
  const count = countOption(args.values.count, args.quick ? 200 : 3000, 'count');
  const checks = new BenchChecks();
  const server = await startEndpointServer({ predictor: createStubPredictor(), endpointName: 'bench' });
  const runtime = createSageMakerRuntimeClient(
    loadConfig({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url }),
    { maxAttempts: 1 },
  );
  const raw = rawHttpClient();
  try {
    const image = await noisePng32();
    const sdkInvoke = () =>
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'bench', ContentType: 'image/png', Body: image }),
      );
    const rawInvoke = () =>
      raw.send(`${server.url}/endpoints/bench/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'image/png', 'Content-Length': String(image.length) },
        body: image,
      });
    const clients = { sdk: sdkInvoke, raw_http: rawInvoke };
    const measured = await compareClients(count, 8, clients, checks, {
      warmup: args.quick ? 50 : 300,
      // After the warm-up, so the measured calls meet the failures.
      afterWarmup: () => {
        if (args.injectFailures > 0) server.faults.failNext(args.injectFailures, 503);
      },
    });
    for (const [mode, figure] of Object.entries(measured))
      console.log(`endpoint ${mode}: ${JSON.stringify(figure)}`);
    await finishBench(
      'endpoint',
      { count, image_bytes: image.length, ...measured, quick: args.quick },
      checks,
    );
  } finally {
    runtime.destroy();
    raw.close();
    await server.stop();
  }
}

if (import.meta.main) await main();
