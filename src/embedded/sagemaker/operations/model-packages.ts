/**
 * CreateModelPackage, DescribeModelPackage, ListModelPackages, UpdateModelPackage,
 * DeleteModelPackage. A package created in a group is a version of it (`<group>/<n>`, n from 1,
 * never reused), with a ModelApprovalStatus (PendingManualApproval unless given); one created
 * with a ModelPackageName is unversioned.
 */
import { arnOf } from '../arns.ts';
import { ValidationException } from '../errors.ts';
import { type ListQuery, page } from '../listing.ts';
import { findModelPackage, modelPackageKey } from '../model-package-lookup.ts';
import type {
  Echo,
  ModelApprovalStatus,
  ModelPackageRecord,
  Operation,
  ServiceContext,
  Tag,
} from '../types.ts';
import { validate } from '../validation/shapes.ts';
import { groupName, groupNotFound } from './model-package-groups.ts';
import {
  CREATE_MODEL_PACKAGE,
  LIST_MODEL_PACKAGES,
  MODEL_PACKAGE_NAME_ONLY,
  UPDATE_MODEL_PACKAGE,
} from './model-package-shapes.ts';

type CreateInput = {
  ModelPackageName?: string;
  ModelPackageGroupName?: string;
  ModelPackageDescription?: string;
  InferenceSpecification?: Echo;
  ModelApprovalStatus?: ModelApprovalStatus;
  CustomerMetadataProperties?: Record<string, string>;
  ClientToken?: string;
  Tags?: Tag[];
} & Echo;

type UpdateInput = {
  ModelPackageArn: string;
  ModelApprovalStatus?: ModelApprovalStatus;
  ApprovalDescription?: string;
  CustomerMetadataProperties?: Record<string, string>;
  CustomerMetadataPropertiesToRemove?: string[];
  InferenceSpecification?: Echo;
} & Echo;

export function describeModelPackage(record: ModelPackageRecord): Record<string, unknown> {
  const { Echo: echo, Tags: _tags, ...described } = record;
  return {
    ...echo,
    ...described,
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CreatedBy: {},
  };
}

export function modelPackageOperations(context: ServiceContext): Record<string, Operation> {
  const packages = context.tables.modelPackages;
  const notFound = (name: string) =>
    new ValidationException(
      `ModelPackage ${name.startsWith('arn:') ? name : arnOf(context.region, 'model-package', name)} does not exist.`,
    );

  return {
    CreateModelPackage(input) {
      const request = validate<CreateInput>(CREATE_MODEL_PACKAGE, input);
      const { ModelPackageName, ModelPackageGroupName, ClientToken, Tags, ...rest } = request;
      if (ClientToken) {
        const earlier = packages.values().find((record) => record.Echo.ClientToken === ClientToken);
        if (earlier) return { ModelPackageArn: earlier.ModelPackageArn };
      }
      if (ModelPackageName && ModelPackageGroupName)
        throw new ValidationException(
          'Give either ModelPackageName (unversioned) or ModelPackageGroupName (versioned), not both.',
        );
      if (!ModelPackageName && !ModelPackageGroupName)
        throw new ValidationException('Either ModelPackageName or ModelPackageGroupName must be given.');
      const {
        ModelPackageDescription,
        InferenceSpecification,
        ModelApprovalStatus,
        CustomerMetadataProperties,
        ...echo
      } = rest;
      const common = {
        ...(ModelPackageDescription !== undefined ? { ModelPackageDescription } : {}),
        ...(InferenceSpecification ? { InferenceSpecification } : {}),
        ...(CustomerMetadataProperties ? { CustomerMetadataProperties } : {}),
        CreationTime: context.seconds(),
        Echo: { ...echo, ...(ClientToken ? { ClientToken } : {}) },
        Tags: Tags ?? [],
      };
      let record: ModelPackageRecord;
      if (ModelPackageGroupName) {
        const group = context.tables.modelPackageGroups.get(groupName(ModelPackageGroupName));
        if (!group) throw groupNotFound(context, groupName(ModelPackageGroupName));
        group.LatestVersion += 1;
        context.tables.modelPackageGroups.save();
        const name = group.ModelPackageGroupName;
        record = {
          ModelPackageName: name,
          ModelPackageGroupName: name,
          ModelPackageVersion: group.LatestVersion,
          ModelPackageArn: arnOf(context.region, 'model-package', `${name}/${group.LatestVersion}`),
          ModelApprovalStatus: ModelApprovalStatus ?? 'PendingManualApproval',
          ...common,
        };
      } else {
        const name = ModelPackageName as string;
        if (packages.has(name))
          throw new ValidationException(
            `Model Package already exists: ${arnOf(context.region, 'model-package', name)}`,
          );
        if (!InferenceSpecification && !echo.SourceAlgorithmSpecification)
          throw new ValidationException(
            'An unversioned model package needs an InferenceSpecification or a SourceAlgorithmSpecification.',
          );
        record = {
          ModelPackageName: name,
          ModelPackageArn: arnOf(context.region, 'model-package', name),
          ...common,
        };
      }
      packages.put(modelPackageKey(record), record);
      return { ModelPackageArn: record.ModelPackageArn };
    },

    DescribeModelPackage(input) {
      const { ModelPackageName } = validate<{ ModelPackageName: string }>(MODEL_PACKAGE_NAME_ONLY, input);
      const record = findModelPackage(context, ModelPackageName);
      if (!record) throw notFound(ModelPackageName);
      return describeModelPackage(record);
    },

    UpdateModelPackage(input) {
      const request = validate<UpdateInput>(UPDATE_MODEL_PACKAGE, input);
      const record = findModelPackage(context, request.ModelPackageArn);
      if (!record) throw notFound(request.ModelPackageArn);
      if (request.ModelApprovalStatus !== undefined) {
        if (record.ModelPackageVersion === undefined)
          throw new ValidationException('ModelApprovalStatus applies to versioned model packages only.');
        record.ModelApprovalStatus = request.ModelApprovalStatus;
      }
      if (request.ApprovalDescription !== undefined) record.ApprovalDescription = request.ApprovalDescription;
      if (request.InferenceSpecification) {
        if (record.InferenceSpecification)
          throw new ValidationException(
            'InferenceSpecification can be set by UpdateModelPackage only where none was given.',
          );
        record.InferenceSpecification = request.InferenceSpecification;
      }
      const metadata = { ...record.CustomerMetadataProperties, ...request.CustomerMetadataProperties };
      for (const key of request.CustomerMetadataPropertiesToRemove ?? []) delete metadata[key];
      if (Object.keys(metadata).length) record.CustomerMetadataProperties = metadata;
      else delete record.CustomerMetadataProperties;
      for (const member of ['SourceUri', 'ModelCard', 'ModelLifeCycle', 'ModelPackageRegistrationType'])
        if (request[member] !== undefined) record.Echo[member] = request[member];
      record.LastModifiedTime = context.seconds();
      packages.save();
      return { ModelPackageArn: record.ModelPackageArn };
    },

    DeleteModelPackage(input) {
      const { ModelPackageName } = validate<{ ModelPackageName: string }>(MODEL_PACKAGE_NAME_ONLY, input);
      const record = findModelPackage(context, ModelPackageName);
      if (!record) throw notFound(ModelPackageName);
      packages.delete(modelPackageKey(record));
      return {};
    },

    ListModelPackages(input) {
      const query = validate<
        ListQuery & {
          ModelApprovalStatus?: string;
          ModelPackageGroupName?: string;
          ModelPackageType?: string;
        }
      >(LIST_MODEL_PACKAGES, input);
      const group = query.ModelPackageGroupName
        ? groupName(query.ModelPackageGroupName).toLowerCase()
        : undefined;
      // The reference's default is Unversioned; naming a group asks for its versions.
      const type = query.ModelPackageType ?? (group ? 'Versioned' : 'Unversioned');
      const rows = packages.values().filter((record) => {
        const versioned = record.ModelPackageVersion !== undefined;
        return (
          (type === 'Both' || (type === 'Versioned') === versioned) &&
          (group === undefined || record.ModelPackageGroupName?.toLowerCase() === group) &&
          (query.ModelApprovalStatus === undefined ||
            record.ModelApprovalStatus === query.ModelApprovalStatus)
        );
      });
      const { items, NextToken } = page(
        rows,
        query,
        (record) => ({ name: modelPackageKey(record), creationTime: record.CreationTime }),
        { sortBy: 'CreationTime', sortOrder: 'Ascending' },
      );
      return {
        ModelPackageSummaryList: items.map((record) => ({
          ModelPackageName: record.ModelPackageName,
          ...(record.ModelPackageGroupName ? { ModelPackageGroupName: record.ModelPackageGroupName } : {}),
          ...(record.ModelPackageVersion !== undefined
            ? { ModelPackageVersion: record.ModelPackageVersion }
            : {}),
          ModelPackageArn: record.ModelPackageArn,
          ...(record.ModelPackageDescription !== undefined
            ? { ModelPackageDescription: record.ModelPackageDescription }
            : {}),
          CreationTime: record.CreationTime,
          ModelPackageStatus: 'Completed',
          ...(record.ModelApprovalStatus ? { ModelApprovalStatus: record.ModelApprovalStatus } : {}),
        })),
        ...(NextToken ? { NextToken } : {}),
      };
    },
  };
}
