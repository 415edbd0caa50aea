/**
 * Every list call of promote and teardown reads all of its pages: AWS answers at most 100 items a
 * page (often fewer, and SageMaker may answer an empty page with a NextToken when NameContains
 * filters after paging), so one page is never "all". The SDK's `paginate*` helpers follow the
 * token (NextToken, Marker, PaginationToken); this gathers their items.
 */
import { paginateListTags, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { KIT_NAME, TAG_KIT, TAG_STAGE } from '../deploy/index.ts';

/** Every item of every page, `pick` choosing a page's list. */
export async function allPages<Page, Item>(
  pages: AsyncIterable<Page>,
  pick: (page: Page) => Item[] | undefined,
): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of pages) items.push(...(pick(page) ?? []));
  return items;
}

export type TagList = { Key?: string; Value?: string }[] | Record<string, string> | undefined;

/** Whether `tags` carry both kit tags of `stage` (`scones:kit=scones`, `scones:stage=<stage>`). */
export function isKitTagged(tags: TagList, stage: string): boolean {
  const map = Array.isArray(tags)
    ? new Map(tags.map((tag) => [tag.Key, tag.Value]))
    : new Map(Object.entries(tags ?? {}));
  return map.get(TAG_KIT) === KIT_NAME && map.get(TAG_STAGE) === stage;
}

/** All tags of a SageMaker resource (ListTags pages at 50). */
export function sageMakerResourceTags(sagemaker: SageMakerClient, arn: string) {
  return allPages(paginateListTags({ client: sagemaker }, { ResourceArn: arn }), (page) => page.Tags);
}
