/** The cost estimate of a plan, line by line, as `scones promote --plan` prints it. */

export interface CostLine {
  item: string;
  basis: string;
  /** USD; undefined when the table has no price for the instance type. */
  usd: number | undefined;
  period: 'once' | 'per hour' | 'per 1,000 requests' | 'per 1,000 failures' | 'per month' | 'per retraining';
}

export interface CostEstimate {
  lines: CostLine[];
  /** Training (or tuning) and staging, expected duration. */
  oneOffUsd: number;
  /** Same at the stopping condition: SageMaker stops the job (and the bill) there. */
  oneOffMaxUsd: number;
  /** Real-time endpoint, per hour while it exists; 0 for serverless. */
  endpointPerHourUsd: number;
  /** Everything recurring at the expected request rate, per 30 days (failure notifications aside). */
  monthlyUsd: number;
  requestsPerDay: number;
  pricesAsOf: string;
  pricesRegion: string;
  sources: readonly string[];
  /** Notes: other region than the table's, unknown instance prices. */
  notes: string[];
}
