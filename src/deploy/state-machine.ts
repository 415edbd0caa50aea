/** The Step Functions state machine from the one ASL file: created, or definition/role/tags brought in line. */
import { isDeepStrictEqual } from 'node:util';
import {
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  ListTagsForResourceCommand,
  type SFNClient,
  TagResourceCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { missingTags, type ResourceChange } from './report.ts';
import { retryWhile } from './retry.ts';

export interface StateMachineSpec {
  name: string;
  arn: string;
  roleArn: string;
  definition: Record<string, unknown>;
  tags: Record<string, string>;
}

/** A role created seconds ago is not yet assumable by states.amazonaws.com. */
function isRolePropagationDelay(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return /AccessDenied|InvalidArn/.test(e.name ?? '') && /role|assume/i.test(e.message ?? '');
}

function toTagList(tags: Record<string, string>) {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export async function ensureStateMachine(
  sfn: SFNClient,
  spec: StateMachineSpec,
  apply: boolean,
): Promise<ResourceChange> {
  const change: ResourceChange = {
    kind: 'state-machine',
    name: spec.name,
    arn: spec.arn,
    change: 'none',
    reasons: [],
  };
  const existing = await sfn
    .send(new DescribeStateMachineCommand({ stateMachineArn: spec.arn }))
    .catch((error: unknown) => {
      if ((error as { name?: string }).name === 'StateMachineDoesNotExist') return undefined;
      throw error;
    });
  const definition = JSON.stringify(spec.definition);

  if (!existing) {
    change.change = 'create';
    if (!apply) return change;
    const created = await retryWhile(isRolePropagationDelay, () =>
      sfn.send(
        new CreateStateMachineCommand({
          name: spec.name,
          type: 'STANDARD',
          roleArn: spec.roleArn,
          definition,
          tags: toTagList(spec.tags),
        }),
      ),
    );
    change.arn = created.stateMachineArn ?? spec.arn;
    return change;
  }

  const definitionDiffers = !isDeepStrictEqual(JSON.parse(existing.definition ?? '{}'), spec.definition);
  const roleDiffers = existing.roleArn !== spec.roleArn;
  const { tags = [] } = await sfn.send(new ListTagsForResourceCommand({ resourceArn: spec.arn }));
  const tagsToAdd = missingTags(spec.tags, Object.fromEntries(tags.map((tag) => [tag.key ?? '', tag.value])));
  if (definitionDiffers) change.reasons.push('definition');
  if (roleDiffers) change.reasons.push('role');
  if (Object.keys(tagsToAdd).length > 0) change.reasons.push('tags');
  if (change.reasons.length === 0) return change;
  change.change = 'update';
  if (!apply) return change;

  if (definitionDiffers || roleDiffers) {
    await retryWhile(isRolePropagationDelay, () =>
      sfn.send(
        new UpdateStateMachineCommand({ stateMachineArn: spec.arn, definition, roleArn: spec.roleArn }),
      ),
    );
  }
  if (Object.keys(tagsToAdd).length > 0) {
    await sfn.send(new TagResourceCommand({ resourceArn: spec.arn, tags: toTagList(tagsToAdd) }));
  }
  return change;
}
