/**
 * The workflow's endpoint (the config's endpoint name, which the classify Lambda invokes) as a
 * runtime starts it, in the fleet, the one place endpoints live:
 * - a model this process holds (a test's predictor, the stub): the endpoint server's own endpoint,
 *   registered in the fleet by name (a thin use: its faults, capture and control routes stay);
 * - a trained model.tar.gz: deployed through the SageMaker API (src/workflow/model-endpoint.ts),
 *   as any client would deploy it, so it is described, listed, updated and kept like one;
 * - nothing: the tier serves the endpoints its SageMaker API creates, and InvokeEndpoint answers
 *   others as SageMaker does (ValidationError, "Endpoint ... not found.").
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { KitConfig } from '../config.ts';
import { ensureModelEndpoint, type ModelEndpoint, type SageMakerApi } from '../workflow/model-endpoint.ts';
import {
  type CaptureOptions,
  createStubPredictor,
  type EndpointFleet,
  type EndpointServer,
} from './sagemaker-runtime/index.ts';
import type { EmbeddedRuntimeOptions, WorkflowEndpoint } from './types.ts';

/** What the options ask to serve, resolved once the local S3 is up. */
export async function workflowEndpointOf(
  options: EmbeddedRuntimeOptions,
  s3: S3Client,
  config: KitConfig,
): Promise<WorkflowEndpoint | undefined> {
  const { predictor } = options;
  if (typeof predictor === 'function') return { predictor: await predictor(s3, config) };
  if (predictor) return { predictor };
  if (options.workflowEndpoint) return options.workflowEndpoint(s3, config);
  return { predictor: createStubPredictor() };
}

/** The role the kit's models run with in the local account `000000000000` (promote's naming). */
export function localSageMakerRole(config: KitConfig): string {
  return `arn:aws:iam::000000000000:role/scones-${config.stage}-sagemaker-role`;
}

/**
 * Puts the workflow's endpoint in the fleet: registers the server's own endpoint, or deploys the
 * model through `sagemaker` (started on demand) and waits until it is InService.
 */
export async function serveWorkflowEndpoint(deps: {
  choice: WorkflowEndpoint | undefined;
  server: EndpointServer;
  fleet: EndpointFleet;
  sagemaker: () => Promise<SageMakerApi>;
  config: KitConfig;
  capture: CaptureOptions | undefined;
}): Promise<ModelEndpoint | undefined> {
  const { choice, server, config, capture } = deps;
  if (!choice) return undefined;
  if ('predictor' in choice) {
    if (server.own) deps.fleet.register(server.own);
    return undefined;
  }
  const { imageClassificationUri } = await import('./sagemaker/index.ts');
  const image = imageClassificationUri(config.region);
  if (!image) throw new Error(`the local SageMaker knows no image-classification image in ${config.region}`);
  return ensureModelEndpoint(await deps.sagemaker(), {
    endpointName: config.endpointName,
    modelDataUrl: choice.modelDataUrl,
    image,
    roleArn: localSageMakerRole(config),
    ...(capture
      ? {
          capture: {
            destinationS3Uri: capture.destinationS3Uri,
            ...(capture.samplingPercentage === undefined
              ? {}
              : { samplingPercentage: capture.samplingPercentage }),
            ...(capture.captureModes ? { captureModes: capture.captureModes } : {}),
            ...(capture.jsonContentTypes ? { jsonContentTypes: capture.jsonContentTypes } : {}),
            ...(capture.csvContentTypes ? { csvContentTypes: capture.csvContentTypes } : {}),
          },
        }
      : {}),
  });
}
