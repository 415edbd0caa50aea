/**
 * Local stand-ins for the Step Functions AWS SDK service integrations the ASL uses
 * (`arn:aws:states:::aws-sdk:<service>:<action>`), answering with the API's own response shape and
 * naming errors `<Service>.<Exception>` as Step Functions does.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TaskError } from '../../shared/index.ts';
import type { StateMachineRegistry } from '../state-machine-registry.ts';
import type { SdkIntegrationClients, SdkIntegrationHandler } from '../types.ts';
import { sfnListExecutions } from './sfn-sdk.ts';

const SDK_INTEGRATION_PREFIX = 'arn:aws:states:::aws-sdk:';

function s3PutObject(s3: S3Client): SdkIntegrationHandler {
  return async (input) => {
    const { Bucket, Key, Body, ContentType } = input as Record<string, unknown>;
    // Step Functions sends Body as its JSON text, a string included: an object is stored as its
    // compact JSON, a string as a quoted JSON string literal ("text data" -> "\"text data\"",
    // 11 bytes), as LocalStack's snapshot tests recorded on AWS (docs/emulator-differences.md).
    const body = Body === undefined ? '' : JSON.stringify(Body);
    const response = await s3.send(
      new PutObjectCommand({
        Bucket: String(Bucket),
        Key: String(Key),
        Body: body,
        ...(ContentType ? { ContentType: String(ContentType) } : {}),
      }),
    );
    return { ETag: response.ETag ?? null, ...(response.VersionId ? { VersionId: response.VersionId } : {}) };
  };
}

/** Each integration with the service name Step Functions puts before its errors (`S3.NoSuchBucket`). */
const SUPPORTED: Record<
  string,
  { errorPrefix: string; bind(clients: SdkIntegrationClients): SdkIntegrationHandler }
> = {
  's3:putObject': { errorPrefix: 'S3', bind: ({ s3 }) => s3PutObject(s3) },
};

/** The local handler for an `aws-sdk:` Task resource, or undefined if the resource is not one. */
export function bindSdkIntegration(
  resource: string,
  clients: SdkIntegrationClients,
  stateMachines: StateMachineRegistry,
): SdkIntegrationHandler | undefined {
  if (!resource.startsWith(SDK_INTEGRATION_PREFIX)) return undefined;
  const action = resource.slice(SDK_INTEGRATION_PREFIX.length);
  // Already named Sfn.<Exception> by the handler: not wrapped again.
  if (action === 'sfn:listExecutions') return sfnListExecutions(stateMachines);
  const integration = SUPPORTED[action];
  if (!integration) {
    throw new Error(`The embedded engine does not implement the SDK integration ${resource}`);
  }
  const handler = integration.bind(clients);
  return async (input) => {
    try {
      return await handler(input);
    } catch (error) {
      const err = error as Error;
      throw new TaskError(`${integration.errorPrefix}.${err.name || 'SdkClientException'}`, err.message);
    }
  };
}
