/**
 * Who hosts the model a stack promotion trained, decided from the stack as it is (pure):
 *
 * - a target whose CloudFormation has no SageMaker types (MiniStack): promote's own hosting steps;
 * - a stack without a model yet: a second change set with `ModelDataUrl` (and the endpoint's
 *   instance type) adds the template's initial model, endpoint config and endpoint;
 * - a stack already made from this very artifact: nothing to do;
 * - a stack made from another artifact: its endpoint belongs to the retraining loop (which may
 *   have rolled it forward since), and a stack update must not move it: the new model is
 *   reported, not deployed (docs/cloudformation.md, "Who owns the endpoint").
 */
import { ENDPOINT_INSTANCE_TYPE, MODEL_DATA_URL } from '../../template/index.ts';

export type HostingChoice =
  | { hosting: 'sdk' }
  | { hosting: 'stack'; parameters?: Record<string, string> }
  | { hosting: 'loop'; note: string };

export function chooseHosting(
  stack: { hostsSageMaker: boolean; parameters: Record<string, string> },
  modelDataUrl: string,
  endpointInstanceType: string,
): HostingChoice {
  if (!stack.hostsSageMaker) return { hosting: 'sdk' };
  const current = stack.parameters[MODEL_DATA_URL] ?? '';
  if (current === '') {
    return {
      hosting: 'stack',
      parameters: { [MODEL_DATA_URL]: modelDataUrl, [ENDPOINT_INSTANCE_TYPE]: endpointInstanceType },
    };
  }
  if (current === modelDataUrl) return { hosting: 'stack' };
  return {
    hosting: 'loop',
    note:
      `The stack's endpoint was made from ${current} and belongs to the retraining loop now: ` +
      `this run's model ${modelDataUrl} is not rolled out by the stack (a new model goes through ` +
      '`scones retrain` or `scones rollout`)',
  };
}
