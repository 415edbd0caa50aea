/**
 * `scones deploy|teardown --via cloudformation`: what is refused before anything is read, built or
 * created (a target without a CloudFormation that applies updates, a parameter the template does
 * not have or a value it cannot take, the deployer's own code parameters, SDK-only flags). The
 * deployment itself runs on MiniStack in test/emulator/cloudformation.test.ts.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseParameters,
  promoteCommand,
  StackCommandError,
  stackDeployCommand,
  stackTeardownCommand,
} from '../../src/cli/stack.ts';
import { StackInputError } from '../../src/template/index.ts';

const deployOptions = { target: 'emulator', arch: 'x86_64' as const };

describe('scones deploy --via cloudformation: refused before anything exists', () => {
  it('parses repeated Key=Value parameters and refuses a pair without a key', () => {
    expect(parseParameters(['Threshold=0.5', 'NotifyEmail=a=b@example.com'])).toEqual({
      Threshold: '0.5',
      NotifyEmail: 'a=b@example.com',
    });
    expect(() => parseParameters(['=1'])).toThrow(StackCommandError);
    expect(() => parseParameters(['Threshold'])).toThrow(/Key=Value/);
  });

  it('refuses targets without a CloudFormation that applies updates, and SDK-only flags', async () => {
    await expect(stackDeployCommand({ ...deployOptions, target: 'compose' })).rejects.toThrow(
      /emulator or aws, not compose/,
    );
    await expect(stackDeployCommand({ ...deployOptions, functions: false })).rejects.toThrow(
      StackCommandError,
    );
    await expect(stackTeardownCommand({ target: 'emulator', keepData: true })).rejects.toThrow(/--keep-data/);
    await expect(stackTeardownCommand({ target: 'emulator', stage: 'Bad_Stage' })).rejects.toThrow(
      /Stage "Bad_Stage" is not valid/,
    );
  });

  it('refuses values the template cannot take, naming each, and the code parameters', async () => {
    const refused = stackDeployCommand({ ...deployOptions, parameter: ['Threshold=2', 'Nope=1'] });
    await expect(refused).rejects.toThrow(StackInputError);
    await expect(
      stackDeployCommand({ ...deployOptions, parameter: ['Threshold=2', 'Nope=1'] }),
    ).rejects.toThrow(/Threshold must be at most 1 .*Nope is not a parameter/);
    await expect(
      stackDeployCommand({ ...deployOptions, parameter: ['ModelDataUrl=s3://b/model.tar.gz'] }),
    ).rejects.toThrow(/no SageMaker resource types/);
    await expect(
      stackDeployCommand({ ...deployOptions, parameter: ['CodeKeyClassify=x.zip'] }),
    ).rejects.toThrow(/CodeKeyClassify is set by the deployer/);
  });
});

describe('--template and promote --via cloudformation: refused before anything exists', () => {
  it('refuses a template file that is missing, not JSON, or of another stage', async () => {
    const file = (name: string) => join(tmpdir(), `scones-stack-test-${process.pid}-${name}`);
    await expect(stackDeployCommand({ ...deployOptions, template: file('none.json') })).rejects.toThrow(
      /cannot read .*none.json/,
    );
    await writeFile(file('text.json'), 'not json');
    await expect(stackDeployCommand({ ...deployOptions, template: file('text.json') })).rejects.toThrow(
      /is not JSON.*scones template. writes JSON/,
    );
    await writeFile(
      file('prod.json'),
      JSON.stringify({
        Parameters: {},
        Resources: {},
        Metadata: { 'scones:stage': 'prod', 'scones:target': 'emulator' },
      }),
    );
    await expect(stackDeployCommand({ ...deployOptions, template: file('prod.json') })).rejects.toThrow(
      /generated for stage "prod", not "/,
    );
  });

  it('promotes only to aws, and only what the template can express', async () => {
    await expect(promoteCommand({ target: 'local', yes: true })).rejects.toThrow(
      /promotes to aws, not local: a running scones up has no CloudFormation/,
    );
    await expect(
      promoteCommand({ yes: true, serverless: true, endpointInstanceCount: 2, region: 'us-east-1' }),
    ).rejects.toThrow(/Nothing was created: .*serverless true.*endpointInstanceCount 2/);
  });
});
