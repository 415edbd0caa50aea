/** An IAM role with its trust policy, one inline policy and the kit's tags: created or brought in line. */
import {
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { canonicalPolicy, type PolicyDocument } from './policies.ts';
import { missingTags, type ResourceChange } from './report.ts';

export interface RoleSpec {
  name: string;
  arn: string;
  description: string;
  trust: PolicyDocument;
  policyName: string;
  policy: PolicyDocument;
  tags: Record<string, string>;
}

function isNoSuchEntity(error: unknown): boolean {
  return (
    (error as { name?: string }).name === 'NoSuchEntityException' ||
    (error as { name?: string }).name === 'NoSuchEntity'
  );
}

async function currentInlinePolicy(
  iam: IAMClient,
  role: string,
  policy: string,
): Promise<string | undefined> {
  try {
    const { PolicyDocument } = await iam.send(
      new GetRolePolicyCommand({ RoleName: role, PolicyName: policy }),
    );
    return PolicyDocument;
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}

export async function ensureRole(iam: IAMClient, spec: RoleSpec, apply: boolean): Promise<ResourceChange> {
  const change: ResourceChange = {
    kind: 'role',
    name: spec.name,
    arn: spec.arn,
    change: 'none',
    reasons: [],
  };
  const existing = await iam.send(new GetRoleCommand({ RoleName: spec.name })).then(
    (output) => output.Role,
    (error: unknown) => {
      if (isNoSuchEntity(error)) return undefined;
      throw error;
    },
  );
  const tags = Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value }));
  const policyJson = JSON.stringify(spec.policy);

  if (!existing) {
    change.change = 'create';
    if (apply) {
      const created = await iam.send(
        new CreateRoleCommand({
          RoleName: spec.name,
          Description: spec.description,
          AssumeRolePolicyDocument: JSON.stringify(spec.trust),
          Tags: tags,
        }),
      );
      change.arn = created.Role?.Arn ?? spec.arn;
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: spec.name,
          PolicyName: spec.policyName,
          PolicyDocument: policyJson,
        }),
      );
    }
    return change;
  }

  change.arn = existing.Arn ?? spec.arn;
  const trustDiffers = canonicalPolicy(existing.AssumeRolePolicyDocument) !== canonicalPolicy(spec.trust);
  const inline = await currentInlinePolicy(iam, spec.name, spec.policyName);
  const policyDiffers = canonicalPolicy(inline) !== canonicalPolicy(spec.policy);
  const actualTags = Object.fromEntries((existing.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value]));
  const tagsToAdd = missingTags(spec.tags, actualTags);
  if (trustDiffers) change.reasons.push('trust policy');
  if (policyDiffers) change.reasons.push('inline policy');
  if (Object.keys(tagsToAdd).length > 0) change.reasons.push('tags');
  if (change.reasons.length === 0) return change;
  change.change = 'update';
  if (!apply) return change;

  if (trustDiffers) {
    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: spec.name, PolicyDocument: JSON.stringify(spec.trust) }),
    );
  }
  if (policyDiffers) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: spec.name,
        PolicyName: spec.policyName,
        PolicyDocument: policyJson,
      }),
    );
  }
  if (Object.keys(tagsToAdd).length > 0) {
    const Tags = Object.entries(tagsToAdd).map(([Key, Value]) => ({ Key, Value }));
    await iam.send(new TagRoleCommand({ RoleName: spec.name, Tags }));
  }
  return change;
}
