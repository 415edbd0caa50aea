/**
 * Where a Distributed Map's items come from: the state input (ItemsPath), or an ItemReader over
 * S3 ListObjectsV2 (`arn:aws:states:::s3:listObjectsV2`, "ItemReader (Map)",
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html): every object
 * under the prefix, in the order S3 lists keys, each item shaped as Step Functions shapes it
 * (`Etag`, `Key`, `LastModified` in epoch seconds, `Size`, `StorageClass`; AWS's snapshot of the
 * item, recorded by LocalStack's test_map_item_reader_base_list_objects_v2, spells `Etag` so).
 * The listing is read one page (1,000 keys) at a time, never held whole: a first pass counts the
 * items (the tolerated share needs the total), the second hands them out as the Map Run asks.
 */
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { TaskError } from '../../shared/index.ts';
import { bucketAndPrefix, ReferencePath, runtimeError } from './paths.ts';
import type { ItemReaderDefinition, ItemSource, MapContext } from './types.ts';

export const LIST_OBJECTS_V2 = 'arn:aws:states:::s3:listObjectsV2';
const READER_PARAMETERS = new Set(['Bucket', 'Prefix']);

/** Checks the fields at build time, as CreateStateMachine would; throws for what is not supported. */
export function itemSourceFor(
  stateName: string,
  definition: { ItemReader?: ItemReaderDefinition; ItemsPath?: string },
): (s3: S3Client, input: unknown, context: MapContext) => Promise<ItemSource> {
  const reader = definition.ItemReader;
  if (!reader) {
    const itemsPath = new ReferencePath(stateName, definition.ItemsPath ?? '$');
    return async (_s3, input, context) => arrayItems(stateName, await itemsPath.evaluate(input, context));
  }
  if (reader.Resource !== LIST_OBJECTS_V2) {
    throw new Error(
      `State ${stateName}: ItemReader ${reader.Resource} is not supported in-process (${LIST_OBJECTS_V2} is)`,
    );
  }
  const names = Object.keys(reader.Parameters ?? {}).map((key) => key.replace(/\.\$$/, ''));
  const unsupported = names.filter((name) => !READER_PARAMETERS.has(name));
  if (unsupported.length > 0 || !names.includes('Bucket')) {
    throw new Error(
      `State ${stateName}: the ItemReader's Parameters must be Bucket and, optionally, Prefix (got ${names.join(', ') || 'none'})`,
    );
  }
  const location = bucketAndPrefix(stateName, 'ItemReader', reader.Parameters ?? {});
  const maxItemsPath = reader.ReaderConfig?.MaxItemsPath
    ? new ReferencePath(stateName, reader.ReaderConfig.MaxItemsPath)
    : undefined;
  return async (s3, input, context) => {
    const { bucket, prefix } = await location(input, context);
    const maxItems = maxItemsPath
      ? await maxItemsPath.evaluate(input, context)
      : reader.ReaderConfig?.MaxItems;
    if (
      maxItems !== undefined &&
      (typeof maxItems !== 'number' || !Number.isInteger(maxItems) || maxItems < 0)
    ) {
      throw runtimeError(
        stateName,
        `MaxItems must be a non-negative integer; got ${JSON.stringify(maxItems)}`,
      );
    }
    // MaxItems 0 (or absent) means every item.
    return listedObjects(s3, bucket, prefix, maxItems || Number.POSITIVE_INFINITY);
  };
}

function arrayItems(stateName: string, items: unknown): ItemSource {
  if (!Array.isArray(items)) {
    throw runtimeError(
      stateName,
      'Input of Map state must be an array or ItemsPath property must point to an array',
    );
  }
  return {
    count: async () => items.length,
    async *items() {
      yield* items;
    },
  };
}

/** One ListObjectsV2 page; S3's refusal fails the Map state with States.ItemReaderFailed. */
async function listPage(s3: S3Client, bucket: string, prefix: string, token: string | undefined) {
  try {
    return await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
  } catch (error) {
    const err = error as Error;
    throw new TaskError(
      'States.ItemReaderFailed',
      `ListObjectsV2 of s3://${bucket}/${prefix} failed: ${err.name}: ${err.message}`,
    );
  }
}

async function* pages(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<ListObjectsV2CommandOutput> {
  let token: string | undefined;
  do {
    const page = await listPage(s3, bucket, prefix, token);
    yield page;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

function listedObjects(s3: S3Client, bucket: string, prefix: string, maxItems: number): ItemSource {
  return {
    async count() {
      let count = 0;
      for await (const page of pages(s3, bucket, prefix)) {
        count += page.Contents?.length ?? 0;
        if (count >= maxItems) return maxItems;
      }
      return count;
    },
    async *items() {
      let handed = 0;
      for await (const page of pages(s3, bucket, prefix)) {
        for (const object of page.Contents ?? []) {
          if (handed++ >= maxItems) return;
          yield {
            Etag: object.ETag,
            Key: object.Key,
            LastModified: object.LastModified ? Math.floor(object.LastModified.getTime() / 1000) : undefined,
            Size: object.Size,
            StorageClass: object.StorageClass ?? 'STANDARD',
          };
        }
      }
    },
  };
}
