/**
 * SageMaker in the template: the execution role (always: the retraining's training jobs and models
 * pass it) and, only when ModelDataUrl is given, the INITIAL model, endpoint config (data capture)
 * and endpoint, from promote's own request builders (src/promote/specs.ts).
 *
 * Who owns the endpoint (docs/cloudformation.md): the stack creates it once; afterwards the
 * retraining loop (and `scones rollout`) moves it to new endpoint configs with UpdateEndpoint. So
 * that a stack update can never roll a promoted model back, the Endpoint resource's properties name
 * no parameter (only the initial config, by GetAtt), and the model and config carry fixed names: a
 * changed ModelDataUrl or instance type would need a replacement, which CloudFormation refuses for
 * custom-named resources ("cannot update a stack when a custom-named resource requires replacing"),
 * so the update fails and rolls back and the endpoint is left serving what the loop put there.
 */
import type { KitConfig } from '../config.ts';
import { resolvePromoteOptions } from '../promote/options.ts';
import { dataCaptureConfig, productionVariant } from '../promote/specs.ts';
import { SAGEMAKER_TRUST_POLICY, sagemakerExecutionPolicy } from '../promote/workflow/index.ts';
import { kitTags, resourceNames, retrainingNames } from '../workflow/names.ts';
import { param, TEMPLATE_SCOPE, tagList } from './intrinsics.ts';
import { ALGORITHM_IMAGE, CREATES_ENDPOINT, ENDPOINT_INSTANCE_TYPE, MODEL_DATA_URL } from './parameters.ts';
import type { ResourceSet } from './resources.ts';

/** Promote's hosting defaults (instance count, capture sampling and prefix). */
export const HOSTING_DEFAULTS = resolvePromoteOptions({});

export const INITIAL_MODEL = 'InitialModel';
export const INITIAL_ENDPOINT_CONFIG = 'InitialEndpointConfig';
export const ENDPOINT = 'Endpoint';

export function addHosting(set: ResourceSet, input: { config: KitConfig; sagemakerRoleArn: string }): void {
  const { config } = input;
  const names = retrainingNames(config.stage);
  const tags = tagList(kitTags(config.stage));
  set.role({
    name: names.sagemakerRole,
    arn: input.sagemakerRoleArn,
    description: `scones ${config.stage}: execution role of the training jobs and the endpoint`,
    trust: SAGEMAKER_TRUST_POLICY,
    policyName: resourceNames(config.stage).inlinePolicy,
    // Region-specific: the algorithm's registry account differs per region.
    policy: sagemakerExecutionPolicy(HOSTING_DEFAULTS, {
      ...TEMPLATE_SCOPE,
      region: config.region,
      bucket: config.bucket,
    }),
    tags: kitTags(config.stage),
  });
  const prefix = set.stagePrefix;
  set.add(INITIAL_MODEL, {
    Type: 'AWS::SageMaker::Model',
    Condition: CREATES_ENDPOINT,
    Properties: {
      ModelName: `${prefix}model-initial`,
      PrimaryContainer: { Image: param(ALGORITHM_IMAGE), ModelDataUrl: param(MODEL_DATA_URL) },
      ExecutionRoleArn: input.sagemakerRoleArn,
      Tags: tags,
    },
  });
  const variant = productionVariant(
    { ...HOSTING_DEFAULTS, serverless: false, endpointInstanceType: param(ENDPOINT_INSTANCE_TYPE) },
    `${prefix}model-initial`,
  );
  set.add(INITIAL_ENDPOINT_CONFIG, {
    Type: 'AWS::SageMaker::EndpointConfig',
    Condition: CREATES_ENDPOINT,
    Properties: {
      EndpointConfigName: `${prefix}config-initial`,
      ProductionVariants: [{ ...variant, ModelName: { 'Fn::GetAtt': [INITIAL_MODEL, 'ModelName'] } }],
      DataCaptureConfig: dataCaptureConfig(
        { ...HOSTING_DEFAULTS, serverless: false },
        { bucket: config.bucket },
      ),
      Tags: tags,
    },
  });
  set.add(ENDPOINT, {
    Type: 'AWS::SageMaker::Endpoint',
    Condition: CREATES_ENDPOINT,
    Properties: {
      EndpointName: config.endpointName,
      EndpointConfigName: { 'Fn::GetAtt': [INITIAL_ENDPOINT_CONFIG, 'EndpointConfigName'] },
      Tags: tags,
    },
  });
}
