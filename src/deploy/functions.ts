/**
 * A Lambda function from a bundle: created, or its code (by CodeSha256) and configuration brought in
 * line, then waited for until Lambda reports the update Successful (a function in `Pending` or
 * `InProgress` rejects the next update and fails invocations).
 */
import {
  type Architecture,
  CreateFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  type LambdaClient,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { missingTags, type ResourceChange } from './report.ts';
import { retryWhile } from './retry.ts';

export const LAMBDA_RUNTIME = 'nodejs22.x';
export const LAMBDA_HANDLER = 'index.handler';

/** A function apart from its code, role and architecture: what deploy and the template share. */
export interface FunctionSettings {
  name: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
  tags: Record<string, string>;
}

export interface FunctionSpec extends FunctionSettings {
  arn: string;
  roleArn: string;
  zip: Uint8Array;
  /** Base64 SHA-256 of `zip`, as Lambda reports it. */
  codeSha256: string;
  architecture: Architecture;
}

const WAIT = { maxWaitTime: 300, minDelay: 1, maxDelay: 5 };

function sameEnvironment(
  actual: Record<string, string> | undefined,
  wanted: Record<string, string>,
): boolean {
  const a = actual ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(wanted)]);
  return [...keys].every((key) => a[key] === wanted[key]);
}

function configurationDrift(actual: FunctionConfiguration, spec: FunctionSpec): string[] {
  const reasons: string[] = [];
  if (actual.Runtime !== LAMBDA_RUNTIME) reasons.push('runtime');
  if (actual.Handler !== LAMBDA_HANDLER) reasons.push('handler');
  if (actual.Role !== spec.roleArn) reasons.push('role');
  if (actual.MemorySize !== spec.memoryMb) reasons.push('memory');
  if (actual.Timeout !== spec.timeoutSeconds) reasons.push('timeout');
  if (actual.Description !== spec.description) reasons.push('description');
  if (!sameEnvironment(actual.Environment?.Variables, spec.environment)) reasons.push('environment');
  return reasons;
}

/** A role created seconds ago is not yet assumable by Lambda (IAM is eventually consistent). */
function isRolePropagationDelay(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e.name === 'InvalidParameterValueException' && /role|assume/i.test(e.message ?? '');
}

export async function ensureFunction(
  lambda: LambdaClient,
  spec: FunctionSpec,
  apply: boolean,
): Promise<ResourceChange> {
  const change: ResourceChange = {
    kind: 'function',
    name: spec.name,
    arn: spec.arn,
    change: 'none',
    reasons: [],
  };
  const existing = await lambda
    .send(new GetFunctionCommand({ FunctionName: spec.name }))
    .catch((error: unknown) => {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw error;
    });
  const configuration = {
    FunctionName: spec.name,
    Description: spec.description,
    Role: spec.roleArn,
    Runtime: LAMBDA_RUNTIME,
    Handler: LAMBDA_HANDLER,
    MemorySize: spec.memoryMb,
    Timeout: spec.timeoutSeconds,
    Environment: { Variables: spec.environment },
  } as const;

  if (!existing?.Configuration) {
    change.change = 'create';
    if (!apply) return change;
    const created = await retryWhile(isRolePropagationDelay, () =>
      lambda.send(
        new CreateFunctionCommand({
          ...configuration,
          Code: { ZipFile: spec.zip },
          Architectures: [spec.architecture],
          Tags: spec.tags,
        }),
      ),
    );
    change.arn = created.FunctionArn ?? spec.arn;
    await waitUntilFunctionActiveV2({ client: lambda, ...WAIT }, { FunctionName: spec.name });
    return change;
  }

  const actual = existing.Configuration;
  change.arn = actual.FunctionArn ?? spec.arn;
  const codeDiffers =
    actual.CodeSha256 !== spec.codeSha256 || (actual.Architectures ?? ['x86_64'])[0] !== spec.architecture;
  const drift = configurationDrift(actual, spec);
  const tagsToAdd = missingTags(spec.tags, existing.Tags ?? {});
  change.reasons = [
    ...(codeDiffers ? ['code'] : []),
    ...drift,
    ...(Object.keys(tagsToAdd).length ? ['tags'] : []),
  ];
  if (change.reasons.length === 0) return change;
  change.change = 'update';
  if (!apply) return change;

  const waitUpdated = () =>
    waitUntilFunctionUpdatedV2({ client: lambda, ...WAIT }, { FunctionName: spec.name });
  if (codeDiffers) {
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: spec.name,
        ZipFile: spec.zip,
        Architectures: [spec.architecture],
      }),
    );
    await waitUpdated();
  }
  if (drift.length > 0) {
    await retryWhile(isRolePropagationDelay, () =>
      lambda.send(new UpdateFunctionConfigurationCommand(configuration)),
    );
    await waitUpdated();
  }
  if (Object.keys(tagsToAdd).length > 0) {
    await lambda.send(new TagResourceCommand({ Resource: change.arn, Tags: tagsToAdd }));
  }
  return change;
}
