/** The intake state machine's ASL: valid, JSONPath, and shaped as the dedup design needs. */

import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import {
  DEFINITION_PATHS,
  DefinitionError,
  intakeSubstitutionsFor,
  loadDefinition,
  renderDefinition,
} from '../../src/workflow/definition.ts';

const classificationStateMachineArn =
  'arn:aws:states:us-east-1:123456789012:stateMachine:scones-dev-image-classification';
const substitutions = intakeSubstitutionsFor({ classificationStateMachineArn });
const definition = loadDefinition(substitutions, 'intake');
const states = definition.States as Record<string, Record<string, unknown>>;

describe('intake state machine definition', () => {
  it('passes asl-validator with its substitution resolved, and is JSONPath', () => {
    const { isValid, errorsText } = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    expect(definition.QueryLanguage).toBe('JSONPath');
  });

  it("starts the classification (request-response) under the object's hash, with the seed's input", () => {
    const start = states.StartClassification as {
      Resource: string;
      Parameters: Record<string, unknown>;
      Catch: { ErrorEquals: string[]; Next: string }[];
      Retry: { ErrorEquals: string[] }[];
    };
    expect(definition.StartAt).toBe('StartClassification');
    expect(start.Resource).toBe('arn:aws:states:::states:startExecution');
    expect(start.Parameters).toEqual({
      StateMachineArn: classificationStateMachineArn,
      'Name.$': "States.Hash(States.Format('{}/{}/{}', $.bucket, $.key, $.sequencer), 'SHA-256')",
      Input: { image_data: '', 's3_bucket.$': '$.bucket', 's3_key.$': '$.key' },
    });
    expect(start.Catch).toEqual([
      expect.objectContaining({
        ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'],
        Next: 'AlreadyStarted',
      }),
    ]);
    expect(states.AlreadyStarted?.Type).toBe('Succeed');
    expect(start.Retry[0]?.ErrorEquals).toContain('StepFunctions.ExecutionLimitExceeded');
  });

  it('refuses a missing or an unknown substitution', () => {
    const template = readFileSync(DEFINITION_PATHS.intake, 'utf8');
    expect(() => renderDefinition({}, template)).toThrow(DefinitionError);
    expect(() => renderDefinition({ ...substitutions, Extra: 'x' }, template)).toThrow(
      /Unknown definition substitutions: Extra/,
    );
  });
});
