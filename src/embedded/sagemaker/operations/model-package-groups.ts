/** CreateModelPackageGroup, DescribeModelPackageGroup, ListModelPackageGroups, DeleteModelPackageGroup. */
import { arnOf } from '../arns.ts';
import { ConflictException, ValidationException } from '../errors.ts';
import { type ListQuery, page } from '../listing.ts';
import type { ModelPackageGroupRecord, Operation, ServiceContext, Tag } from '../types.ts';
import { ARN_OR_NAME, DESCRIPTION, listRequest, OPAQUE, TAGS } from '../validation/common.ts';
import { oneOf, str, struct, validate } from '../validation/shapes.ts';

const CREATE = struct(
  {
    ModelPackageGroupName: str({ min: 1, max: 63, pattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}' }),
    ModelPackageGroupDescription: DESCRIPTION,
    Tags: TAGS,
    ManagedConfiguration: OPAQUE,
  },
  ['ModelPackageGroupName'],
);
const NAME_ONLY = struct({ ModelPackageGroupName: ARN_OR_NAME }, ['ModelPackageGroupName']);
const LIST = listRequest(['Name', 'CreationTime'], {
  CrossAccountFilterOption: oneOf(['SameAccount', 'CrossAccount']),
});

/** The group a name or ARN (`.../model-package-group/<name>`) names. */
export function groupName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? (nameOrArn.split('/').at(-1) ?? nameOrArn) : nameOrArn;
}

export function groupNotFound(context: ServiceContext, name: string): ValidationException {
  return new ValidationException(
    `ModelPackageGroup ${arnOf(context.region, 'model-package-group', name)} does not exist.`,
  );
}

export function describeModelPackageGroup(group: ModelPackageGroupRecord): Record<string, unknown> {
  return {
    ModelPackageGroupName: group.ModelPackageGroupName,
    ModelPackageGroupArn: group.ModelPackageGroupArn,
    ...(group.ModelPackageGroupDescription !== undefined
      ? { ModelPackageGroupDescription: group.ModelPackageGroupDescription }
      : {}),
    CreationTime: group.CreationTime,
    CreatedBy: {},
    ModelPackageGroupStatus: 'Completed',
  };
}

export function modelPackageGroupOperations(context: ServiceContext): Record<string, Operation> {
  const groups = context.tables.modelPackageGroups;
  return {
    CreateModelPackageGroup(input) {
      const request = validate<{
        ModelPackageGroupName: string;
        ModelPackageGroupDescription?: string;
        Tags?: Tag[];
      }>(CREATE, input);
      const name = request.ModelPackageGroupName;
      const arn = arnOf(context.region, 'model-package-group', name);
      if (groups.has(name)) throw new ValidationException(`Model Package Group already exists: ${arn}`);
      groups.put(name, {
        ModelPackageGroupName: name,
        ModelPackageGroupArn: arn,
        ...(request.ModelPackageGroupDescription !== undefined
          ? { ModelPackageGroupDescription: request.ModelPackageGroupDescription }
          : {}),
        CreationTime: context.seconds(),
        LatestVersion: 0,
        Tags: request.Tags ?? [],
      });
      return { ModelPackageGroupArn: arn };
    },

    DescribeModelPackageGroup(input) {
      const name = groupName(
        validate<{ ModelPackageGroupName: string }>(NAME_ONLY, input).ModelPackageGroupName,
      );
      const group = groups.get(name);
      if (!group) throw groupNotFound(context, name);
      return describeModelPackageGroup(group);
    },

    DeleteModelPackageGroup(input) {
      const name = groupName(
        validate<{ ModelPackageGroupName: string }>(NAME_ONLY, input).ModelPackageGroupName,
      );
      if (!groups.has(name)) throw groupNotFound(context, name);
      const versions = context.tables.modelPackages
        .values()
        .filter((record) => record.ModelPackageGroupName?.toLowerCase() === name.toLowerCase());
      if (versions.length) {
        throw new ConflictException(
          `Model Package Group ${name} has ${versions.length} model package(s); delete them first.`,
        );
      }
      groups.delete(name);
      return {};
    },

    ListModelPackageGroups(input) {
      const query = validate<ListQuery>(LIST, input);
      const { items, NextToken } = page(
        groups.values(),
        query,
        (group) => ({ name: group.ModelPackageGroupName, creationTime: group.CreationTime }),
        { sortBy: 'CreationTime', sortOrder: 'Ascending' },
      );
      return {
        ModelPackageGroupSummaryList: items.map((group) => {
          const { CreatedBy: _by, ...summary } = describeModelPackageGroup(group);
          return summary;
        }),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  };
}
