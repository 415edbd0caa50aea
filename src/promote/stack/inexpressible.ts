/**
 * What `promote --via cloudformation` can put in the stage's template, checked before anything is
 * created. The template's endpoint config is the real-time one promote makes by default (one
 * instance, data capture of every request under `data_capture/`; src/template/hosting.ts), its
 * bucket and endpoint names are the stage's: a setting of another value would be silently lost, so
 * it is refused with the reason and the way out (the SDK path, `--via sdk`, takes them all).
 */
import type { PromoteOptions, ResolvedPromoteOptions } from '../options.ts';
import { PROMOTE_DEFAULTS, PromoteOptionsError } from '../options.ts';

type HostingSetting = 'serverless' | 'endpointInstanceCount' | 'captureSamplingPercentage' | 'capturePrefix';

const WHY: Record<HostingSetting, string> = {
  serverless: "the template's endpoint config is a real-time instance with data capture",
  endpointInstanceCount: "the template's endpoint config has one instance (autoscaling is the way to more)",
  captureSamplingPercentage: "the template's endpoint config captures every request (100 %)",
  capturePrefix: `the template's endpoint config captures under ${PROMOTE_DEFAULTS.capturePrefix}`,
};

export function refuseInexpressible(resolved: ResolvedPromoteOptions, given: PromoteOptions): void {
  const problems: string[] = [];
  for (const setting of Object.keys(WHY) as HostingSetting[]) {
    if (resolved[setting] !== PROMOTE_DEFAULTS[setting]) {
      problems.push(`${setting} ${String(resolved[setting])}: ${WHY[setting]}`);
    }
  }
  if (given.bucket !== undefined) {
    problems.push(`bucket ${given.bucket}: the stack creates and names the stage's bucket`);
  }
  if (given.endpointName !== undefined) {
    problems.push(
      `endpointName ${given.endpointName}: the template names the stage's endpoint (the classify Lambda's ENDPOINT_NAME)`,
    );
  }
  if (problems.length > 0) {
    throw new PromoteOptionsError(
      `Nothing was created: the stage's template cannot express ${problems.join('; ')}. Promote without them, or with --via sdk`,
    );
  }
}
