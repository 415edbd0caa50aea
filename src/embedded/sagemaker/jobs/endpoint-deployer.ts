/**
 * Moves endpoints through their states with the injected EndpointHosting: Creating -> InService
 * once every variant's model is loaded (Failed with a FailureReason otherwise), Updating ->
 * InService with the new config (or back to the old one, FailureReason set, when the new one does
 * not load, as SageMaker rolls back), Deleting -> gone. A restart deploys again what was served.
 * An update with a DeploymentConfig runs as a blue/green deployment (blue-green.ts).
 */
import type {
  AlarmStateSource,
  DataCaptureConfigRecord,
  EndpointConfigRecord,
  EndpointDeployment,
  EndpointHosting,
  EndpointRecord,
  ServiceContext,
  VariantStateRecord,
  VariantWeight,
} from '../types.ts';
import { runBlueGreen, type StagingHosting } from './blue-green.ts';
import { buildDeployment, DeploymentProblem } from './endpoint-deployment.ts';
import type { TrafficPlan } from './traffic-plan.ts';

export interface BlueGreenOptions {
  alarmStates: AlarmStateSource;
  /** How often a baking period reads its alarms. */
  pollMs: number;
}

export class EndpointDeployer {
  readonly #context: ServiceContext;
  readonly #hosting: EndpointHosting;
  readonly #work = new Map<string, Promise<void>>();
  readonly #blueGreen: BlueGreenOptions;
  /** Set by close(): the blue/green rollouts stop where they are. */
  #closing = false;

  constructor(context: ServiceContext, hosting: EndpointHosting, blueGreen: BlueGreenOptions) {
    this.#context = context;
    this.#hosting = hosting;
    this.#blueGreen = blueGreen;
  }

  /** The hosting, when it can load a new fleet beside the old one (blue/green deployments). */
  get staging(): StagingHosting | undefined {
    const hosting = this.#hosting;
    if (!hosting.stage || !hosting.shift || !hosting.promote || !hosting.discard) return undefined;
    return hosting as StagingHosting;
  }

  /** Resolves once nothing is under way for `name`. */
  async settled(name: string): Promise<void> {
    await this.#work.get(name.toLowerCase());
  }

  async settledAll(): Promise<void> {
    await Promise.all([...this.#work.values()]);
  }

  /** Stops the blue/green rollouts under way (the next start serves their old fleet), then settles. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.settledAll();
  }

  async #load(deployment: EndpointDeployment, beside = false): Promise<void> {
    try {
      if (beside) await this.staging?.stage(deployment);
      else await this.#hosting.deploy(deployment);
    } catch (error) {
      // A HostingFailure, or any hosting's error that names its variant the same way.
      const named = (error as { variantName?: unknown }).variantName;
      const variant = typeof named === 'string' ? named : deployment.variants[0]?.variantName;
      throw new DeploymentProblem(
        `The primary container for production variant ${variant} did not pass the ping health check. Please ` +
          `check CloudWatch logs for this endpoint. (${(error as Error).message})`,
      );
    }
  }

  #schedule(endpoint: EndpointRecord, work: () => Promise<void>): void {
    const key = endpoint.EndpointName.toLowerCase();
    const previous = this.#work.get(key) ?? Promise.resolve();
    const next = previous.then(work).finally(() => {
      if (this.#work.get(key) === next) this.#work.delete(key);
    });
    this.#work.set(key, next);
  }

  #save(endpoint: EndpointRecord): void {
    endpoint.LastModifiedTime = this.#context.seconds();
    this.#context.tables.endpoints.save();
  }

  #served(
    endpoint: EndpointRecord,
    deployment: EndpointDeployment,
    config: DataCaptureConfigRecord | undefined,
  ) {
    endpoint.Variants = deployment.variants.map(
      (variant): VariantStateRecord => ({
        VariantName: variant.variantName,
        ModelName: variant.modelName,
        Image: variant.image,
        CurrentWeight: variant.weight,
        DesiredWeight: variant.weight,
        CurrentInstanceCount: variant.instanceCount,
        DesiredInstanceCount: variant.instanceCount,
      }),
    );
    endpoint.Deployment = deployment;
    endpoint.EndpointConfigName = deployment.endpointConfigName;
    if (config) endpoint.DataCaptureConfig = config;
    else delete endpoint.DataCaptureConfig;
    endpoint.EndpointStatus = 'InService';
  }

  /**
   * Loads a deployment's models and puts it in service, the step Create and Update share; false when
   * the endpoint was deleted while its models loaded (nothing is recorded then).
   */
  async #serve(
    endpoint: EndpointRecord,
    deployment: EndpointDeployment,
    config: EndpointConfigRecord,
  ): Promise<boolean> {
    await this.#load(deployment);
    if (endpoint.EndpointStatus === 'Deleting') return false;
    this.#served(endpoint, deployment, config.DataCaptureConfig);
    delete endpoint.FailureReason;
    return true;
  }

  /** CreateEndpoint: `endpoint` is a record in Creating. */
  create(endpoint: EndpointRecord, config: EndpointConfigRecord): void {
    this.#schedule(endpoint, async () => {
      try {
        if (!(await this.#serve(endpoint, await buildDeployment(this.#context, endpoint, config), config)))
          return;
      } catch (error) {
        if (endpoint.EndpointStatus === 'Deleting') return;
        endpoint.EndpointStatus = 'Failed';
        endpoint.FailureReason = (error as Error).message.slice(0, 1024);
      }
      this.#save(endpoint);
    });
  }

  /**
   * UpdateEndpoint: `endpoint` is a record in Updating; weights kept when `retain`
   * (RetainAllVariantProperties); a blue/green deployment when `plan` is given.
   */
  update(endpoint: EndpointRecord, config: EndpointConfigRecord, retain: boolean, plan?: TrafficPlan): void {
    this.#schedule(endpoint, async () => {
      try {
        const deployment = await buildDeployment(this.#context, endpoint, config);
        if (retain) {
          const current = new Map(endpoint.Variants.map((variant) => [variant.VariantName, variant]));
          for (const variant of deployment.variants) {
            const kept = current.get(variant.variantName);
            if (kept)
              Object.assign(variant, {
                weight: kept.CurrentWeight,
                instanceCount: kept.CurrentInstanceCount,
              });
          }
        }
        const staging = this.staging;
        if (plan && staging) {
          await runBlueGreen({
            context: this.#context,
            hosting: staging,
            endpoint,
            green: deployment,
            plan,
            alarmStates: this.#blueGreen.alarmStates,
            pollMs: this.#blueGreen.pollMs,
            stage: () => this.#load(deployment, true),
            promoted: () => this.#served(endpoint, deployment, config.DataCaptureConfig),
            save: () => this.#save(endpoint),
            closing: () => this.#closing,
          });
          if (endpoint.EndpointStatus === 'Deleting') return;
          if (this.#closing && endpoint.EndpointStatus === 'Updating') {
            this.#save(endpoint);
            return;
          }
        } else if (!(await this.#serve(endpoint, deployment, config))) return;
      } catch (error) {
        if (endpoint.EndpointStatus === 'Deleting') return;
        // SageMaker rolls back: the old config stays in service and the reason is shown.
        endpoint.EndpointStatus = 'InService';
        endpoint.FailureReason = (error as Error).message.slice(0, 1024);
      }
      delete endpoint.PendingEndpointConfigName;
      this.#save(endpoint);
    });
  }

  /** UpdateEndpointWeightsAndCapacities: `endpoint` is in Updating with DesiredWeight/Count set. */
  reweight(endpoint: EndpointRecord): void {
    this.#schedule(endpoint, async () => {
      const weights: VariantWeight[] = endpoint.Variants.map((variant) => ({
        variantName: variant.VariantName,
        weight: variant.DesiredWeight,
      }));
      try {
        await this.#hosting.route(endpoint.EndpointName, weights);
        for (const variant of endpoint.Variants) {
          variant.CurrentWeight = variant.DesiredWeight;
          variant.CurrentInstanceCount = variant.DesiredInstanceCount;
          const deployed = endpoint.Deployment?.variants.find((d) => d.variantName === variant.VariantName);
          if (deployed)
            Object.assign(deployed, {
              weight: variant.CurrentWeight,
              instanceCount: variant.CurrentInstanceCount,
            });
        }
        delete endpoint.FailureReason;
      } catch (error) {
        for (const variant of endpoint.Variants) variant.DesiredWeight = variant.CurrentWeight;
        endpoint.FailureReason = (error as Error).message.slice(0, 1024);
      }
      endpoint.EndpointStatus = 'InService';
      this.#save(endpoint);
    });
  }

  /** DeleteEndpoint: `endpoint` is in Deleting; the record goes once the hosting let go of it. */
  delete(endpoint: EndpointRecord): void {
    this.#schedule(endpoint, async () => {
      await this.#hosting.remove(endpoint.EndpointName).catch(() => undefined);
      this.#context.tables.endpoints.delete(endpoint.EndpointName);
    });
  }

  /** At start: serves again what the state says was served; finishes what was under way. */
  restore(): void {
    for (const endpoint of this.#context.tables.endpoints.values()) {
      if (endpoint.EndpointStatus === 'Deleting') {
        this.delete(endpoint);
        continue;
      }
      if (endpoint.EndpointStatus === 'Failed') continue;
      if (endpoint.EndpointStatus === 'Creating') {
        const config = this.#context.tables.endpointConfigs.get(endpoint.EndpointConfigName);
        if (config) this.create(endpoint, config);
        else {
          endpoint.EndpointStatus = 'Failed';
          endpoint.FailureReason = `The endpoint configuration ${endpoint.EndpointConfigName} was deleted before the endpoint was created.`;
          this.#save(endpoint);
        }
        continue;
      }
      const deployment = endpoint.Deployment;
      if (!deployment) continue;
      this.#schedule(endpoint, async () => {
        try {
          await this.#load(deployment);
          if (endpoint.PendingDeployment) {
            // A blue/green rollout was under way: blue takes all the traffic again.
            for (const variant of endpoint.Variants) variant.CurrentWeight = variant.DesiredWeight;
            delete endpoint.PendingDeployment;
          }
          if (endpoint.EndpointStatus === 'Updating' || endpoint.EndpointStatus === 'RollingBack')
            endpoint.FailureReason =
              'The update did not finish: the local SageMaker restarted; the previous config is in service.';
          endpoint.EndpointStatus = 'InService';
        } catch (error) {
          endpoint.EndpointStatus = 'Failed';
          endpoint.FailureReason = (error as Error).message.slice(0, 1024);
        }
        delete endpoint.PendingEndpointConfigName;
        this.#save(endpoint);
      });
    }
  }
}
