/**
 * Who hosts what a stack promotion trained (src/promote/stack/hosting-choice.ts): the branch that
 * runs only on AWS (the second change set that adds the endpoint) is decided here, where it can be
 * checked; test/emulator/promote-stack.test.ts runs the whole promotion on MiniStack (`sdk`).
 */
import { describe, expect, it } from 'vitest';
import { chooseHosting } from '../../src/promote/index.ts';

const MODEL = 's3://scones-prod-1-us-east-1/models/job-a/output/model.tar.gz';

describe('hosting of a stack promotion', () => {
  it('adds the endpoint through the stack the first time, with the instance type', () => {
    expect(
      chooseHosting({ hostsSageMaker: true, parameters: { ModelDataUrl: '' } }, MODEL, 'ml.m5.large'),
    ).toEqual({
      hosting: 'stack',
      parameters: { ModelDataUrl: MODEL, EndpointInstanceType: 'ml.m5.large' },
    });
    expect(chooseHosting({ hostsSageMaker: true, parameters: {} }, MODEL, 'ml.c5.xlarge')).toMatchObject({
      parameters: { EndpointInstanceType: 'ml.c5.xlarge' },
    });
  });

  it('changes nothing when the stack was made from this very model', () => {
    expect(
      chooseHosting({ hostsSageMaker: true, parameters: { ModelDataUrl: MODEL } }, MODEL, 'ml.m5.large'),
    ).toEqual({
      hosting: 'stack',
    });
  });

  it('never moves an endpoint the retraining loop owns: another model is reported, not deployed', () => {
    const choice = chooseHosting(
      { hostsSageMaker: true, parameters: { ModelDataUrl: 's3://b/models/first/model.tar.gz' } },
      MODEL,
      'ml.m5.large',
    );
    expect(choice).toMatchObject({ hosting: 'loop' });
    expect(choice.hosting === 'loop' && choice.note).toMatch(
      /made from s3:\/\/b\/models\/first\/model.tar.gz and belongs to the retraining loop.*scones rollout/,
    );
    expect(choice).not.toHaveProperty('parameters');
  });

  it("takes promote's own hosting steps where CloudFormation has no SageMaker types", () => {
    expect(chooseHosting({ hostsSageMaker: false, parameters: {} }, MODEL, 'ml.m5.large')).toEqual({
      hosting: 'sdk',
    });
  });
});
