/**
 * The retraining state machine in-process (`statemachine/model-retraining.asl.json`): its two
 * Lambdas are the real handlers (BuildTrainingSet, EvaluateCandidate with the kit's predictor), its
 * SageMaker Tasks run against the tier's local SageMaker. It lives beside the classification engine,
 * in its state-machine registry, under the ARN a deployment of the stage gives it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createHandler as createBuildHandler } from '../../../lambdas/build-training-set/handler.ts';
import type { ModelLoader } from '../../../lambdas/evaluate-candidate/evaluate.ts';
import { createHandler as createEvaluateHandler } from '../../../lambdas/evaluate-candidate/handler.ts';
import type { TelemetryOptions } from '../../../lambdas/shared/telemetry.ts';
import { loadDefinition, retrainingSubstitutionsFor } from '../../workflow/definition.ts';
import { eventResourceNames, retrainingNames } from '../../workflow/names.ts';
import { CLASS_LABELS } from '../../workflow/types.ts';
import type { LambdaHandler } from '../functions/index.ts';
import { EmbeddedEngine } from './engine.ts';
import type { SageMakerControlPlane, TopicPublisher } from './types.ts';

export interface RetrainingEngineOptions {
  stage: string;
  /** The kit's bucket: staged dataset, ground truth, capture, and the runs. */
  bucket: string;
  /** The endpoint the workflow invokes: the one a promoted candidate takes over. */
  endpointName: string;
  s3: S3Client;
  sagemaker: SageMakerControlPlane;
  /** The algorithm's image in the tier's region, and the role SageMaker runs as. */
  trainingImage: string;
  sagemakerRoleArn: string;
  datasetPrefix?: string;
  groundTruthPrefix?: string;
  capturePrefix?: string;
  /** How EvaluateCandidate loads a model.tar.gz: the kit's predictor (training/predictor.ts) on the tier. */
  loadModel: ModelLoader;
  /** How often `.sync` Tasks poll the job (default 100 ms). */
  sagemakerPollMs?: number;
  telemetry?: TelemetryOptions;
  retryDelayMs?: number;
  /** The stage's SNS topic, where every outcome is published (the embedded tier's notification sink). */
  sns: TopicPublisher;
}

/** The ARN of `resource` of another service, in the classification state machine's partition, region and account. */
function siblingArn(stateMachineArn: string, service: string, resource: string): string {
  const [, partition, , region, accountId] = stateMachineArn.split(':');
  return `arn:${partition}:${service}:${region}:${accountId}:${resource}`;
}

export function createRetrainingEngine(
  classification: Pick<EmbeddedEngine, 'stateMachineArn' | 'stateMachines'>,
  options: RetrainingEngineOptions,
): EmbeddedEngine {
  const names = retrainingNames(options.stage);
  const arnOf = (name: string) => siblingArn(classification.stateMachineArn, 'lambda', `function:${name}`);
  const functionArns = { build: arnOf(names.functions.build), evaluate: arnOf(names.functions.evaluate) };
  const stateMachineArn = siblingArn(
    classification.stateMachineArn,
    'states',
    `stateMachine:${names.stateMachine}`,
  );
  const telemetry = options.telemetry ? { telemetry: options.telemetry } : {};
  const { loadModel } = options;
  return new EmbeddedEngine({
    definition: loadDefinition(
      retrainingSubstitutionsFor({
        stage: options.stage,
        functionArns,
        bucket: options.bucket,
        datasetPrefix: options.datasetPrefix ?? 'datasets/cifar-100/',
        groundTruthPrefix: options.groundTruthPrefix ?? 'ground_truth/',
        capturePrefix: options.capturePrefix ?? 'data_capture/',
        trainingImage: options.trainingImage,
        sagemakerRoleArn: options.sagemakerRoleArn,
        endpointName: options.endpointName,
        modelPackageGroupName: names.modelPackageGroup,
        namePrefix: names.runNamePrefix,
        numClasses: CLASS_LABELS.length,
        stateMachineArn,
        rolloutAlarmName: names.rolloutAlarm,
        notificationTopicArn: siblingArn(
          classification.stateMachineArn,
          'sns',
          eventResourceNames(options.stage).notificationTopic,
        ),
      }),
      'retraining',
    ),
    functions: {
      [functionArns.build]: createBuildHandler({ s3: options.s3, ...telemetry }) as LambdaHandler,
      [functionArns.evaluate]: createEvaluateHandler({
        s3: options.s3,
        loadModel,
        ...telemetry,
      }) as LambdaHandler,
    },
    clients: {
      s3: options.s3,
      sagemaker: options.sagemaker,
      sns: options.sns,
      ...(options.sagemakerPollMs === undefined ? {} : { sagemakerPollMs: options.sagemakerPollMs }),
    },
    stateMachineArn,
    stateMachines: classification.stateMachines,
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
  });
}
