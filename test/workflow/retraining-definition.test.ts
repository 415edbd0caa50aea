/**
 * statemachine/model-retraining.asl.json as every tier loads it: valid with its substitutions
 * resolved (ARNs checked), JSONPath, every substitution used, every Task caught into the recorded
 * failure, and only the SageMaker integrations the developer guide documents.
 */

import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import {
  DEFINITION_PATHS,
  loadDefinition,
  retrainingSubstitutionsFor,
  substitute,
} from '../../src/workflow/definition.ts';

const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const substitutions = retrainingSubstitutionsFor({
  stage: 'dev',
  functionArns: { build: arn('build'), evaluate: arn('evaluate') },
  bucket: 'scones-images',
  datasetPrefix: 'datasets/cifar-100/',
  groundTruthPrefix: 'ground_truth/',
  capturePrefix: 'data_capture/',
  trainingImage: '811284229777.dkr.ecr.us-east-1.amazonaws.com/image-classification:1',
  sagemakerRoleArn: 'arn:aws:iam::123456789012:role/scones-dev-sagemaker-role',
  endpointName: 'scones-image-classification',
  modelPackageGroupName: 'scones-dev-image-classifier',
  namePrefix: 'scones-dev-rt-',
  numClasses: 2,
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:scones-dev-model-retraining',
  rolloutAlarmName: 'scones-dev-endpoint-5xx',
  notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:scones-dev-execution-failures',
});

type State = {
  Type: string;
  Resource?: string;
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Parameters?: Record<string, unknown>;
};
const states = () => loadDefinition(substitutions, 'retraining').States as Record<string, State>;

describe('the retraining definition', () => {
  it('passes asl-validator with its substitutions resolved, every one of them used', () => {
    const definition = loadDefinition(substitutions, 'retraining');
    const { isValid, errorsText } = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    expect(definition.QueryLanguage).toBe('JSONPath');
    // Every substitution is placed somewhere, and the file has no placeholder without one.
    const template = readFileSync(DEFINITION_PATHS.retraining, 'utf8');
    expect([...substitute(template, substitutions).used].sort()).toEqual(Object.keys(substitutions).sort());
  });

  it('catches every Task into the recorded failure, notified first (Error and Cause kept)', () => {
    const tasks = Object.entries(states()).filter(([, state]) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(15);
    for (const [name, state] of tasks) {
      const catchAll = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      // The notifications themselves end where they would have gone: a failed publish loses nothing.
      const expected =
        name === 'NotifyFailure' ? 'RetrainingFailed' : name === 'NotifyOutcome' ? 'Done' : 'NotifyFailure';
      expect(catchAll?.Next, name).toBe(expected);
    }
    expect(states().NotifyFailure).toMatchObject({
      Resource: 'arn:aws:states:::sns:publish',
      Next: 'RetrainingFailed',
    });
    expect(states().RetrainingFailed).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.failure.Error',
      CausePath: '$.failure.Cause',
    });
  });

  it('trains through createTrainingJob.sync and registers through createModelPackage', () => {
    const all = states();
    expect(all.TrainCandidate?.Resource).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    expect(all.RegisterCandidate?.Resource).toBe('arn:aws:states:::aws-sdk:sagemaker:createModelPackage');
    expect(all.TuneCandidate?.Resource).toBe('arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync');
    expect(all.UpdateEndpoint?.Resource).toBe('arn:aws:states:::sagemaker:updateEndpoint');
    // A canary that the stage's rollout alarm rolls back.
    expect(all.UpdateEndpoint?.Parameters?.DeploymentConfig).toMatchObject({
      BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY' } },
      AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'scones-dev-endpoint-5xx' }] },
    });
    expect(all.BuildTrainingSet?.Parameters?.FunctionName).toBe(arn('build'));
    expect(all.EvaluateCandidate?.Parameters?.FunctionName).toBe(arn('evaluate'));
  });
});
