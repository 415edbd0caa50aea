/**
 * `scones load --target aws` against moto standing in for AWS: the plan (what is uploaded where,
 * and what it costs) comes first, and nothing is uploaded without confirmation; with `--yes` the
 * images go to the promoted stage's bucket. moto has no S3 -> EventBridge -> Step Functions, so
 * no upload starts an execution there: the run must call every upload lost, say why it may be,
 * and exit non-zero.
 */
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, createSfnClient } from '../../src/aws/clients.ts';
import { datasetPrefix } from '../../src/cli/local-model.ts';
import { loadConfig } from '../../src/config.ts';
import type { LoadReport } from '../../src/load/report.ts';
import { S3_PER_THOUSAND_PUTS } from '../../src/promote/cost/prices.ts';
import { resourceNames } from '../../src/workflow/names.ts';
import { stage } from '../../training/stage.ts';
import { type SharedServer, sharedServer } from '../support/shared-emulators/client.ts';
import { lastJsonLine, scones } from './scones-cli.ts';

const REGION = 'us-east-1';
const credentials = {
  AWS_ACCESS_KEY_ID: 'moto-test',
  AWS_SECRET_ACCESS_KEY: 'moto-test',
  AWS_REGION: REGION,
};
let moto: SharedServer;
let s3: S3Client;
let bucket: string;
let env: NodeJS.ProcessEnv;

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key as string);
}

beforeAll(async () => {
  moto = await sharedServer('moto');
  env = { ...moto.environment(), ...credentials };
  const config = loadConfig({ SCONES_TARGET: 'aws', ...env });
  config.credentials = { accessKeyId: 'moto-test', secretAccessKey: 'moto-test' };
  // The promoted stage as promote names it: bucket scones-<stage>-<account>-<region>, the staged data, the state machine.
  bucket = `scones-dev-123456789012-${REGION}`;
  s3 = createS3Client(config);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await stage({ s3Client: s3, bucket, prefix: datasetPrefix(), progress: false });
  const sfn = createSfnClient(config);
  await sfn.send(
    new CreateStateMachineCommand({
      name: resourceNames('dev').stateMachine,
      roleArn: 'arn:aws:iam::123456789012:role/scones-dev-state-machine',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    }),
  );
  sfn.destroy();
}, 300_000);

afterAll(async () => {
  s3?.destroy();
});

describe('scones load --target aws', () => {
  it('prints the plan with its cost and uploads nothing unless confirmed', { timeout: 60_000 }, async () => {
    const { code, stderr } = await scones(
      ['load', '--target', 'aws', '--count', '2500', '--region', REGION],
      env,
    );
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('scones load on AWS (account 123456789012, region us-east-1)');
    expect(stderr).toMatch(/uploads:\s+2500 images \([\d.]+ MB\) in a burst \(32 at once\)/);
    expect(stderr).toMatch(new RegExp(`to:\\s+s3://${bucket}/incoming/load-`));
    expect(stderr).toMatch(
      new RegExp(`S3 PUT requests\\s+\\$${(2.5 * S3_PER_THOUSAND_PUTS).toFixed(4)}\\s+2500 x`),
    );
    expect(stderr).toMatch(/total\s+\$\d/);
    expect(stderr).toContain('nothing uploaded (pass --yes to upload without a prompt)');
    expect(await keysUnder('incoming/')).toEqual([]);
  });

  it('with --yes uploads, and calls lost what no execution took up', { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await scones(
      ['load', '--target', 'aws', '--count', '5', '--region', REGION, '--yes', '--timeout', '1s', '--json'],
      env,
    );
    expect(code).toBe(1);
    const report = lastJsonLine<LoadReport>(stdout);
    expect(report).toMatchObject({ uploaded: 5, decided: 0, failed: 0, lost: 5 });
    expect(report.lost_keys).toHaveLength(5);
    expect(stderr).toContain('no upload started an execution: is the upload rule deployed');
    expect((await keysUnder(report.key_prefix)).sort()).toEqual([...report.lost_keys].sort());
  });
});
