/**
 * One blue/green deployment (UpdateEndpoint with a DeploymentConfig), as the developer guide's
 * "Blue/Green Deployments" runs it: the new (green) fleet is loaded beside the old (blue) one,
 * traffic moves to green step by step (traffic-plan.ts), each step short of all followed by a
 * baking period (ALL_AT_ONCE: one after the move), then the termination wait, then blue is let go
 * and the endpoint is InService on the new config.
 *
 * While a baking period or the termination wait runs, the AutoRollbackConfiguration's alarms are
 * read every `pollMs`: one in ALARM rolls back (RollingBack: every invocation back to blue at
 * once, green let go, then InService on the old config with a FailureReason naming the alarm).
 * So does running past MaximumExecutionTimeoutInSeconds. A green that does not load fails the
 * update with blue still serving. The stages show in DescribeEndpoint's PendingDeploymentSummary.
 */
import type {
  AlarmStateSource,
  EndpointDeployment,
  EndpointHosting,
  EndpointRecord,
  ServiceContext,
  VariantStatusRecord,
} from '../types.ts';
import type { TrafficPlan } from './traffic-plan.ts';

/** The hosting members a blue/green deployment needs. */
export type StagingHosting = Required<Pick<EndpointHosting, 'stage' | 'shift' | 'promote' | 'discard'>>;

export interface BlueGreenRun {
  context: ServiceContext;
  hosting: StagingHosting;
  endpoint: EndpointRecord;
  green: EndpointDeployment;
  plan: TrafficPlan;
  alarmStates: AlarmStateSource;
  pollMs: number;
  /** Loads green (the deployer's own load, with its FailureReason wording on failure). */
  stage(): Promise<void>;
  /** Records green in service (variants, deployment, capture) once blue is let go. */
  promoted(): void;
  save(): void;
  /** True once the service closes: the rollout stops where it is (the next start serves blue). */
  closing(): boolean;
}

/** The deployment ended without green in service; `message` is the endpoint's FailureReason. */
class RolledBack extends Error {}

/** The service closed during the rollout. */
class Interrupted extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** Runs the deployment to its end: green in service, or blue kept with the FailureReason set. */
export async function runBlueGreen(run: BlueGreenRun): Promise<void> {
  const { context, endpoint, green, plan } = run;
  const started = context.seconds();
  const status = (state: VariantStatusRecord['Status'], message: string) => {
    for (const variant of endpoint.PendingDeployment?.Variants ?? [])
      variant.VariantStatus = [{ Status: state, StatusMessage: message, StartTime: context.seconds() }];
    run.save();
  };
  endpoint.PendingDeployment = {
    EndpointConfigName: green.endpointConfigName,
    StartTime: started,
    Variants: green.variants.map((variant) => ({
      VariantName: variant.variantName,
      ModelName: variant.modelName,
      Image: variant.image,
      CurrentWeight: 0,
      DesiredWeight: variant.weight,
      CurrentInstanceCount: 0,
      DesiredInstanceCount: variant.instanceCount,
      VariantStatus: [],
    })),
  };
  status('Creating', 'Creating the new fleet beside the one in service.');
  try {
    await run.stage();
  } catch (error) {
    delete endpoint.PendingDeployment;
    throw error;
  }
  for (const variant of endpoint.PendingDeployment.Variants)
    variant.CurrentInstanceCount = variant.DesiredInstanceCount;
  try {
    for (const [index, step] of plan.steps.entries()) {
      if (endpoint.EndpointStatus === 'Deleting') return;
      status('ActivatingTraffic', `Shifting ${percent(step.greenShare)} of the traffic to the new fleet.`);
      await run.hosting.shift(endpoint.EndpointName, step.greenShare);
      weigh(endpoint, step.greenShare);
      if (!step.bake) continue;
      status(
        'Baking',
        `Baking ${plan.waitSeconds} s with ${percent(step.greenShare)} of the traffic on the new fleet (step ${index + 1} of ${plan.steps.length}).`,
      );
      await watch(run, plan.waitSeconds, started);
    }
    if (plan.terminationWaitSeconds > 0) {
      status('Baking', `Waiting ${plan.terminationWaitSeconds} s before the old fleet is terminated.`);
      await watch(run, plan.terminationWaitSeconds, started);
    }
  } catch (error) {
    if (error instanceof Interrupted) {
      // As if the process had stopped: the state keeps Updating, and the next start serves blue.
      await run.hosting.discard(endpoint.EndpointName);
      return;
    }
    if (!(error instanceof RolledBack)) {
      // The hosting or the alarm source failed: blue takes everything back, the update fails.
      await run.hosting.discard(endpoint.EndpointName).catch(() => undefined);
      weigh(endpoint, 0);
      delete endpoint.PendingDeployment;
      throw error;
    }
    endpoint.EndpointStatus = 'RollingBack';
    status('Deleting', 'Rolling back: every invocation goes back to the old fleet.');
    await run.hosting.discard(endpoint.EndpointName);
    weigh(endpoint, 0);
    delete endpoint.PendingDeployment;
    endpoint.EndpointStatus = 'InService';
    endpoint.FailureReason = error.message.slice(0, 1024);
    run.save();
    return;
  }
  if (endpoint.EndpointStatus !== 'Updating') return; // Deleting meanwhile
  await run.hosting.promote(endpoint.EndpointName);
  delete endpoint.PendingDeployment;
  run.promoted();
  delete endpoint.FailureReason;
}

/** Blue's and green's CurrentWeight as the share of the traffic each variant answers. */
function weigh(endpoint: EndpointRecord, greenShare: number): void {
  const spread = (variants: { CurrentWeight: number; DesiredWeight: number }[], share: number) => {
    const total = variants.reduce((sum, variant) => sum + variant.DesiredWeight, 0);
    for (const variant of variants)
      variant.CurrentWeight = total > 0 ? (variant.DesiredWeight / total) * share : 0;
  };
  if (greenShare === 0) {
    for (const variant of endpoint.Variants) variant.CurrentWeight = variant.DesiredWeight;
    return;
  }
  spread(endpoint.Variants, 1 - greenShare);
  spread(endpoint.PendingDeployment?.Variants ?? [], greenShare);
}

/** Waits `seconds`, reading the alarms every `pollMs`; throws RolledBack when one is in ALARM. */
async function watch(run: BlueGreenRun, seconds: number, started: number): Promise<void> {
  const { context, endpoint, plan } = run;
  const until = context.seconds() + seconds;
  for (;;) {
    if (endpoint.EndpointStatus === 'Deleting') return;
    if (run.closing()) throw new Interrupted('the local SageMaker closed during the deployment');
    if (plan.alarms.length > 0) {
      const states = await run.alarmStates(plan.alarms).catch((error: unknown) => {
        throw new RolledBack(
          `Endpoint update rolled back: the states of the CloudWatch alarms ${plan.alarms.join(', ')} could not be read (${(error as Error).message}).`,
        );
      });
      const tripped = plan.alarms.filter((name) => states[name] === 'ALARM');
      if (tripped.length > 0)
        throw new RolledBack(
          `Endpoint update rolled back: the CloudWatch alarm${tripped.length > 1 ? 's' : ''} ${tripped.join(', ')} went to ALARM state during the deployment; the previous endpoint configuration ${endpoint.EndpointConfigName} is in service.`,
        );
    }
    const now = context.seconds();
    if (now - started > plan.maximumSeconds)
      throw new RolledBack(
        `Endpoint update rolled back: the deployment ran past MaximumExecutionTimeoutInSeconds (${plan.maximumSeconds} s).`,
      );
    if (now >= until) return;
    await sleep(Math.min(run.pollMs, (until - now) * 1000));
  }
}
