/**
 * Where promote acts, decided before any request: the local target refuses a missing, malformed or
 * AWS endpoint by name, and the AWS target refuses an environment that points only some services
 * at local endpoints (what `scones up` exports), which would split a promotion between the two.
 * Every endpoint here is 127.0.0.1 or refused before use: nothing is sent anywhere.
 */
import { describe, expect, it } from 'vitest';
import { LocalStackError } from '../../src/promote/local-stack.ts';
import { PromoteOptionsError } from '../../src/promote/options.ts';
import { resolveTarget, TargetError } from '../../src/promote/target.ts';

const REGION = 'us-east-1';

describe('resolveTarget --target local', () => {
  it('names the variable to set when no stack endpoint is configured', async () => {
    const missing = resolveTarget({ target: 'local', env: { AWS_REGION: REGION } });
    await expect(missing).rejects.toBeInstanceOf(LocalStackError);
    await expect(missing).rejects.toThrow(/AWS_ENDPOINT_URL_S3 is not set .*Start one with `scones up`/);
    const partial = resolveTarget({
      target: 'local',
      env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:9' },
    });
    await expect(partial).rejects.toThrow(/AWS_ENDPOINT_URL_SAGEMAKER is not set/);
  });

  it('refuses an AWS endpoint and an --endpoint-url that is not an http URL', async () => {
    await expect(
      resolveTarget({
        target: 'local',
        env: { AWS_ENDPOINT_URL: 'https://sagemaker.us-east-1.amazonaws.com' },
      }),
    ).rejects.toThrow(/AWS_ENDPOINT_URL_S3=https:\/\/sagemaker.us-east-1.amazonaws.com is an AWS endpoint/);
    await expect(resolveTarget({ target: 'local', env: {}, endpointUrl: 'localhost 4566' })).rejects.toThrow(
      '--endpoint-url "localhost 4566" is not a URL',
    );
    await expect(
      resolveTarget({ target: 'local', env: {}, endpointUrl: 'ftp://127.0.0.1:9' }),
    ).rejects.toThrow(/must be an http:\/\/ or https:\/\/ URL/);
  });

  it('says no local stack answers at the endpoint, before anything else', async () => {
    // Port 9 (discard) on 127.0.0.1: nothing listens there on these machines.
    const dead = resolveTarget({
      target: 'local',
      env: { AWS_REGION: REGION },
      endpointUrl: 'http://127.0.0.1:9',
    });
    await expect(dead).rejects.toBeInstanceOf(LocalStackError);
    await expect(dead).rejects.toThrow(
      /^No local stack answers at http:\/\/127\.0\.0\.1:9: STS GetCallerIdentity failed/,
    );
  });

  it('refuses a target it does not know', async () => {
    await expect(resolveTarget({ target: 'gcp' as never })).rejects.toBeInstanceOf(PromoteOptionsError);
  });
});

describe('resolveTarget --target aws', () => {
  it('refuses --endpoint-url, which names a local stack', async () => {
    await expect(
      resolveTarget({ region: REGION, env: {}, endpointUrl: 'http://127.0.0.1:9' }),
    ).rejects.toThrow('--endpoint-url names a local stack: pass --target local with it');
  });

  it('refuses local endpoints for some services only, naming both sides', async () => {
    const mixed = resolveTarget({
      region: REGION,
      env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' },
    });
    await expect(mixed).rejects.toBeInstanceOf(TargetError);
    await expect(mixed).rejects.toThrow(
      /Local endpoints are set for s3, sts .* but not for .*iam.*--target local/,
    );
  });
});
