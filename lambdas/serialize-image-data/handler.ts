/** SerializeImageData Lambda: validate the event, read and normalize the image. */
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import type { ImageEvent, SerializedImage } from '../../src/workflow/types.ts';
import { optionalString, requireEventObject, requireNonEmptyString } from '../shared/event-fields.ts';
import {
  type InstrumentedHandler,
  type InvocationContext,
  instrument,
  type TelemetryOptions,
} from '../shared/telemetry.ts';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits, serializeImageData } from './serialize.ts';

const STATE = 'SerializeImageData';

export interface SerializeHandlerDependencies {
  s3: S3Client;
  limits?: Partial<ImageLimits>;
  /** Where logs and metrics go; default stdout and process.env, as on Lambda. */
  telemetry?: TelemetryOptions;
}

export type SerializeHandler = InstrumentedHandler<SerializedImage>;

/** Accepts the seed project's shape `{"image_data": "", "s3_bucket": ..., "s3_key": ...}`; image_data is ignored. */
export function parseImageEvent(event: unknown): ImageEvent {
  const record = requireEventObject(event, STATE);
  optionalString(record, 'image_data', STATE);
  return {
    s3_bucket: requireNonEmptyString(record, 's3_bucket', STATE),
    s3_key: requireNonEmptyString(record, 's3_key', STATE),
  };
}

export function createHandler(deps: SerializeHandlerDependencies): SerializeHandler {
  const resolved = { s3: deps.s3, limits: { ...DEFAULT_IMAGE_LIMITS, ...deps.limits } };
  return instrument(STATE, deps.telemetry ?? {}, async (event, invocation) => {
    const image = await serializeImageData(resolved, parseImageEvent(event));
    invocation.info('image serialized', {
      source_format: image.source_format,
      width: image.width,
      height: image.height,
    });
    return image;
  });
}

let lambdaHandler: SerializeHandler | undefined;

/** Lambda entry point; the S3 client is created on the first invocation and reused by warm ones. */
export async function handler(event: unknown, context?: InvocationContext): Promise<SerializedImage> {
  lambdaHandler ??= createHandler({ s3: createS3Client(loadConfig()) });
  return lambdaHandler(event, context);
}
