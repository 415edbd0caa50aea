/**
 * What one run of the retraining state machine (statemachine/model-retraining.asl.json) costs on
 * the instances its ASL names: the training job (ml.p3.2xlarge, the run's epochs), the candidate's
 * green fleet (one ml.m5.large) while the canary bakes beside the blue one, EvaluateCandidate (3 GB
 * for about a minute) and BuildTrainingSet, and the state transitions of the run and its
 * DescribeEndpoint polls. Shown beside the other lines; not in the monthly total: a retraining runs
 * when someone or an alarm starts it.
 */
import { HOSTING_PER_HOUR, LAMBDA_PER_GB_SECOND, SFN_PER_TRANSITION, TRAINING_PER_HOUR } from './prices.ts';
import type { CostLine } from './types.ts';

export const RETRAINING_ASSUMPTIONS = {
  trainingInstanceType: 'ml.p3.2xlarge',
  /** One training job of the ASL's defaults (30 epochs over ~1,000 images plus the reviewed ones). */
  trainingMinutes: 10,
  endpointInstanceType: 'ml.m5.large',
  /** The green fleet: provisioning (~8 min), the canary's bake_seconds (300 s), the rest of the shift. */
  greenFleetMinutes: 15,
  /** EvaluateCandidate 3 GB x ~60 s, BuildTrainingSet 1 GB x ~30 s. */
  lambdaGbSeconds: 210,
  /** ~25 states of a promoted run and ~180 DescribeEndpoint polls (5 s apart) with their Waits. */
  transitions: 400,
};

export function retrainingCostLine(round: (usd: number) => number): CostLine {
  const a = RETRAINING_ASSUMPTIONS;
  const training = TRAINING_PER_HOUR[a.trainingInstanceType];
  const hosting = HOSTING_PER_HOUR[a.endpointInstanceType];
  const usd =
    training === undefined || hosting === undefined
      ? undefined
      : (a.trainingMinutes / 60) * training +
        (a.greenFleetMinutes / 60) * hosting +
        a.lambdaGbSeconds * LAMBDA_PER_GB_SECOND +
        a.transitions * SFN_PER_TRANSITION;
  return {
    item: 'retraining (state machine, on demand)',
    basis: `~${a.trainingMinutes} min on ${a.trainingInstanceType}, the candidate's ${a.endpointInstanceType} for ~${a.greenFleetMinutes} min of canary, ~${a.lambdaGbSeconds} Lambda GB-s, ~${a.transitions} transitions; only when a retraining runs (not in the monthly total)`,
    usd: usd === undefined ? undefined : round(usd),
    period: 'per retraining',
  };
}
