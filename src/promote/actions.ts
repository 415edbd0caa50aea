/** One action of a promotion: what it does to which resource, and why. Plan and apply share it. */
import type { ActionChange, PromotionAction, ResourceType } from './types.ts';

export function action(
  step: string,
  resourceType: ResourceType,
  name: string,
  change: ActionChange,
  detail = '',
  arn?: string,
): PromotionAction {
  return { step, resourceType, name, change, detail, ...(arn ? { arn } : {}) };
}
