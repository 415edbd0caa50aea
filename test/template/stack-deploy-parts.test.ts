/**
 * The parts of `scones deploy --via cloudformation` that need no CloudFormation client: parameter
 * values refused before anything exists, the plan's lines and the failure picked from stack events
 * (shaped as MiniStack 1.5.33 answered). The code bucket: test/emulator/code-bucket.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import {
  changeLines,
  firstFailure,
  isNothingToChange,
  validationFailures,
} from '../../src/template/change-report.ts';
import {
  BUNDLE_KEYS,
  checkedTemplate,
  codeKeyParameter,
  generateTemplate,
} from '../../src/template/index.ts';
import { keptParameters, StackInputError, stackParameters } from '../../src/template/stack-input.ts';

const config = loadConfig({
  SCONES_TARGET: 'emulator',
  SCONES_STAGE: 'cfparts',
  SCONES_BUCKET: 'scones-cfparts',
});
const template = generateTemplate({ config });
const codeValues = Object.fromEntries(BUNDLE_KEYS.map((key) => [codeKeyParameter(key), `k/${key}.zip`]));
const values = { CodeBucket: 'scones-cfparts-code', ...codeValues };

describe('stack parameters', () => {
  it('passes values the template accepts', () => {
    const list = stackParameters({
      template,
      values: { ...values, Threshold: '0.42' },
      hostsSageMaker: false,
    });
    expect(list).toContainEqual({ ParameterKey: 'Threshold', ParameterValue: '0.42' });
  });

  it('refuses, before anything exists, what the template cannot express, naming every problem', () => {
    const refused = () =>
      stackParameters({
        template,
        values: { ...values, Threshold: '1.5', Colour: 'red', ModelDataUrl: 's3://b/model.tar.gz' },
        hostsSageMaker: false,
      });
    expect(refused).toThrow(StackInputError);
    expect(refused).toThrow(
      /Threshold must be at most 1.*Colour is not a parameter.*no SageMaker resource types/,
    );
    expect(() => stackParameters({ template, values: { Threshold: '0.5' }, hostsSageMaker: true })).toThrow(
      /CodeBucket has no default/,
    );
    expect(() =>
      stackParameters({ template, values: { ...values, ModelDataUrl: 'https://x' }, hostsSageMaker: true }),
    ).toThrow(/ModelDataUrl must match/);
  });
});

describe('an update keeps what it is not given', () => {
  it('asks for the previous value of every template parameter the stack has and the deploy does not set', () => {
    const kept = keptParameters(template, { ...values, Threshold: '0.5' }, [
      'CodeBucket',
      'Threshold',
      'NotifyEmail',
      'ModelDataUrl',
      'Gone',
    ]);
    expect(kept).toEqual([
      { ParameterKey: 'NotifyEmail', UsePreviousValue: true },
      { ParameterKey: 'ModelDataUrl', UsePreviousValue: true },
    ]);
    expect(keptParameters(template, values, [])).toEqual([]);
  });
});

describe('a template file (--template)', () => {
  const parsed = () => JSON.parse(JSON.stringify(template));

  it('takes the template of the same stage and target', () => {
    expect(checkedTemplate(parsed(), 'stack.json', config).Resources).toEqual(template.Resources);
  });

  it('refuses another stage, another target, or something that is not a template, naming it', () => {
    const prod = loadConfig({ SCONES_TARGET: 'emulator', SCONES_STAGE: 'prod' });
    expect(() => checkedTemplate(parsed(), 'stack.json', prod)).toThrow(
      /stack.json was generated for stage "cfparts", not "prod".*--stage prod/,
    );
    const aws = loadConfig({ SCONES_TARGET: 'aws', SCONES_STAGE: 'cfparts', AWS_REGION: 'us-east-1' });
    expect(() => checkedTemplate(parsed(), 'stack.json', aws)).toThrow(
      /generated for target "emulator", not "aws"/,
    );
    expect(() => checkedTemplate({ Resources: [] }, 'x.json', config)).toThrow(StackInputError);
    expect(() => checkedTemplate('text', 'x.json', config)).toThrow(
      /x.json is not a CloudFormation template with Parameters and Resources/,
    );
  });
});

describe('change report', () => {
  it('prints action, logical id and type, and calls out replacements', () => {
    const lines = changeLines([
      {
        ResourceChange: {
          Action: 'Modify',
          LogicalResourceId: 'Bucket',
          ResourceType: 'AWS::S3::Bucket',
          Replacement: 'True',
        },
      },
      {
        ResourceChange: {
          Action: 'Modify',
          LogicalResourceId: 'LowConfidenceShareAlarm',
          ResourceType: 'AWS::CloudWatch::Alarm',
          Replacement: 'False',
        },
      },
      { ResourceChange: { Action: 'Add', LogicalResourceId: 'EventsRole', ResourceType: 'AWS::IAM::Role' } },
    ]);
    expect(lines[0]).toMatch(/Modify\s+Bucket\s+AWS::S3::Bucket\s+REPLACED/);
    expect(lines[1]).not.toMatch(/replace/i);
    expect(lines[2]).toMatch(/Add\s+EventsRole\s+AWS::IAM::Role$/);
  });

  it('knows the empty change set', () => {
    // MiniStack's (and AWS's) StatusReason of a change set equal to the stack.
    expect(
      isNothingToChange(
        "The submitted information didn't contain changes. Submit different information to create a change set.",
      ),
    ).toBe(true);
    expect(
      isNothingToChange('Template format error: Unrecognized resource types: [AWS::SageMaker::Model]'),
    ).toBe(false);
  });

  it('picks the resource that failed first, not the cascade', () => {
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
    const stack = 'scones-cfparts';
    // Newest first, as MiniStack 1.5.33 answered a change set with a missing code key.
    const events = [
      {
        Timestamp: at(9),
        LogicalResourceId: stack,
        ResourceType: 'AWS::CloudFormation::Stack',
        ResourceStatus: 'UPDATE_ROLLBACK_COMPLETE',
      },
      {
        Timestamp: at(8),
        LogicalResourceId: stack,
        ResourceType: 'AWS::CloudFormation::Stack',
        ResourceStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
        ResourceStatusReason: 'The following resource(s) failed to update: [FilterInferencesFunction]. ',
      },
      {
        Timestamp: at(7),
        LogicalResourceId: 'ClassifyImageFunction',
        ResourceType: 'AWS::Lambda::Function',
        ResourceStatus: 'UPDATE_FAILED',
        ResourceStatusReason: 'Resource update cancelled',
      },
      {
        Timestamp: at(6),
        LogicalResourceId: 'FilterInferencesFunction',
        ResourceType: 'AWS::Lambda::Function',
        ResourceStatus: 'UPDATE_FAILED',
        ResourceStatusReason: 'Failed to fetch code from s3://scones-cfparts-code/missing/nothing.zip',
      },
      {
        Timestamp: at(1),
        LogicalResourceId: 'OldFailure',
        ResourceType: 'AWS::IAM::Role',
        ResourceStatus: 'CREATE_FAILED',
        ResourceStatusReason: 'an earlier operation',
      },
    ];
    expect(firstFailure(events, stack, at(5))).toEqual({
      logicalId: 'FilterInferencesFunction',
      resourceType: 'AWS::Lambda::Function',
      reason: 'Failed to fetch code from s3://scones-cfparts-code/missing/nothing.zip',
    });
    expect(firstFailure(events.slice(0, 2), stack, at(5))).toBeUndefined();
  });
});

describe('early validation', () => {
  const since = new Date('2026-12-07T10:00:00Z');
  it('reports each VALIDATION_ERROR of the operation, a name conflict with its usual cause', () => {
    const lines = validationFailures(
      [
        {
          EventType: 'VALIDATION_ERROR',
          Timestamp: new Date('2026-12-07T10:00:01Z'),
          LogicalResourceId: 'Bucket',
          ResourceType: 'AWS::S3::Bucket',
          ValidationName: 'NAME_CONFLICT_VALIDATION',
          ValidationPath: '/Resources/Bucket',
          ValidationStatusReason: "Resource of type 'AWS::S3::Bucket' with identifier 'b' already exists.",
        },
        {
          EventType: 'PROVISIONING_ERROR',
          Timestamp: new Date('2026-12-07T10:00:01Z'),
          LogicalResourceId: 'x',
        },
        {
          EventType: 'VALIDATION_ERROR',
          Timestamp: new Date('2026-12-07T09:00:00Z'),
          LogicalResourceId: 'Old',
        },
      ],
      since,
    );
    expect(lines).toEqual([
      "Bucket (AWS::S3::Bucket) NAME_CONFLICT_VALIDATION at /Resources/Bucket: Resource of type 'AWS::S3::Bucket' with identifier 'b' already exists. (a resource of that name exists outside this stack: a stage deployed with --via sdk, or made by hand)",
    ]);
  });
});
