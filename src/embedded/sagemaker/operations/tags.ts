/** AddTags, ListTags, DeleteTags: the tags of any resource of this service, by its ARN. */
import { ValidationException } from '../errors.ts';
import type { Operation, ServiceContext, StateTables, Tag } from '../types.ts';
import { NEXT_TOKEN, RESOURCE_ARN, TAGS } from '../validation/common.ts';
import { int, list, str, struct, validate } from '../validation/shapes.ts';

/** A resource may carry at most this many tags. */
export const MAX_TAGS = 50;

const ADD = struct({ ResourceArn: RESOURCE_ARN, Tags: TAGS }, ['ResourceArn', 'Tags']);
const LIST = struct({ ResourceArn: RESOURCE_ARN, NextToken: NEXT_TOKEN, MaxResults: int({ min: 50 }) }, [
  'ResourceArn',
]);
const DELETE = struct(
  { ResourceArn: RESOURCE_ARN, TagKeys: list(str({ min: 1, max: 128 }), { min: 1, max: 50 }) },
  ['ResourceArn', 'TagKeys'],
);

/** The ARN member of each kind's records. */
const ARN_MEMBERS: Readonly<Record<keyof StateTables, string>> = {
  trainingJobs: 'TrainingJobArn',
  tuningJobs: 'HyperParameterTuningJobArn',
  models: 'ModelArn',
  endpointConfigs: 'EndpointConfigArn',
  endpoints: 'EndpointArn',
  modelPackageGroups: 'ModelPackageGroupArn',
  modelPackages: 'ModelPackageArn',
};

function tagged(context: ServiceContext, arn: string): { resource: { Tags: Tag[] }; save(): void } {
  const wanted = arn.toLowerCase();
  for (const [kind, member] of Object.entries(ARN_MEMBERS) as [keyof StateTables, string][]) {
    const table = context.tables[kind];
    const found = (table.values() as unknown as (Record<string, unknown> & { Tags: Tag[] })[]).find(
      (record) => String(record[member]).toLowerCase() === wanted,
    );
    if (found) return { resource: found, save: () => table.save() };
  }
  throw new ValidationException(`Resource ${arn} does not exist.`);
}

export function tagOperations(context: ServiceContext): Record<string, Operation> {
  return {
    AddTags(input) {
      const { ResourceArn, Tags } = validate<{ ResourceArn: string; Tags: Tag[] }>(ADD, input);
      for (const tag of Tags)
        if (tag.Key.toLowerCase().startsWith('aws:'))
          throw new ValidationException(
            `Tag keys beginning with 'aws:' are reserved for system use: ${tag.Key}`,
          );
      const { resource, save } = tagged(context, ResourceArn);
      const merged = new Map(resource.Tags.map((tag) => [tag.Key, tag]));
      for (const tag of Tags) merged.set(tag.Key, tag);
      if (merged.size > MAX_TAGS)
        throw new ValidationException(
          `A resource can have at most ${MAX_TAGS} tags; ${ResourceArn} would have ${merged.size}.`,
        );
      resource.Tags = [...merged.values()];
      save();
      return { Tags };
    },

    ListTags(input) {
      const { ResourceArn } = validate<{ ResourceArn: string }>(LIST, input);
      // At most 50 tags per resource and MaxResults >= 50: one page holds them all.
      return { Tags: tagged(context, ResourceArn).resource.Tags };
    },

    DeleteTags(input) {
      const { ResourceArn, TagKeys } = validate<{ ResourceArn: string; TagKeys: string[] }>(DELETE, input);
      const { resource, save } = tagged(context, ResourceArn);
      resource.Tags = resource.Tags.filter((tag) => !TagKeys.includes(tag.Key));
      save();
      return {};
    },
  };
}
