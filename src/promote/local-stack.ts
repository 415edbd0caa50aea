/**
 * `--target local`: a running `scones up` in place of an AWS account. Its endpoints come from the
 * AWS_ENDPOINT_URL* variables it prints first, or from `--endpoint-url` (its one port). Clients
 * are built for the embedded tier, whose clients never fall back to AWS: a service without a
 * local endpoint is refused before any request, and an AWS endpoint is refused outright. The stack
 * must answer STS (its local account) and the SageMaker API, or nothing is done.
 */
import { ListEndpointsCommand } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createSageMakerClient, createStsClient } from '../aws/clients.ts';
import {
  endpointEnvironment,
  type KitConfig,
  LOCAL_CREDENTIALS,
  loadConfig,
  type Service,
} from '../config.ts';
import type { TargetOptions } from './options.ts';

/** What promote calls on a stack: staging (S3), training and hosting (SageMaker), the smoke run (Step Functions), the account (STS). */
export const LOCAL_SERVICES: readonly Service[] = ['s3', 'sagemaker', 'sfn', 'sts'];

/** No usable `scones up` at the configured endpoints (none configured, none answering, not a stack). */
export class LocalStackError extends Error {
  override name = 'LocalStackError';
}

export interface LocalStack {
  /** Clients' configuration: the stack's endpoints, its credentials, region, stage and endpoint name. */
  config: KitConfig;
  /** The stack's SageMaker endpoint, as messages name it. */
  url: string;
  accountId: string;
  callerArn: string;
}

const START_HINT =
  'Start one with `scones up` and run the `export` lines it prints first in this shell, or pass --endpoint-url (e.g. http://127.0.0.1:4566)';

/** AWS's own endpoints: a local promotion never talks to them. */
const AWS_HOST = /(^|\.)(amazonaws\.com(\.cn)?|api\.aws)$/i;

function variableOf(service: Service): string {
  return Object.keys(endpointEnvironment({ [service]: '-' }))[0] as string;
}

/** The environment with `--endpoint-url` as the one endpoint of every service. */
function environmentOf(options: TargetOptions): NodeJS.ProcessEnv {
  const env = options.env ?? process.env;
  if (options.endpointUrl === undefined) return env;
  let url: URL;
  try {
    url = new URL(options.endpointUrl);
  } catch {
    throw new LocalStackError(`--endpoint-url "${options.endpointUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new LocalStackError(
      `--endpoint-url must be an http:// or https:// URL; got "${options.endpointUrl}"`,
    );
  const kept = Object.entries(env).filter(([name]) => !name.startsWith('AWS_ENDPOINT_URL'));
  return { ...Object.fromEntries(kept), AWS_ENDPOINT_URL: options.endpointUrl.replace(/\/+$/, '') };
}

/** Every service promote uses has a local endpoint, none of them an AWS one. */
function checkEndpoints(config: KitConfig): void {
  for (const service of LOCAL_SERVICES) {
    const endpoint = config.endpointFor(service);
    const variable = variableOf(service);
    if (!endpoint) {
      throw new LocalStackError(
        `--target local needs a running \`scones up\`, and ${variable} is not set (nor AWS_ENDPOINT_URL). ${START_HINT}.`,
      );
    }
    let host: string;
    try {
      host = new URL(endpoint).hostname;
    } catch {
      throw new LocalStackError(`${variable}="${endpoint}" is not a URL`);
    }
    if (AWS_HOST.test(host)) {
      throw new LocalStackError(
        `${variable}=${endpoint} is an AWS endpoint: --target local talks to a \`scones up\` on this machine only`,
      );
    }
  }
}

export async function connectLocalStack(options: TargetOptions, stage: string): Promise<LocalStack> {
  const env = environmentOf(options);
  const loaded = options.config ?? loadConfig({ ...env, SCONES_TARGET: 'embedded' });
  checkEndpoints(loaded);
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
      : { ...LOCAL_CREDENTIALS };
  const config: KitConfig = {
    ...loaded,
    region: options.region ?? loaded.region,
    stage,
    // The stack's workflow invokes its configured endpoint: promote's endpoint is that one.
    endpointName: options.endpointName ?? loaded.endpointName,
    credentials,
  };
  const stsUrl = config.endpointFor('sts') as string;
  // One attempt each: a stack that is not there is reported now, not after the SDK's retries.
  const sts = createStsClient(config, { maxAttempts: 1 });
  let identity: { Account?: string | undefined; Arn?: string | undefined };
  try {
    identity = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw new LocalStackError(
      `No local stack answers at ${stsUrl}: STS GetCallerIdentity failed (${describe(error)}). ${START_HINT}.`,
    );
  } finally {
    sts.destroy();
  }
  if (!identity.Account)
    throw new LocalStackError(`STS at ${stsUrl} returned no account id: is it a \`scones up\`?`);
  const url = config.endpointFor('sagemaker') as string;
  const sagemaker = createSageMakerClient(config, { maxAttempts: 1 });
  try {
    await sagemaker.send(new ListEndpointsCommand({ MaxResults: 1 }));
  } catch (error) {
    throw new LocalStackError(
      `${url} does not answer the SageMaker API (${describe(error)}): --target local needs a \`scones up\`, which serves it beside STS`,
    );
  } finally {
    sagemaker.destroy();
  }
  return { config, url, accountId: identity.Account, callerArn: identity.Arn ?? 'unknown caller' };
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string };
  const message = e.message || e.code || String(error);
  return e.name && e.name !== 'Error' ? `${e.name}: ${message}` : message;
}
