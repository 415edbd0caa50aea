/** Model packages by name (`group/version` for a versioned one) or ARN. */
import type { ModelPackageRecord, ServiceContext } from './types.ts';

export function findModelPackage(context: ServiceContext, nameOrArn: string): ModelPackageRecord | undefined {
  const packages = context.tables.modelPackages;
  if (nameOrArn.startsWith('arn:')) {
    const arn = nameOrArn.toLowerCase();
    return packages.values().find((record) => record.ModelPackageArn.toLowerCase() === arn);
  }
  return packages.get(nameOrArn);
}

/** Keys of the table: `<group>/<version>` for versions, the name otherwise. */
export function modelPackageKey(record: ModelPackageRecord): string {
  return record.ModelPackageVersion !== undefined
    ? `${record.ModelPackageGroupName}/${record.ModelPackageVersion}`
    : record.ModelPackageName;
}
