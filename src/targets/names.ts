/** A target's names: its config's settings and the deployment's names of its state machines. */
import type { KitConfig } from '../config.ts';
import { resourceNames, retrainingNames } from '../workflow/names.ts';
import type { TargetNames } from './types.ts';

/** The names of a target of `config`; `dataDir` and `logFile` where there is one. */
export function namesOf(config: KitConfig, where: { dataDir?: string; logFile?: string } = {}): TargetNames {
  const resources = resourceNames(config.stage);
  return {
    stage: config.stage,
    bucket: config.bucket,
    endpointName: config.endpointName,
    intakePrefix: config.intakePrefix,
    reviewPrefix: config.reviewPrefix,
    stateMachines: {
      classification: resources.stateMachine,
      batch: resources.batchStateMachine,
      retraining: retrainingNames(config.stage).stateMachine,
    },
    ...(where.dataDir === undefined ? {} : { dataDir: where.dataDir }),
    ...(where.logFile === undefined ? {} : { logFile: where.logFile }),
  };
}
