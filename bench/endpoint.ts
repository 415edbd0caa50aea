/**
 * Per-request cost of the local endpoint server with the stub predictor: through the real
 * SageMaker Runtime client and over a bare keep-alive agent (the server's own share).
 * Run: `npm run bench:endpoint -- [count]`.
 */
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { createSageMakerRuntimeClient } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import { startEndpointServer } from '../src/embedded/endpoint-server.ts';
import { createStubPredictor } from '../src/embedded/predictors.ts';
import { compareClients, noisePng32, rawHttpClient } from './http-timing.ts';

async function main() {
  const count = Number(process.argv[2] ?? 3000);
  const server = await startEndpointServer({ predictor: createStubPredictor(), endpointName: 'bench' });
  const runtime = createSageMakerRuntimeClient(
    loadConfig({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url }),
  );
  const image = await noisePng32();
  const sdkInvoke = () =>
    runtime.send(new InvokeEndpointCommand({ EndpointName: 'bench', ContentType: 'image/png', Body: image }));
  const raw = rawHttpClient();
  const rawInvoke = () =>
    raw.send(`${server.url}/endpoints/bench/invocations`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png', 'Content-Length': String(image.length) },
      body: image,
    });
  const figures = await compareClients(count, 8, { sdk: sdkInvoke, raw_http: rawInvoke });
  for (const [mode, figure] of Object.entries(figures))
    console.log(`endpoint ${mode}: ${JSON.stringify(figure)}`);
  console.log(JSON.stringify({ count, image_bytes: image.length, ...figures }));
  runtime.destroy();
  raw.close();
  await server.stop();
}

if (import.meta.main) await main();
