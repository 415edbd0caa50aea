/**
 * The SageMaker Python SDK's defaults file for a notebook against `scones up`, written under the
 * data dir and exported as SAGEMAKER_USER_CONFIG_OVERRIDE (where the SDK v2 looks for its user
 * config), so the exports are all a notebook needs:
 * - `DefaultS3Bucket`: what `default_bucket()` would name (sagemaker-<region>-<account>) for the
 *   local account. Without it the SDK asks STS for the account at https://sts.<region>.amazonaws.com,
 *   an endpoint it builds itself, ignoring AWS_ENDPOINT_URL_STS: the call would leave 127.0.0.1.
 * - `TelemetryOptOut`: the SDK otherwise sends a request to an amazonaws.com bucket after `fit()`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const SAGEMAKER_SDK_CONFIG_FILE = 'sagemaker-python-sdk.yaml';

export function sagemakerSdkConfig(region: string, account: string): string {
  return [
    '# Written by `scones up` (src/up/sagemaker-sdk-config.ts); read through SAGEMAKER_USER_CONFIG_OVERRIDE.',
    'SchemaVersion: "1.0"',
    'SageMaker:',
    '  PythonSDK:',
    '    Modules:',
    '      TelemetryOptOut: true',
    '      Session:',
    `        DefaultS3Bucket: sagemaker-${region}-${account}`,
    '',
  ].join('\n');
}

/** Writes the file into `dataDir`; resolves to its path. */
export async function writeSagemakerSdkConfig(
  dataDir: string,
  region: string,
  account: string,
): Promise<string> {
  const file = path.join(dataDir, SAGEMAKER_SDK_CONFIG_FILE);
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, sagemakerSdkConfig(region, account));
  return file;
}
