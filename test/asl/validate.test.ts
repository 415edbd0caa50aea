/**
 * The kit's ASL validator (src/asl/) against what ValidateStateMachineDefinition answers: the
 * service's recorded answers (LocalStack's snapshot of AWS, test_sfn_api_validation.snapshot.json;
 * the InvalidDefinition messages quoted in its PR #12487 and in asl-validator issues), the codes of
 * the API reference's list with their locations, JSONata definitions accepted as such, and the
 * documented warnings.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type DefinitionDiagnostic,
  formatDiagnostic,
  InvalidDefinitionError,
  nestingDepth,
  validateDefinition,
} from '../../src/asl/index.ts';
import { DEFINITION_PATHS, type DefinitionName, readTemplate } from '../../src/workflow/definition.ts';

const JSONATA_FIXTURE = readFileSync(new URL('fixtures/jsonata-routing.asl.json', import.meta.url), 'utf8');
const LAMBDA = 'arn:aws:states:::lambda:invoke';

const validate = (definition: unknown, type?: 'STANDARD' | 'EXPRESS') =>
  validateDefinition(JSON.stringify(definition), type ? { type } : {});
const errorsOf = (definition: unknown) =>
  validate(definition).diagnostics.filter((d) => d.severity === 'ERROR');
const pass = (extra: Record<string, unknown> = {}) => ({ Type: 'Pass', End: true, ...extra });
const machine = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  StartAt: Object.keys(states)[0],
  States: states,
  ...extra,
});
const diagnostic = (code: string, message: string, location?: string): DefinitionDiagnostic => ({
  severity: 'ERROR',
  code,
  message,
  ...(location ? { location } : {}),
});

describe('ASL validator: the kit and JSONata', () => {
  it.each(Object.keys(DEFINITION_PATHS) as DefinitionName[])(
    'statemachine/ %s: OK, not even a warning',
    (name) => {
      expect(validateDefinition(readTemplate(name))).toEqual({ result: 'OK', diagnostics: [] });
    },
  );

  it('a JSONata definition (Arguments, Output, Assign, Condition, Items, JSONata Fail fields) is OK', () => {
    expect(validateDefinition(JSONATA_FIXTURE)).toEqual({ result: 'OK', diagnostics: [] });
  });

  it('one JSONata state in a JSONPath definition is OK, and its JSONata fields are its own', () => {
    const ok = machine({ A: pass({ QueryLanguage: 'JSONata', Output: '{% 1 + 1 %}', Assign: { n: 2 } }) });
    expect(validate(ok).result).toBe('OK');
    expect(errorsOf(machine({ A: pass({ Output: '{% 1 %}' }) }))).toEqual([
      diagnostic(
        'SCHEMA_VALIDATION_FAILED',
        "Field 'Output' is not supported: Pass states take it in JSONata, and this state's QueryLanguage is JSONPath",
        '/States/A',
      ),
    ]);
  });

  it('JSONPath fields in a JSONata state, a broken expression and a downgraded state fail', () => {
    const jsonata = (state: Record<string, unknown>) => machine({ A: state }, { QueryLanguage: 'JSONata' });
    expect(errorsOf(jsonata(pass({ Parameters: { a: 1 } })))[0]).toMatchObject({
      message: expect.stringMatching(/^Field 'Parameters' is not supported: Pass states take it in JSONPath/),
      location: '/States/A',
    });
    expect(errorsOf(jsonata(pass({ Output: '{% 1 + %}' })))).toEqual([
      diagnostic(
        'SCHEMA_VALIDATION_FAILED',
        "The value for the field 'Output' must be a valid JSONata expression ({% ... %})",
        '/States/A/Output',
      ),
    ]);
    // The service's answer, as recorded.
    expect(errorsOf(jsonata(pass({ QueryLanguage: 'JSONPath' })))).toEqual([
      diagnostic(
        'SCHEMA_VALIDATION_FAILED',
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        '/States/A',
      ),
    ]);
  });
});

describe('ASL validator: what the service answers', () => {
  it('text that is not a JSON object', () => {
    expect(validateDefinition(' ')).toEqual({
      result: 'FAIL',
      diagnostics: [diagnostic('SCHEMA_VALIDATION_FAILED', 'Definition must be a valid JSON object')],
    });
    expect(validateDefinition('[1]').diagnostics[0]?.message).toBe('Definition must be a valid JSON object');
    const [notJson] = validateDefinition('not a definition').diagnostics;
    expect(notJson).toMatchObject({ code: 'INVALID_JSON_DESCRIPTION', location: 'line 1, column 2' });
    const [trailing] = validateDefinition('{\n  "StartAt": "A",\n  "States": {},\n}').diagnostics;
    expect(trailing).toMatchObject({ code: 'INVALID_JSON_DESCRIPTION', location: 'line 4, column 1' });
  });

  it('missing StartAt and States, at the top and in a nested scope', () => {
    expect(errorsOf({})).toEqual([
      diagnostic('SCHEMA_VALIDATION_FAILED', 'These fields are required: [States, StartAt]', '/'),
    ]);
    expect(errorsOf({ States: { A: pass() } })).toEqual([
      diagnostic('SCHEMA_VALIDATION_FAILED', 'These fields are required: [StartAt]', '/'),
    ]);
    const branchless = machine({ P: { Type: 'Parallel', Branches: [{ States: { B: pass() } }], End: true } });
    expect(errorsOf(branchless)).toEqual([
      diagnostic('SCHEMA_VALIDATION_FAILED', 'These fields are required: [StartAt]', '/States/P/Branches[0]'),
    ]);
  });

  it('a missing transition target and the state it leaves unreachable', () => {
    // The definition of LocalStack's issue #11978, with AWS's InvalidDefinition for it.
    const definition = machine({ pass1: { Type: 'Pass', Next: 'pass3' }, pass2: pass() });
    const errors = errorsOf(definition);
    expect(errors).toEqual([
      diagnostic('MISSING_TRANSITION_TARGET', "Missing 'Next' target: pass3", '/States/pass1/Next'),
      diagnostic('MISSING_TRANSITION_TARGET', 'State "pass2" is not reachable.', '/States/pass2'),
    ]);
    expect(errors.map(formatDiagnostic).join(', ')).toBe(
      `MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2`,
    );
    const choice = machine({
      C: {
        Type: 'Choice',
        Choices: [{ Variable: '$.x', IsPresent: true, Next: 'Nowhere' }],
        Default: 'Gone',
      },
      Done: { Type: 'Succeed' },
    });
    expect(errorsOf(choice).map((d) => d.location)).toEqual([
      '/States/C/Default',
      '/States/C/Choices[0]/Next',
      '/States/Done',
    ]);
    expect(errorsOf(machine({ A: pass() }, { StartAt: 'B' }))[0]).toEqual(
      diagnostic('MISSING_TRANSITION_TARGET', "Missing 'StartAt' target: B", '/StartAt'),
    );
  });

  it('an unknown state type, an unknown field, Next with End, a state with neither', () => {
    expect(errorsOf(machine({ A: { Type: 'Lambda', End: true } }))).toEqual([
      diagnostic(
        'SCHEMA_VALIDATION_FAILED',
        'Value is not a valid state type: "Lambda" (one of Choice, Fail, Map, Parallel, Pass, Succeed, Task, Wait)',
        '/States/A/Type',
      ),
    ]);
    expect(errorsOf(machine({ A: pass({ _comment: 'x' }) }))).toEqual([
      diagnostic('SCHEMA_VALIDATION_FAILED', "Field '_comment' is not supported", '/States/A'),
    ]);
    expect(errorsOf(machine({ A: pass({ Next: 'A' }) }))[0]?.message).toBe(
      'Exactly one of these fields is required: [Next, End]',
    );
    expect(errorsOf(machine({ A: { Type: 'Pass' }, B: pass() }))[0]?.location).toBe('/States/A');
    expect(
      errorsOf(
        machine({ C: { Type: 'Choice', Choices: [{ Variable: '$', IsNull: true, Next: 'C' }], End: true } }),
      )[0],
    ).toMatchObject({ message: "Field 'End' is not supported", location: '/States/C' });
  });

  it('no terminal state, duplicate and over-long state names', () => {
    expect(errorsOf(machine({ A: { Type: 'Pass', Next: 'A' } }))).toEqual([
      diagnostic('MISSING_END_STATE', 'Workflow has no terminal state'),
    ]);
    const loop = { StartAt: 'L', States: { L: { Type: 'Pass', Next: 'L' } } };
    expect(errorsOf(machine({ M: { Type: 'Map', ItemProcessor: loop, End: true } }))).toEqual([
      diagnostic('MISSING_END_STATE', 'Workflow has no terminal state', '/States/M/ItemProcessor'),
    ]);
    const branch = { StartAt: 'P', States: { P: { Type: 'Succeed' } } };
    expect(errorsOf(machine({ P: { Type: 'Parallel', Branches: [branch], End: true } }))).toEqual([
      diagnostic('DUPLICATE_STATE_NAME', 'Duplicate State name: P', '/States/P/Branches[0]/States/P'),
    ]);
    expect(errorsOf(machine({ ['x'.repeat(81)]: pass() }))[0]?.code).toBe('INVALID_STATE_NAME');
  });

  it("field values: a Task's resource, a catcher, paths and payload templates", () => {
    expect(
      errorsOf(machine({ T: { Type: 'Task', Resource: 'ClassifyImageFunctionArn', End: true } })),
    ).toEqual([
      diagnostic('SCHEMA_VALIDATION_FAILED', 'Value is not a valid resource ARN', '/States/T/Resource'),
    ]);
    expect(
      errorsOf(machine({ T: { Type: 'Task', Resource: LAMBDA, Catch: [{ Next: 'T' }], End: true } })),
    ).toEqual([
      diagnostic(
        'SCHEMA_VALIDATION_FAILED',
        'These fields are required: [ErrorEquals]',
        '/States/T/Catch[0]',
      ),
    ]);
    expect(errorsOf(machine({ A: pass({ InputPath: 'input' }) }))).toEqual([
      diagnostic(
        'SCHEMA_VALIDATION_FAILED',
        "The value for the field 'InputPath' must be a valid JSONPath",
        '/States/A/InputPath',
      ),
    ]);
    expect(errorsOf(machine({ A: pass({ Parameters: { 'id.$': 'id' } }) }))).toEqual([
      diagnostic(
        'SCHEMA_VALIDATION_FAILED',
        "The value for the field 'id.$' must be a valid JSONPath or a valid intrinsic function call",
        '/States/A/Parameters/id.$',
      ),
    ]);
  });

  it('EXPRESS refuses .waitForTaskToken and .sync Tasks that STANDARD takes', () => {
    const resource = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
    const definition = machine({ SendMessageWithWait: { Type: 'Task', Resource: resource, End: true } });
    expect(validate(definition, 'STANDARD').result).toBe('OK');
    expect(validate(definition, 'EXPRESS').diagnostics).toEqual([
      diagnostic(
        'SCHEMA_VALIDATION_FAILED',
        "Express state machine does not support '.waitForTaskToken' service integration",
        '/States/SendMessageWithWait/Resource',
      ),
    ]);
    const sync = machine({
      S: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', End: true },
    });
    expect(validate(sync, 'EXPRESS').diagnostics[0]?.message).toContain("'.sync:2'");
  });

  it('the three documented warnings leave the result OK', () => {
    const definition = machine({
      A: { Type: 'Pass', Parameters: { key: '$.s3_key' }, Result: { 'x.$': '$.y' }, Next: 'F' },
      F: { Type: 'Fail', Error: '$.error' },
    });
    const { result, diagnostics } = validate(definition);
    expect(result).toBe('OK');
    expect(diagnostics.map((d) => [d.severity, d.code, d.location])).toEqual([
      ['WARNING', 'NO_DOLLAR', '/States/A/Parameters/key'],
      ['WARNING', 'PASS_RESULT_IS_STATIC', '/States/A/Result'],
      ['WARNING', 'NO_PATH', '/States/F/Error'],
    ]);
  });

  it('nesting: 24 nested Map and Parallel states are checked (as one flat copy) and an error located', () => {
    let scope: Record<string, unknown> = machine({
      T: { Type: 'Task', Resource: LAMBDA, Catch: [{ Next: 'T' }], End: true },
    });
    for (let level = 0; level < 24; level++) {
      const state =
        level % 2 === 0
          ? { Type: 'Parallel', Branches: [scope], End: true }
          : { Type: 'Map', ItemProcessor: scope, End: true };
      scope = machine({ [`L${level}`]: state });
    }
    expect(nestingDepth(scope)).toBe(25);
    // asl-validator over the nested definition as it is would take minutes: its time doubles per level.
    const [found] = errorsOf(scope);
    expect(found?.message).toBe('These fields are required: [ErrorEquals]');
    expect(found?.location).toMatch(
      /^\/States\/L23\/ItemProcessor\/States\/L22\/Branches\[0\]\/States\/L21\/.*\/States\/T\/Catch\[0\]$/,
    );
    const deep = `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Parameters":${'{"a":'.repeat(300)}1${'}'.repeat(300)}}}}`;
    expect(validateDefinition(deep).diagnostics).toEqual([
      diagnostic(
        'TOO_DEEPLY_NESTED',
        'The definition is too deeply nested: more than 256 levels of objects and arrays',
      ),
    ]);
  });

  it('InvalidDefinitionError lists the errors of each refused definition', () => {
    const { diagnostics } = validate(machine({ A: pass({ Next: 'B' }) }));
    const error = new InvalidDefinitionError([{ source: 'statemachine/x.asl.json', diagnostics }]);
    expect(error.message).toBe(
      [
        'Invalid state machine definition:',
        'statemachine/x.asl.json:',
        '  SCHEMA_VALIDATION_FAILED: Exactly one of these fields is required: [Next, End] at /States/A',
        "  MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next",
      ].join('\n'),
    );
    expect(error.refused[0]?.diagnostics).toBe(diagnostics);
  });
});
