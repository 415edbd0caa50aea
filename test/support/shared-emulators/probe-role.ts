/**
 * An IAM role for a probe's functions and state machines. The shared MiniStack enforces IAM
 * (AUTH, for the deployed stacks' least-privilege roles) and, as AWS does, refuses a function or a
 * state machine whose role does not exist. Each file names its own role, so files never meet.
 */
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { createIamClient } from '../../../src/aws/clients.ts';
import { loadConfig } from '../../../src/config.ts';
import type { SharedServer } from './client.ts';

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: ['lambda.amazonaws.com', 'states.amazonaws.com'] },
      Action: 'sts:AssumeRole',
    },
  ],
});

/** The role `name` on `server` (created unless it exists); resolves with its ARN. */
export async function probeRole(server: SharedServer, name: string): Promise<string> {
  const iam = createIamClient(loadConfig({ SCONES_TARGET: 'emulator', ...server.environment() }));
  try {
    const created = await iam
      .send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST_POLICY }))
      .catch(async (error: Error) => {
        if (error.name !== 'EntityAlreadyExistsException') throw error;
        return iam.send(new GetRoleCommand({ RoleName: name }));
      });
    if (!created.Role?.Arn) throw new Error(`IAM answered no ARN for role ${name}`);
    return created.Role.Arn;
  } finally {
    iam.destroy();
  }
}
