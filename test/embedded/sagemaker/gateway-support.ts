/**
 * The local SageMaker through its HTTP API on a running embedded stack, as the AWS SDK reaches it:
 * clients for the stack's port, a small servable model.tar.gz staged in its S3, endpoint configs
 * with data capture, and an InvokeEndpoint of one PNG.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateEndpointConfigCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { LOCAL_CREDENTIALS } from '../../../src/config.ts';
import type { EmbeddedRuntime } from '../../../src/embedded/runtime.ts';
import { packModel } from '../../../training/artifact.ts';
import { useWasmBackend } from '../../../training/backend.ts';
import { createServingModel } from '../../../training/model.ts';
import { smallModelMetadata } from '../../training/model-fixtures.ts';

/** Options of an SDK client of the stack at `url` (one attempt: a failure shows as it is). */
export const stackClientOptions = (url: string) => ({
  endpoint: url,
  region: 'us-east-1',
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: 1,
});

/** A small untrained network of the kit's format at `key` in the stack's bucket; its S3 URI. */
export async function stageModel(runtime: EmbeddedRuntime, key: string, filters: number[]): Promise<string> {
  await useWasmBackend();
  const artifact = await packModel(createServingModel({ filters }).model, smallModelMetadata());
  await runtime.s3.send(new PutObjectCommand({ Bucket: runtime.config.bucket, Key: key, Body: artifact }));
  return `s3://${runtime.config.bucket}/${key}`;
}

/** An endpoint config of the given variants (one instance each), capturing everything. */
export async function createConfig(
  sagemaker: SageMakerClient,
  bucket: string,
  name: string,
  variants: { name: string; model: string; weight: number }[],
): Promise<void> {
  await sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: variants.map((variant) => ({
        VariantName: variant.name,
        ModelName: variant.model,
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: 1,
        InitialVariantWeight: variant.weight,
      })),
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        DestinationS3Uri: `s3://${bucket}/capture/${name}`,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      },
    }),
  );
}

/** InvokeEndpoint of `png` on `endpointName` (and `targetVariant`). */
export const invokeWith =
  (invoker: SageMakerRuntimeClient, png: Buffer) => (endpointName: string, targetVariant?: string) =>
    invoker.send(
      new InvokeEndpointCommand({
        EndpointName: endpointName,
        ContentType: 'image/png',
        Body: png,
        ...(targetVariant ? { TargetVariant: targetVariant } : {}),
      }),
    );

/** Invocations one after the other until `stop()`: answers counted per variant, failures counted. */
export function steadyTraffic(invoke: () => Promise<{ InvokedProductionVariant?: string }>) {
  const answers: Record<string, number> = {};
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      await invoke().then(
        (answer) => {
          const variant = answer.InvokedProductionVariant as string;
          answers[variant] = (answers[variant] ?? 0) + 1;
        },
        () => failures++,
      );
    }
  })();
  return {
    answers,
    get failures() {
      return failures;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
