export {
  estimateCost,
  LOCAL_COST_NOTE,
  localCost,
  REQUEST_ASSUMPTIONS,
  workflowUsdPerThousand,
} from './cost.ts';
export {
  EVENTBRIDGE_PER_AWS_SERVICE_EVENT,
  PRICE_SOURCES,
  PRICES_AS_OF,
  PRICES_REGION,
  S3_PER_GB_MONTH,
  S3_PER_THOUSAND_PUTS,
  SFN_PER_TRANSITION,
} from './prices.ts';
export type { CostEstimate, CostLine } from './types.ts';
