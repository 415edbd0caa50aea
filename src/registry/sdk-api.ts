/**
 * The JSON `call(action, input)` shape (the local services' own, and the one src/workflow/
 * model-endpoint.ts is written against) over an AWS SDK client: `<Action>Command` of the client's
 * package, the answer without `$metadata`. Timestamps come back as Dates from the SDK and as
 * epoch seconds from the local services: readers go through `isoTime`.
 */
import * as cloudwatchSdk from '@aws-sdk/client-cloudwatch';
import * as sagemakerSdk from '@aws-sdk/client-sagemaker';
import type { CloudWatchApi, SageMakerApi } from './types.ts';

interface SendingClient {
  send(command: unknown): Promise<unknown>;
}

function callOver(client: SendingClient, commands: Record<string, unknown>) {
  return async (action: string, input: Record<string, unknown>) => {
    const Command = commands[`${action}Command`] as (new (input: unknown) => unknown) | undefined;
    if (!Command) throw new Error(`the SDK has no ${action}Command`);
    const { $metadata: _metadata, ...output } = (await client.send(new Command(input))) as Record<
      string,
      unknown
    >;
    return output;
  };
}

export function sdkSageMakerApi(client: sagemakerSdk.SageMakerClient): SageMakerApi {
  return { call: callOver(client, sagemakerSdk as unknown as Record<string, unknown>) };
}

export function sdkCloudWatchApi(client: cloudwatchSdk.CloudWatchClient): CloudWatchApi {
  return { call: callOver(client, cloudwatchSdk as unknown as Record<string, unknown>) };
}

/** An API timestamp (Date, epoch seconds, or ISO text) as ISO text; null when absent. */
export function isoTime(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value * 1000).toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return null;
}
