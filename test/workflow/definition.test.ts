import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import {
  DefinitionError,
  loadDefinition,
  renderDefinition,
  substitutionsFor,
} from '../../src/workflow/definition.ts';

const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const substitutions = substitutionsFor({
  functionArns: { serialize: arn('serialize'), classify: arn('classify'), filter: arn('filter') },
  reviewBucket: 'scones-images',
  reviewPrefix: 'review/',
});

describe('state machine definition', () => {
  it('passes asl-validator with its substitutions resolved', () => {
    const { isValid, errorsText } = aslValidator(loadDefinition(substitutions), {
      checkArn: true,
      checkPaths: true,
    });
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('is JSONPath, so every engine runs it', () => {
    expect(loadDefinition(substitutions).QueryLanguage).toBe('JSONPath');
  });

  it('puts the function ARNs where the Tasks invoke them', () => {
    const states = loadDefinition(substitutions).States as Record<
      string,
      { Parameters?: { FunctionName?: string } }
    >;
    expect(states.SerializeImageData?.Parameters?.FunctionName).toBe(arn('serialize'));
    expect(states.ClassifyImage?.Parameters?.FunctionName).toBe(arn('classify'));
    expect(states.FilterInferences?.Parameters?.FunctionName).toBe(arn('filter'));
  });

  it('refuses a missing or an unknown substitution', () => {
    const { ReviewPrefix: _omitted, ...missing } = substitutions;
    expect(() => renderDefinition(missing)).toThrow(DefinitionError);
    expect(() => renderDefinition({ ...substitutions, Extra: 'x' })).toThrow(
      /Unknown definition substitutions: Extra/,
    );
  });

  it('escapes substituted values as JSON string content', () => {
    const text = renderDefinition({ ...substitutions, ReviewPrefix: 'odd"prefix/' });
    expect(() => JSON.parse(text)).not.toThrow();
  });
});
